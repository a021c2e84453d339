namespace SafeMigrations.Benchmarks.StallTable;

/// <summary>
/// One row of the stall table: the migration plain <c>Database.Migrate()</c> runs, the one the engine runs (the same
/// scaffolded migration where the engine's safe-by-default plan handles it, else what the code fix writes), the phase
/// the engine runs, and the recompute after the run.
/// </summary>
public abstract class StallScenario
{
    public abstract string Name { get; }

    /// <summary>Migration id applied by plain Migrate().</summary>
    public abstract string PlainMigration { get; }

    /// <summary>Migration id applied by the engine.</summary>
    public virtual string EngineMigration => PlainMigration;

    /// <summary>What each side ran, for the table's legend.</summary>
    public abstract string Sides { get; }

    /// <summary>Expand only where the contract would break the app version the load plays (rename).</summary>
    public virtual SafeMigrations.Engine.Applying.PhaseSelection EnginePhase => SafeMigrations.Engine.Applying.PhaseSelection.All;

    /// <summary>The column holding the writers' note after the migration (renamed by the rename scenario).</summary>
    public virtual string NoteColumn => "Note";

    /// <summary>
    /// SQL returning the number of rows the migration left wrong, recomputed independently of the migration (the
    /// writers' own rows are checked by the harness). <paramref name="rows"/> is the number of rows the base has.
    /// </summary>
    public virtual string WrongRowsSql(long rows) => "SELECT 0::bigint";

    /// <summary>SQL returning a short text of the end state the scenario is about (type, validity, nullability).</summary>
    public abstract string EndStateSql { get; }

    public static StallScenario[] All() => new StallScenario[]
    {
        new CreateIndexScenario(), new UniqueIndexScenario(), new DropIndexScenario(), new ForeignKeyScenario(),
        new CheckScenario(), new SetNotNullScenario(), new VolatileDefaultScenario(), new IntToBigintScenario(),
        new RenameScenario(), new BackfillScenario(), new TimestampTzScenario(), new TimestampTzRawScenario(),
    };

    protected static string ColumnState(string column)
        => $@"SELECT format_type(atttypid, atttypmod) || CASE WHEN attnotnull THEN ' NOT NULL' ELSE ' NULL' END || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = '""Orders""'::regclass AND a.attname = '{column}' AND NOT a.attisdropped";

    protected static string IndexState(string index)
        => $@"SELECT coalesce((SELECT CASE WHEN indisvalid THEN 'index valid' ELSE 'index INVALID' END FROM pg_index WHERE indexrelid = to_regclass('""{index}""')), 'no index')";

    protected static string ConstraintState(string name)
        => $@"SELECT coalesce((SELECT CASE WHEN convalidated THEN 'validated' ELSE 'NOT VALIDATED' END FROM pg_constraint WHERE conname = '{name}'), 'no constraint')";
}

public sealed class CreateIndexScenario : StallScenario
{
    public override string Name => "create index";
    public override string PlainMigration => StallCreateIndex.Id;
    public override string Sides => "both: scaffolded CreateIndex(\"IX_Orders_CustomerId\")";
    public override string EndStateSql => IndexState("IX_Orders_CustomerId");
    public override string WrongRowsSql(long rows) => $@"
SET enable_seqscan = off; SET enable_bitmapscan = off;
SELECT (SELECT count(*) FROM ""Orders"" WHERE ""CustomerId"" >= 0) - (SELECT count(*) FROM ""Orders"" WHERE ""CustomerId"" + 0 >= 0)";
}

public sealed class UniqueIndexScenario : StallScenario
{
    public override string Name => "unique index";
    public override string PlainMigration => StallUniqueIndex.Id;
    public override string Sides => "both: scaffolded CreateIndex(\"IX_Orders_Reference\", unique: true)";
    public override string EndStateSql => IndexState("IX_Orders_Reference");
    public override string WrongRowsSql(long rows) => $@"
SET enable_seqscan = off; SET enable_bitmapscan = off;
SELECT (SELECT count(*) FROM ""Orders"" WHERE ""Reference"" >= '00000000-0000-0000-0000-000000000000') - (SELECT count(DISTINCT ""Reference"") FROM ""Orders"")";
}

public sealed class DropIndexScenario : StallScenario
{
    public override string Name => "drop index";
    public override string PlainMigration => StallDropIndex.Id;
    public override string Sides => "both: scaffolded DropIndex(\"IX_Orders_PlacedAt\")";
    public override string EndStateSql => IndexState("IX_Orders_PlacedAt");
}

public sealed class ForeignKeyScenario : StallScenario
{
    public override string Name => "add foreign key";
    public override string PlainMigration => StallForeignKey.Id;
    public override string Sides => "both: scaffolded AddForeignKey(Orders.CustomerId → Customers)";
    public override string EndStateSql => ConstraintState("FK_Orders_Customers_CustomerId");
    public override string WrongRowsSql(long rows)
        => @"SELECT count(*) FROM ""Orders"" o WHERE NOT EXISTS (SELECT 1 FROM ""Customers"" c WHERE c.""Id"" = o.""CustomerId"")";
}

public sealed class CheckScenario : StallScenario
{
    public override string Name => "add check";
    public override string PlainMigration => StallCheck.Id;
    public override string Sides => "both: scaffolded AddCheckConstraint(\"Total\" >= 0)";
    public override string EndStateSql => ConstraintState("CK_Orders_Total_NonNegative");
    public override string WrongRowsSql(long rows) => @"SELECT count(*) FROM ""Orders"" WHERE NOT (""Total"" >= 0)";
}

