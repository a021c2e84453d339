using System;
using System.Reflection;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace SafeMigrations;

/// <summary>
/// Reads the phase marks back: <see cref="ContractPhaseAttribute"/> on a migration class and the
/// <see cref="SafeMigrationsAnnotations.Phase"/> annotation on an operation.
/// </summary>
public static class MigrationPhases
{
    /// <summary>
    /// The phase an operation of a migration runs in: <see cref="MigrationPhase.Contract"/> when the migration class
    /// carries <see cref="ContractPhaseAttribute"/> or the operation is marked with <c>.InContractPhase()</c>;
    /// otherwise <see cref="MigrationPhase.Expand"/>.
    /// </summary>
    /// <param name="migration">The migration the operation belongs to.</param>
    /// <param name="operation">One of the migration's operations.</param>
    /// <returns>The phase of the operation.</returns>
    /// <exception cref="InvalidOperationException">The operation's phase annotation has a value that is not a phase.</exception>
    public static MigrationPhase GetPhase(Migration migration, MigrationOperation operation)
    {
        if (migration is null)
        {
            throw new ArgumentNullException(nameof(migration));
        }

        if (operation is null)
        {
            throw new ArgumentNullException(nameof(operation));
        }

        // Validate the annotation even when the class mark wins, so a typo never hides behind the attribute.
        var annotated = GetPhase(operation);
        return IsContractMigration(migration.GetType()) ? MigrationPhase.Contract : annotated;
    }

    /// <summary>
    /// The phase an operation is marked with through its <see cref="SafeMigrationsAnnotations.Phase"/> annotation,
    /// ignoring any mark on its migration class; <see cref="MigrationPhase.Expand"/> when it has none.
    /// </summary>
    /// <param name="operation">A migration operation.</param>
    /// <returns>The phase of the operation.</returns>
    /// <exception cref="InvalidOperationException">The phase annotation has a value that is not a phase.</exception>
    public static MigrationPhase GetPhase(MigrationOperation operation)
    {
        if (operation is null)
        {
            throw new ArgumentNullException(nameof(operation));
        }

        // Exact values only: the analyzers compare the same way, so the engine and the warnings never disagree.
        var value = operation[SafeMigrationsAnnotations.Phase];
        switch (value)
        {
            case null:
                return MigrationPhase.Expand;
            case string text when string.Equals(text, SafeMigrationsAnnotations.Contract, StringComparison.Ordinal):
                return MigrationPhase.Contract;
            case string text when string.Equals(text, SafeMigrationsAnnotations.Expand, StringComparison.Ordinal):
                return MigrationPhase.Expand;
            default:
                throw new InvalidOperationException(
                    $"The '{SafeMigrationsAnnotations.Phase}' annotation on {operation.GetType().Name} has the value '{value}'. " +
                    $"Expected '{SafeMigrationsAnnotations.Expand}' or '{SafeMigrationsAnnotations.Contract}'; use .InContractPhase() to set it.");
        }
    }

    /// <summary>Whether a migration class carries <see cref="ContractPhaseAttribute"/>.</summary>
    /// <param name="migrationType">The migration class.</param>
    /// <returns><see langword="true"/> when every operation of the migration runs in the contract phase.</returns>
    public static bool IsContractMigration(Type migrationType)
    {
        if (migrationType is null)
        {
            throw new ArgumentNullException(nameof(migrationType));
        }

        return migrationType.GetCustomAttribute<ContractPhaseAttribute>(inherit: false) is not null;
    }
}
