namespace SafeMigrations;

/// <summary>
/// Values of the <see cref="SafeMigrationsAnnotations.Step"/> annotation: which safe step an operation belongs to.
/// Each value is the name of the <see cref="SafeMigrationBuilderExtensions"/> method that adds the step.
/// </summary>
public static class SafeMigrationSteps
{
    /// <summary>An index built with <c>CREATE INDEX CONCURRENTLY</c>, outside a transaction.</summary>
    public const string CreateIndexConcurrently = nameof(CreateIndexConcurrently);

    /// <summary>An index dropped with <c>DROP INDEX CONCURRENTLY</c>, outside a transaction.</summary>
    public const string DropIndexConcurrently = nameof(DropIndexConcurrently);

    /// <summary>A foreign key added <c>NOT VALID</c>: existing rows are not checked, so nothing is scanned.</summary>
    public const string AddForeignKeyNotValid = nameof(AddForeignKeyNotValid);

    /// <summary>A check constraint added <c>NOT VALID</c>: existing rows are not checked, so nothing is scanned.</summary>
    public const string AddCheckConstraintNotValid = nameof(AddCheckConstraintNotValid);

    /// <summary><c>VALIDATE CONSTRAINT</c>: scans under SHARE UPDATE EXCLUSIVE, which lets reads and writes go on.</summary>
    public const string ValidateConstraint = nameof(ValidateConstraint);

    /// <summary>A unique index built concurrently, then attached as a unique constraint.</summary>
    public const string AddUniqueConstraintUsingIndex = nameof(AddUniqueConstraintUsingIndex);

    /// <summary>A unique index built concurrently, then attached as the primary key.</summary>
    public const string AddPrimaryKeyUsingIndex = nameof(AddPrimaryKeyUsingIndex);

    /// <summary><c>SET NOT NULL</c> proved by a validated <c>CHECK (c IS NOT NULL)</c>, so the server skips its scan.</summary>
    public const string SetNotNullThroughCheck = nameof(SetNotNullThroughCheck);

    /// <summary>An <c>UPDATE</c> of many rows, meant to run in keyset batches.</summary>
    public const string Backfill = nameof(Backfill);

    /// <summary>A <c>DELETE</c> of many rows, meant to run in keyset batches.</summary>
    public const string DeleteInBatches = nameof(DeleteInBatches);

    /// <summary>A trigger that copies one column into another (or both ways) on every write.</summary>
    public const string CreateSyncTrigger = nameof(CreateSyncTrigger);

    /// <summary>Drops a sync trigger and its function.</summary>
    public const string DropSyncTrigger = nameof(DropSyncTrigger);

    /// <summary>Renames a column away and its replacement into its place, in one short transaction.</summary>
    public const string SwapColumns = nameof(SwapColumns);

    /// <summary>A view under a renamed table's old name, so the running application version keeps working.</summary>
    public const string CreateCompatibilityView = nameof(CreateCompatibilityView);

    /// <summary>Drops a compatibility view.</summary>
    public const string DropCompatibilityView = nameof(DropCompatibilityView);
}

/// <summary>
/// Values of the <see cref="SafeMigrationsAnnotations.Part"/> annotation: what one operation of a step does.
/// Single-operation steps use their step name as their part.
/// </summary>
public static class SafeMigrationStepParts
{
    /// <summary><c>CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS</c> (suppressed transaction).</summary>
    public const string CreateIndexConcurrently = nameof(CreateIndexConcurrently);

    /// <summary><c>ALTER TABLE ... ADD CONSTRAINT ... UNIQUE | PRIMARY KEY USING INDEX</c>.</summary>
    public const string AddConstraintUsingIndex = nameof(AddConstraintUsingIndex);

    /// <summary><c>ALTER TABLE ... ADD CONSTRAINT ... CHECK (c IS NOT NULL) NOT VALID</c>.</summary>
    public const string AddCheckNotValid = nameof(AddCheckNotValid);

    /// <summary><c>ALTER TABLE ... VALIDATE CONSTRAINT</c> (suppressed transaction).</summary>
    public const string ValidateCheck = nameof(ValidateCheck);

    /// <summary><c>ALTER TABLE ... ALTER COLUMN ... SET NOT NULL</c>.</summary>
    public const string SetNotNull = nameof(SetNotNull);

    /// <summary><c>ALTER TABLE ... DROP CONSTRAINT IF EXISTS</c> of the helper check.</summary>
    public const string DropCheck = nameof(DropCheck);
}
