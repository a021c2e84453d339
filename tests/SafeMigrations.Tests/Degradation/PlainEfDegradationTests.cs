using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using SafeMigrations.Testing;

namespace SafeMigrations.Tests.Degradation;

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "postgres";
}

/// <summary>
/// Graceful degradation: migrations written with the safe steps, applied by plain EF Core (<c>Database.Migrate()</c>,
/// no engine) on seeded tables, reach the intended schema and data.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PlainEfDegradationTests(PostgresServerFixture server)
{
    [Fact]
    public async Task Foreign_key_and_check_added_not_valid_end_up_validated_and_indexes_concurrently_built_and_dropped()
    {
        await using var db = await server.CreateDatabaseAsync();

        await MigrateAsync<ConstraintsContext>(db);

        Assert.True(await db.ScalarAsync<bool>("SELECT convalidated FROM pg_constraint WHERE conname = 'FK_Orders_Customers_CustomerId'"));
        Assert.Equal("c", await db.ScalarAsync<string>("SELECT confdeltype::text FROM pg_constraint WHERE conname = 'FK_Orders_Customers_CustomerId'"));
        Assert.True(await db.ScalarAsync<bool>("SELECT convalidated FROM pg_constraint WHERE conname = 'CK_Orders_Qty'"));
        Assert.True(await IndexIsValidAsync(db, "IX_Customers_Email_lower"));
        Assert.True(await IndexIsValidAsync(db, "IX_Orders_Gifts"));
        Assert.Contains("WHERE", await db.ScalarAsync<string>("SELECT pg_get_indexdef('\"IX_Orders_Gifts\"'::regclass)"), StringComparison.Ordinal);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'IX_Orders_Qty'"));

        // The constraints are enforced.
        var orphan = await Assert.ThrowsAsync<PostgresException>(() => db.ExecuteAsync("INSERT INTO \"Orders\" VALUES (999999, 424242, 1, NULL)"));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, orphan.SqlState);
        var negative = await Assert.ThrowsAsync<PostgresException>(() => db.ExecuteAsync("INSERT INTO \"Orders\" VALUES (999999, 1, -1, NULL)"));
        Assert.Equal(PostgresErrorCodes.CheckViolation, negative.SqlState);
        var duplicate = await Assert.ThrowsAsync<PostgresException>(() => db.ExecuteAsync("INSERT INTO \"Customers\" VALUES (999999, 'USER1@example.com', 'x')"));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, duplicate.SqlState);
    }

    [Fact]
    public async Task Primary_key_and_unique_constraint_are_attached_to_the_concurrently_built_indexes()
    {
        await using var db = await server.CreateDatabaseAsync();

        await MigrateAsync<UsingIndexContext>(db);

        Assert.Equal("p", await ConstraintTypeAsync(db, "PK_Tags"));
        Assert.Equal("u", await ConstraintTypeAsync(db, "AK_Customers_Email"));
        Assert.Equal("PK_Tags", await db.ScalarAsync<string>("SELECT i.relname FROM pg_constraint k JOIN pg_class i ON i.oid = k.conindid WHERE k.conname = 'PK_Tags'"));
        Assert.Equal("AK_Customers_Email", await db.ScalarAsync<string>("SELECT i.relname FROM pg_constraint k JOIN pg_class i ON i.oid = k.conindid WHERE k.conname = 'AK_Customers_Email'"));
        Assert.True(await IndexIsValidAsync(db, "PK_Tags"));
        Assert.True(await IndexIsValidAsync(db, "AK_Customers_Email"));
        Assert.Equal((long)SeedMigration.Tags, await db.ScalarAsync<long>("SELECT count(*) FROM \"Tags\""));
    }

    [Fact]
    public async Task Backfill_then_not_null_through_check_fills_every_row_and_leaves_no_helper_constraint()
    {
        await using var db = await server.CreateDatabaseAsync();

        await MigrateAsync<BackfillContext>(db);

        Assert.True(await ColumnIsNotNullAsync(db, "Customers", "EmailLower"));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM \"Customers\" WHERE \"EmailLower\" IS DISTINCT FROM lower(\"Email\")"));
        Assert.Equal((long)SeedMigration.Customers, await db.ScalarAsync<long>("SELECT count(*) FROM \"Customers\""));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM pg_constraint WHERE conname = 'CK_Customers_EmailLower_not_null'"));
    }

    [Fact]
    public async Task Two_way_sync_trigger_keeps_both_columns_equal_from_either_side_and_the_contract_removes_it()
    {
        await using var db = await server.CreateDatabaseAsync();

        await MigrateAsync<RenameColumnContext>(db, "20250101000002_FullNameExpand");

        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM \"Customers\" WHERE \"FullName\" IS DISTINCT FROM \"Name\""));

        // The old application writes Name, the new one FullName; each sees the other's writes.
        await db.ExecuteAsync("INSERT INTO \"Customers\" (\"Id\", \"Name\") VALUES (10001, 'old app')");
        await db.ExecuteAsync("INSERT INTO \"Customers\" (\"Id\", \"FullName\") VALUES (10002, 'new app')");
        await db.ExecuteAsync("UPDATE \"Customers\" SET \"Name\" = 'renamed by old' WHERE \"Id\" = 1");
        await db.ExecuteAsync("UPDATE \"Customers\" SET \"FullName\" = 'renamed by new' WHERE \"Id\" = 2");
        await db.ExecuteAsync("UPDATE \"Customers\" SET \"Email\" = 'other column' WHERE \"Id\" = 3");

        Assert.Equal("old app", await db.ScalarAsync<string>("SELECT \"FullName\" FROM \"Customers\" WHERE \"Id\" = 10001"));
        Assert.Equal("new app", await db.ScalarAsync<string>("SELECT \"Name\" FROM \"Customers\" WHERE \"Id\" = 10002"));
        Assert.Equal("renamed by old", await db.ScalarAsync<string>("SELECT \"FullName\" FROM \"Customers\" WHERE \"Id\" = 1"));
        Assert.Equal("renamed by new", await db.ScalarAsync<string>("SELECT \"Name\" FROM \"Customers\" WHERE \"Id\" = 2"));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM \"Customers\" WHERE \"FullName\" IS DISTINCT FROM \"Name\""));

        await MigrateAsync<RenameColumnContext>(db);

        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM pg_trigger WHERE tgrelid = '\"Customers\"'::regclass AND NOT tgisinternal"));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM pg_proc WHERE proname LIKE 'sync_%'"));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM information_schema.columns WHERE table_name = 'Customers' AND column_name = 'Name'"));
        Assert.Equal("renamed by new", await db.ScalarAsync<string>("SELECT \"FullName\" FROM \"Customers\" WHERE \"Id\" = 2"));
    }

    [Fact]
    public async Task Type_change_through_sync_backfill_and_swap_keeps_the_data_and_the_old_column_filled_until_contract()
    {
        await using var db = await server.CreateDatabaseAsync();

        await MigrateAsync<TypeChangeContext>(db, "20250101000002_QtyBigintFill");

        // Before the swap the old application still writes only Qty; the trigger fills the new NOT NULL column.
        await db.ExecuteAsync("INSERT INTO \"Orders\" (\"Id\", \"CustomerId\", \"Qty\") VALUES (20001, 1, 42)");
        await db.ExecuteAsync("UPDATE \"Orders\" SET \"Qty\" = 7 WHERE \"Id\" = 1");
        Assert.Equal(42L, await db.ScalarAsync<long>("SELECT \"QtyNew\" FROM \"Orders\" WHERE \"Id\" = 20001"));
        Assert.Equal(7L, await db.ScalarAsync<long>("SELECT \"QtyNew\" FROM \"Orders\" WHERE \"Id\" = 1"));
        Assert.True(await ColumnIsNotNullAsync(db, "Orders", "QtyNew"));

        await MigrateAsync<TypeChangeContext>(db, "20250101000003_QtyBigintSwap");

        Assert.Equal("bigint", await ColumnTypeAsync(db, "Orders", "Qty"));
        Assert.Equal("integer", await ColumnTypeAsync(db, "Orders", "Qty_old"));
        Assert.True(await ColumnIsNotNullAsync(db, "Orders", "Qty"));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM \"Orders\" WHERE \"Qty\" IS DISTINCT FROM \"Qty_old\"::bigint"));
        Assert.Equal(SeedMigration.Orders + 1L, await db.ScalarAsync<long>("SELECT count(*) FROM \"Orders\""));

        // After the swap the new application writes Qty (bigint); the reverse trigger keeps Qty_old (NOT NULL) filled.
        await db.ExecuteAsync("INSERT INTO \"Orders\" (\"Id\", \"CustomerId\", \"Qty\") VALUES (20002, 1, 5)");
        await db.ExecuteAsync("UPDATE \"Orders\" SET \"Qty\" = 9 WHERE \"Id\" = 2");
        Assert.Equal(5, await db.ScalarAsync<int>("SELECT \"Qty_old\" FROM \"Orders\" WHERE \"Id\" = 20002"));
        Assert.Equal(9, await db.ScalarAsync<int>("SELECT \"Qty_old\" FROM \"Orders\" WHERE \"Id\" = 2"));

        await MigrateAsync<TypeChangeContext>(db);

        Assert.Null(await ColumnTypeAsync(db, "Orders", "Qty_old"));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM pg_trigger WHERE tgrelid = '\"Orders\"'::regclass AND NOT tgisinternal"));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM pg_proc WHERE proname LIKE 'sync_%'"));
        await db.ExecuteAsync("INSERT INTO \"Orders\" (\"Id\", \"CustomerId\", \"Qty\") VALUES (20003, 1, 5000000000)");
    }

    [Fact]
    public async Task Compatibility_view_serves_the_old_table_name_until_the_contract_drops_it()
    {
        await using var db = await server.CreateDatabaseAsync();

        await MigrateAsync<RenameTableContext>(db, "20250101000002_ClientsExpand");

        Assert.Equal((long)SeedMigration.Customers, await db.ScalarAsync<long>("SELECT count(*) FROM \"Customers\""));
        await db.ExecuteAsync("INSERT INTO \"Customers\" (\"Id\", \"Email\", \"Name\") VALUES (30001, 'via@view', 'old app')");
        await db.ExecuteAsync("UPDATE \"Customers\" SET \"Name\" = 'updated via view' WHERE \"Id\" = 1");
        await db.ExecuteAsync("DELETE FROM \"Customers\" WHERE \"Id\" = 2");
        Assert.Equal("old app", await db.ScalarAsync<string>("SELECT \"Name\" FROM \"Clients\" WHERE \"Id\" = 30001"));
        Assert.Equal("updated via view", await db.ScalarAsync<string>("SELECT \"Name\" FROM \"Clients\" WHERE \"Id\" = 1"));
        Assert.Equal((long)SeedMigration.Customers, await db.ScalarAsync<long>("SELECT count(*) FROM \"Clients\""));

        await MigrateAsync<RenameTableContext>(db);

        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'Customers'"));
        Assert.Equal((long)SeedMigration.Customers, await db.ScalarAsync<long>("SELECT count(*) FROM \"Clients\""));
    }

    [Fact]
    public async Task Odd_and_long_identifiers_in_a_quoted_schema_work_end_to_end_with_the_generated_names_kept_exactly()
    {
        await using var db = await server.CreateDatabaseAsync();
        var create = new OddNamesExpand().UpOperations.First(o => Equals(o[SafeMigrationsAnnotations.Step], SafeMigrationSteps.CreateSyncTrigger));
        string trigger = (string)create[SafeMigrationsAnnotations.TriggerName]!;
        string function = (string)create[SafeMigrationsAnnotations.FunctionName]!;
        const string table = "\"we\"\"ird schema\".\"Customer \"\"Accounts\"\" with a deliberately long name\"";
        const string view = "\"we\"\"ird schema\".\"Old \"\"Accounts\"\"\"";

        await MigrateAsync<OddNamesContext>(db, "20250101000002_OddExpand");

        // The server stored the generated names unchanged: they were already short enough not to be truncated.
        Assert.Equal(1L, await db.ScalarAsync<long>($"SELECT count(*) FROM pg_trigger WHERE tgname = '{trigger.Replace("'", "''")}' AND tgrelid = '{table.Replace("'", "''")}'::regclass"));
        Assert.Equal(1L, await db.ScalarAsync<long>($"SELECT count(*) FROM pg_proc WHERE proname = '{function.Replace("'", "''")}'"));
        Assert.True(await db.ScalarAsync<bool>($"SELECT attnotnull FROM pg_attribute WHERE attrelid = '{table.Replace("'", "''")}'::regclass AND attname = '{OddNames.Replacement}'"));
        Assert.Equal("u", await db.ScalarAsync<string>("SELECT contype::text FROM pg_constraint WHERE conname = 'AK_odd \"replacement\"'"));
        Assert.Equal(1000L, await db.ScalarAsync<long>($"SELECT count(*) FROM {view}"));

        await db.ExecuteAsync($"INSERT INTO {view} (\"Id\", \"{OddNames.Column.Replace("\"", "\"\"")}\") VALUES (5000, 'through the view')");
        Assert.Equal("through the view", await db.ScalarAsync<string>($"SELECT \"{OddNames.Replacement.Replace("\"", "\"\"")}\" FROM {table} WHERE \"Id\" = 5000"));

        await MigrateAsync<OddNamesContext>(db);

        Assert.Equal(0L, await db.ScalarAsync<long>($"SELECT count(*) FROM pg_trigger WHERE tgrelid = '{table.Replace("'", "''")}'::regclass AND NOT tgisinternal"));
        Assert.Equal(0L, await db.ScalarAsync<long>($"SELECT count(*) FROM pg_proc WHERE proname = '{function.Replace("'", "''")}'"));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'Old \"Accounts\"'"));
    }

    private static async Task MigrateAsync<TContext>(TestDatabase db, string? targetMigration = null)
        where TContext : DbContext
    {
        var options = new DbContextOptionsBuilder<TContext>()
            .UseNpgsql(db.ConnectionString)
            // The scenario contexts map no entities: their migrations are the whole point, not a model.
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning))
            .Options;
        await using var context = (TContext)Activator.CreateInstance(typeof(TContext), options)!;
        await context.GetService<IMigrator>().MigrateAsync(targetMigration);
    }

    private static Task<bool> IndexIsValidAsync(TestDatabase db, string index)
        => db.ScalarAsync<bool>($"SELECT indisvalid FROM pg_index WHERE indexrelid = '\"{index}\"'::regclass");

    private static Task<string?> ConstraintTypeAsync(TestDatabase db, string constraint)
        => db.ScalarAsync<string>($"SELECT contype::text FROM pg_constraint WHERE conname = '{constraint}'");

    private static Task<bool> ColumnIsNotNullAsync(TestDatabase db, string table, string column)
        => db.ScalarAsync<bool>($"SELECT attnotnull FROM pg_attribute WHERE attrelid = '\"{table}\"'::regclass AND attname = '{column}'");

    private static Task<string?> ColumnTypeAsync(TestDatabase db, string table, string column)
        => db.ScalarAsync<string>($"SELECT data_type FROM information_schema.columns WHERE table_name = '{table}' AND column_name = '{column}'");
}
