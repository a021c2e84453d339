using System;

namespace SafeMigrations;

/// <summary>
/// Places every operation of a migration class in the contract phase: the migration runs only after every
/// instance of the application runs the new version.
/// </summary>
/// <example>
/// <code>
/// [ContractPhase]
/// public partial class DropLegacyName : Migration { ... }
/// </code>
/// </example>
/// <remarks>
/// Not inherited: the mark belongs to the migration it is written on, which is also what the analyzers read.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class ContractPhaseAttribute : Attribute
{
}