public sealed class SetNotNullScenario : StallScenario
{
    public override string Name => "SET NOT NULL";
    public override string PlainMigration => StallSetNotNull.Id;
    public override string Sides => "both: scaffolded AlterColumn(Status, nullable: false, defaultValue: \"\") (1% NULL)";
    public override string EndStateSql => ColumnState("Status");

    // Base rows with Id % 100 = 0 were NULL and must now be ''; the writers never write Status of base rows.
    public override string WrongRowsSql(long rows)
        => $@"SELECT count(*) FROM ""Orders"" WHERE ""Status"" IS NULL OR (""Id"" <= {rows} AND ""Status"" <> CASE WHEN ""Id"" % 100 = 0 THEN '' ELSE 'shipped' END)";
}

public sealed class VolatileDefaultScenario : StallScenario
{
    public override string Name => "volatile-default column";
    public override string PlainMigration => StallVolatileDefaultPlain.Id;
    public override string EngineMigration => StallVolatileDefaultFixed.Id;
    public override string Sides => "plain: AddColumn(PublicId uuid NOT NULL DEFAULT gen_random_uuid()); engine: SM0004 fix (nullable + default + Backfill + SetNotNullThroughCheck)";
    public override string EndStateSql => ColumnState("PublicId");
    public override string WrongRowsSql(long rows)
        => @"SELECT count(*) FILTER (WHERE ""PublicId"" IS NULL) + count(*) - count(DISTINCT ""PublicId"") FROM ""Orders""";
}

public sealed class IntToBigintScenario : StallScenario
{
    public override string Name => "int → bigint";
    public override string PlainMigration => StallIntToBigintPlain.Id;
    public override string EngineMigration => StallIntToBigintFixed.Id;
    public override string Sides => "plain: AlterColumn(Quantity integer → bigint); engine: SM0007 fix (new column + sync trigger + Backfill + SetNotNullThroughCheck + SwapColumns; contract drops the old)";
    public override string EndStateSql => ColumnState("Quantity");

    // Base rows the writers did not touch keep Id % 1000 (the harness checks the touched ones).
    public override string WrongRowsSql(long rows)
        => $@"SELECT count(*) FROM ""Orders"" WHERE ""Quantity"" IS NULL OR (""Id"" <= {rows} AND ""Id"" NOT IN (SELECT id FROM stall_written) AND ""Quantity"" <> ""Id"" % 1000)";
}

public sealed class RenameScenario : StallScenario
{
    public override string Name => "rename (dual write)";
    public override string PlainMigration => StallRenamePlain.Id;
    public override string EngineMigration => StallRenameFixed.Id;
    public override string Sides => "plain: RenameColumn(Note → Comment); engine: SM0011 fix, expand phase (Comment + two-way sync trigger + Backfill; the old app version keeps writing Note)";
    public override SafeMigrations.Engine.Applying.PhaseSelection EnginePhase => SafeMigrations.Engine.Applying.PhaseSelection.Expand;
    public override string NoteColumn => "Comment";
    public override string EndStateSql => ColumnState("Comment");
    public override string WrongRowsSql(long rows)
        => $@"SELECT count(*) FROM ""Orders"" WHERE ""Id"" <= {rows} AND ""Id"" NOT IN (SELECT id FROM stall_written) AND ""Comment"" IS DISTINCT FROM 'note ' || ""Id""";
}

public sealed class BackfillScenario : StallScenario
{
    public override string Name => "one-shot backfill";
    public override string PlainMigration => StallBackfillPlain.Id;
    public override string EngineMigration => StallBackfillFixed.Id;
    public override string Sides => "plain: Sql(UPDATE Orders SET Status = 'archived' WHERE PlacedAt < 2030) over every base row; engine: SM0015 fix (Backfill in keyset batches; the app's new rows are after 2030)";
    public override string EndStateSql => @"SELECT count(*) || ' rows archived' FROM ""Orders"" WHERE ""Status"" = 'archived'";
    public override string WrongRowsSql(long rows)
        => $@"SELECT count(*) FROM ""Orders"" WHERE ""Id"" <= {rows} AND ""Status"" IS DISTINCT FROM 'archived'";
}

public sealed class TimestampTzScenario : StallScenario
{
    public override string Name => "timestamp → timestamptz";
    public override string PlainMigration => StallTimestampTzPlain.Id;
    public override string EngineMigration => StallTimestampTzFixed.Id;
    public override string Sides => "plain: AlterColumn(PlacedAt timestamp → timestamptz, indexed); engine: SM0007 fix (SET LOCAL TimeZone = 'UTC' first)";
    public override string EndStateSql => ColumnState("PlacedAt") + " UNION ALL " + IndexState("IX_Orders_PlacedAt");
    public override string WrongRowsSql(long rows)
        => $@"SELECT count(*) FROM ""Orders"" WHERE ""Id"" <= {rows} AND ""Id"" NOT IN (SELECT id FROM stall_written)
AND extract(epoch FROM ""PlacedAt"") <> extract(epoch FROM timestamp '2020-01-01' + ""Id"" * interval '1 minute')";
}

public sealed class TimestampTzRawScenario : StallScenario
{
    private readonly TimestampTzScenario _alterColumn = new TimestampTzScenario();

    public override string Name => "raw SQL timestamp → timestamptz";
    public override string PlainMigration => StallTimestampTzRaw.Id;
    public override string Sides => "both: Sql(SET LOCAL TimeZone = 'UTC'), Sql(ALTER TABLE Orders ALTER COLUMN PlacedAt TYPE timestamptz) (indexed; the engine reads the old type at apply time)";
    public override string EndStateSql => _alterColumn.EndStateSql;
    public override string WrongRowsSql(long rows) => _alterColumn.WrongRowsSql(rows);
}
