namespace SafeMigrations;

/// <summary>
/// Names and values of the annotations SafeMigrations puts on EF Core migration operations.
/// </summary>
/// <remarks>
/// The annotations are ignored by EF Core's own SQL generators, so a migration that carries them still runs
/// (all at once) under plain <c>dotnet ef database update</c>. The SafeMigrations engine and analyzers read them.
/// </remarks>
public static class SafeMigrationsAnnotations
{
    /// <summary>The prefix shared by every SafeMigrations annotation: <c>SafeMigrations:</c>.</summary>
    public const string Prefix = "SafeMigrations:";

    /// <summary>
    /// The annotation that places an operation in a phase: <c>SafeMigrations:Phase</c>.
    /// Its value is <see cref="Expand"/> or <see cref="Contract"/>; an operation without it is in the expand phase.
    /// </summary>
    public const string Phase = Prefix + "Phase";

    /// <summary>The <see cref="Phase"/> value for <see cref="MigrationPhase.Expand"/>: <c>Expand</c>.</summary>
    public const string Expand = nameof(MigrationPhase.Expand);

    /// <summary>The <see cref="Phase"/> value for <see cref="MigrationPhase.Contract"/>: <c>Contract</c>.</summary>
    public const string Contract = nameof(MigrationPhase.Contract);
}
