using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SafeMigrations.Testing;

namespace SafeMigrations.Tests.Degradation;

// ---- a rename of a NOT NULL column with a DEFAULT: the two-way trigger takes the default over ----

public sealed class DefaultedRenameContext(DbContextOptions<DefaultedRenameContext> options) : ScenarioContext(options);

[DbContext(typeof(DefaultedRenameContext))]
[Migration("20250101000001_Seed")]
public sealed class DefaultedRenameSeed : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("""
            CREATE TABLE "Items" ("Id" bigint PRIMARY KEY, "Status" text NOT NULL DEFAULT 'draft', "Note" text);
            INSERT INTO "Items" SELECT g, 'seeded ' || g FROM generate_series(1, 500) g;
            """);
    }
}

[DbContext(typeof(DefaultedRenameContext))]
[Migration("20250101000002_StateExpand")]
public sealed class StateExpand : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>(name: "State", table: "Items", type: "text", nullable: true);
        migrationBuilder.CreateSyncTrigger(table: "Items", fromColumn: "Status", toColumn: "State", twoWay: true);
        migrationBuilder.Backfill(table: "Items", set: "\"State\" = \"Status\"", where: "\"State\" IS DISTINCT FROM \"Status\"");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropSyncTrigger(table: "Items", fromColumn: "Status", toColumn: "State");
        migrationBuilder.DropColumn(name: "State", table: "Items");
    }
}

/// <summary>
/// The two-way sync trigger under plain EF Core (<c>Database.Migrate()</c>, what <c>dotnet ef database update</c>
/// runs): the old column's DEFAULT no longer hides inserts made through the new column.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SyncTriggerDefaultsTests(PostgresServerFixture server)
{
    [Fact]
    public async Task Two_way_trigger_under_plain_EF_syncs_new_column_inserts_despite_the_old_columns_default_and_Down_gives_the_default_back()
    {
        await using var db = await server.CreateDatabaseAsync();

        await MigrateAsync(db);

        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM \"Items\" WHERE \"State\" IS DISTINCT FROM \"Status\""));
        // The new app version writes only State; the old column (NOT NULL, DEFAULT 'draft') gets the same value.
        await db.ExecuteAsync("INSERT INTO \"Items\" (\"Id\", \"State\") VALUES (1001, 'new app')");
        // The old app version writes only Status, or nothing: the default reaches both columns.
        await db.ExecuteAsync("INSERT INTO \"Items\" (\"Id\", \"Status\") VALUES (1002, 'old app')");
        await db.ExecuteAsync("INSERT INTO \"Items\" (\"Id\") VALUES (1003)");
        await db.ExecuteAsync("UPDATE \"Items\" SET \"State\" = 'moved by new' WHERE \"Id\" = 1");
        // Both named, the new one with the value it already holds: the new column still wins.
        await db.ExecuteAsync("UPDATE \"Items\" SET \"Status\" = 'conflicting old', \"State\" = \"State\" WHERE \"Id\" = 2");
        // The new version clears nothing it did not name: an UPDATE of another column leaves the pair as it is.
        await db.ExecuteAsync("UPDATE \"Items\" SET \"Note\" = 'other column' WHERE \"Id\" = 3");

        Assert.Equal("new app", await db.ScalarAsync<string>("SELECT \"Status\" FROM \"Items\" WHERE \"Id\" = 1001"));
        Assert.Equal("old app", await db.ScalarAsync<string>("SELECT \"State\" FROM \"Items\" WHERE \"Id\" = 1002"));
        Assert.Equal("draft", await db.ScalarAsync<string>("SELECT \"State\" FROM \"Items\" WHERE \"Id\" = 1003"));
        Assert.Equal("draft", await db.ScalarAsync<string>("SELECT \"Status\" FROM \"Items\" WHERE \"Id\" = 1003"));
        Assert.Equal("moved by new", await db.ScalarAsync<string>("SELECT \"Status\" FROM \"Items\" WHERE \"Id\" = 1"));
        Assert.Equal("seeded 2", await db.ScalarAsync<string>("SELECT \"Status\" FROM \"Items\" WHERE \"Id\" = 2"));
        Assert.Equal("seeded 3", await db.ScalarAsync<string>("SELECT \"State\" FROM \"Items\" WHERE \"Id\" = 3"));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM \"Items\" WHERE \"State\" IS DISTINCT FROM \"Status\""));
        Assert.Null(await db.ScalarAsync<string>("SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = '\"Items\"'::regclass"));

        // Down (what dotnet ef database update <previous> runs): trigger gone, default back on Status.
        await MigrateAsync(db, "20250101000001_Seed");

        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM pg_trigger WHERE tgrelid = '\"Items\"'::regclass AND NOT tgisinternal"));
        Assert.Equal("'draft'::text", await db.ScalarAsync<string>("SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = '\"Items\"'::regclass AND a.attname = 'Status'"));
        await db.ExecuteAsync("INSERT INTO \"Items\" (\"Id\") VALUES (1004)");
        Assert.Equal("draft", await db.ScalarAsync<string>("SELECT \"Status\" FROM \"Items\" WHERE \"Id\" = 1004"));
    }

    private static async Task MigrateAsync(TestDatabase db, string? targetMigration = null)
    {
        var options = new DbContextOptionsBuilder<DefaultedRenameContext>()
            .UseNpgsql(db.ConnectionString)
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning))
            .Options;
        await using var context = new DefaultedRenameContext(options);
        await context.GetService<IMigrator>().MigrateAsync(targetMigration);
    }
}
