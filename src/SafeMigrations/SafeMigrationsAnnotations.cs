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

    /// <summary>
    /// The kind of safe step an operation belongs to: <c>SafeMigrations:Step</c>, one of the <see cref="SafeMigrationSteps"/>
    /// values. Every operation a <see cref="SafeMigrationBuilderExtensions"/> method adds carries it, together with
    /// <see cref="Part"/> and the step's arguments below; values are the exact (unquoted) names passed by the migration.
    /// </summary>
    public const string Step = Prefix + "Step";

    /// <summary>
    /// The operation's role inside its step: <c>SafeMigrations:Part</c>, one of the <see cref="SafeMigrationStepParts"/>
    /// values. A step of several operations adds them consecutively, in the order they must run.
    /// </summary>
    public const string Part = Prefix + "Part";

    /// <summary>Schema of the table (or view, or index): <c>SafeMigrations:Schema</c>; absent for the search_path.</summary>
    public const string Schema = Prefix + "Schema";

    /// <summary>The table the step works on: <c>SafeMigrations:Table</c>.</summary>
    public const string Table = Prefix + "Table";

    /// <summary>The single column the step works on: <c>SafeMigrations:Column</c>.</summary>
    public const string Column = Prefix + "Column";

    /// <summary>The columns the step works on, in order: <c>SafeMigrations:Columns</c>, a <see cref="string"/> array.</summary>
    public const string Columns = Prefix + "Columns";

    /// <summary>The object the step creates or drops (index, constraint, view): <c>SafeMigrations:Name</c>.</summary>
    public const string Name = Prefix + "Name";

    /// <summary>Whether an index is unique: <c>SafeMigrations:Unique</c>, a <see cref="bool"/>.</summary>
    public const string Unique = Prefix + "Unique";

    /// <summary>The index method (<c>btree</c>, <c>gin</c>...): <c>SafeMigrations:Method</c>; absent for the default.</summary>
    public const string Method = Prefix + "Method";

    /// <summary>A partial index's predicate SQL: <c>SafeMigrations:Filter</c>.</summary>
    public const string Filter = Prefix + "Filter";

    /// <summary>An expression index's key SQL: <c>SafeMigrations:Expression</c>.</summary>
    public const string Expression = Prefix + "Expression";

    /// <summary>A check constraint's condition SQL: <c>SafeMigrations:CheckSql</c>.</summary>
    public const string CheckSql = Prefix + "CheckSql";

    /// <summary>The referenced table of a foreign key: <c>SafeMigrations:PrincipalTable</c>.</summary>
    public const string PrincipalTable = Prefix + "PrincipalTable";

    /// <summary>The referenced table's schema: <c>SafeMigrations:PrincipalSchema</c>; absent for the search_path.</summary>
    public const string PrincipalSchema = Prefix + "PrincipalSchema";

    /// <summary>
    /// The referenced columns of a foreign key: <c>SafeMigrations:PrincipalColumns</c>, a <see cref="string"/> array;
    /// absent when the key references the principal's primary key.
    /// </summary>
    public const string PrincipalColumns = Prefix + "PrincipalColumns";

    /// <summary>A constraint the step adds and drops again (the NOT NULL check): <c>SafeMigrations:CheckName</c>.</summary>
    public const string CheckName = Prefix + "CheckName";

    /// <summary>A backfill's SET list SQL, e.g. <c>"email_lower" = lower("email")</c>: <c>SafeMigrations:Set</c>.</summary>
    public const string Set = Prefix + "Set";

    /// <summary>
    /// A backfill's predicate SQL, true exactly for the rows still to do: <c>SafeMigrations:Where</c>.
    /// It proves completion (no row matches any more) and makes a resumed run skip finished rows.
    /// </summary>
    public const string Where = Prefix + "Where";

    /// <summary>A backfill's rows per batch: <c>SafeMigrations:BatchSize</c>, an <see cref="int"/>.</summary>
    public const string BatchSize = Prefix + "BatchSize";

    /// <summary>
    /// The columns a backfill walks in keyset order: <c>SafeMigrations:KeyColumns</c>, a <see cref="string"/> array;
    /// absent to use the primary key (or a unique index on NOT NULL columns).
    /// </summary>
    public const string KeyColumns = Prefix + "KeyColumns";

    /// <summary>A sync trigger's source column: <c>SafeMigrations:FromColumn</c>.</summary>
    public const string FromColumn = Prefix + "FromColumn";

    /// <summary>A sync trigger's target column: <c>SafeMigrations:ToColumn</c>.</summary>
    public const string ToColumn = Prefix + "ToColumn";

    /// <summary>Whether a sync trigger copies both ways: <c>SafeMigrations:TwoWay</c>, a <see cref="bool"/>.</summary>
    public const string TwoWay = Prefix + "TwoWay";

    /// <summary>
    /// PL/pgSQL expression a sync trigger assigns to the target column, over <c>NEW."column"</c> references:
    /// <c>SafeMigrations:ConvertSql</c>; absent for a plain copy.
    /// </summary>
    public const string ConvertSql = Prefix + "ConvertSql";

    /// <summary>
    /// PL/pgSQL expression a two-way sync trigger (or a swap's reverse trigger) assigns back to the source column:
    /// <c>SafeMigrations:ReverseConvertSql</c>; absent for a plain copy.
    /// </summary>
    public const string ReverseConvertSql = Prefix + "ReverseConvertSql";

    /// <summary>Name of the trigger a step creates or drops: <c>SafeMigrations:TriggerName</c>.</summary>
    public const string TriggerName = Prefix + "TriggerName";

    /// <summary>Name of the trigger function a step creates or drops (in <see cref="Schema"/>): <c>SafeMigrations:FunctionName</c>.</summary>
    public const string FunctionName = Prefix + "FunctionName";

    /// <summary>The column that takes the place of <see cref="Column"/> in a swap: <c>SafeMigrations:ReplacementColumn</c>.</summary>
    public const string ReplacementColumn = Prefix + "ReplacementColumn";

    /// <summary>The name the swapped-out column gets: <c>SafeMigrations:OldColumn</c>.</summary>
    public const string OldColumn = Prefix + "OldColumn";

    /// <summary>
    /// SQL that undoes the step (run by a rollback of its migration): <c>SafeMigrations:UndoSql</c>. Carried by
    /// <see cref="SafeMigrationSteps.CreateSyncTrigger"/>: the same SQL as <c>DropSyncTrigger</c>, which also gives the
    /// columns back the defaults a two-way trigger took over.
    /// </summary>
    public const string UndoSql = Prefix + "UndoSql";
}
