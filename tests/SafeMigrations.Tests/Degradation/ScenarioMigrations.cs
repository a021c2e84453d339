using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

// Small EF Core migrations that use the safe steps, one DbContext per scenario so that each test's
// Database.Migrate() finds only its own migrations. Every scenario starts from the same seeded tables.
namespace SafeMigrations.Tests.Degradation;

public abstract class ScenarioContext : DbContext
{
    protected ScenarioContext(DbContextOptions options)
        : base(options)
    {
    }
}

/// <summary>Customers (3,000 rows), Orders (5,000 rows, an index on Qty) and Tags (2,000 rows, no key).</summary>
public abstract class SeedMigration : Migration
{
    public const int Customers = 3000;
    public const int Orders = 5000;
    public const int Tags = 2000;

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql($"""
            CREATE TABLE "Customers" ("Id" bigint PRIMARY KEY, "Email" text, "Name" text);
            INSERT INTO "Customers" SELECT g, 'User' || g || '@Example.COM', 'Name ' || g FROM generate_series(1, {Customers}) g;
            CREATE TABLE "Orders" ("Id" bigint PRIMARY KEY, "CustomerId" bigint NOT NULL, "Qty" integer NOT NULL, "Note" text);
            INSERT INTO "Orders" SELECT g, 1 + g % {Customers}, g % 97, CASE WHEN g % 10 = 0 THEN 'gift' END FROM generate_series(1, {Orders}) g;
            CREATE INDEX "IX_Orders_Qty" ON "Orders" ("Qty");
            CREATE TABLE "Tags" ("Code" text NOT NULL, "Label" text);
            INSERT INTO "Tags" SELECT 'tag-' || g, 'Tag ' || g FROM generate_series(1, {Tags}) g;
            """);
    }
}

// ---- constraints and indexes ----

public sealed class ConstraintsContext(DbContextOptions<ConstraintsContext> options) : ScenarioContext(options);

[DbContext(typeof(ConstraintsContext))]
[Migration("20250101000001_Seed")]
public sealed class ConstraintsSeed : SeedMigration;

[DbContext(typeof(ConstraintsContext))]
[Migration("20250101000002_ConstraintsAndIndexes")]
public sealed class ConstraintsAndIndexes : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddForeignKeyNotValid(
            name: "FK_Orders_Customers_CustomerId", table: "Orders", column: "CustomerId", principalTable: "Customers",
            onDelete: ReferentialAction.Cascade);
        migrationBuilder.ValidateConstraint(name: "FK_Orders_Customers_CustomerId", table: "Orders");

        migrationBuilder.AddCheckConstraintNotValid(name: "CK_Orders_Qty", table: "Orders", sql: "\"Qty\" >= 0");
        migrationBuilder.ValidateConstraint(name: "CK_Orders_Qty", table: "Orders");

        migrationBuilder.CreateExpressionIndexConcurrently(
            name: "IX_Customers_Email_lower", table: "Customers", expression: "lower(\"Email\")", unique: true);
        migrationBuilder.CreateIndexConcurrently(
            name: "IX_Orders_Gifts", table: "Orders", columns: new[] { "CustomerId" }, filter: "\"Note\" = 'gift'");
        migrationBuilder.DropIndexConcurrently(name: "IX_Orders_Qty", table: "Orders");
    }
}

// ---- unique constraint and primary key through an index ----

public sealed class UsingIndexContext(DbContextOptions<UsingIndexContext> options) : ScenarioContext(options);

[DbContext(typeof(UsingIndexContext))]
[Migration("20250101000001_Seed")]
public sealed class UsingIndexSeed : SeedMigration;

[DbContext(typeof(UsingIndexContext))]
[Migration("20250101000002_KeysThroughIndexes")]
public sealed class KeysThroughIndexes : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddPrimaryKeyUsingIndex(name: "PK_Tags", table: "Tags", column: "Code");
        migrationBuilder.AddUniqueConstraintUsingIndex(name: "AK_Customers_Email", table: "Customers", column: "Email");
    }
}

// ---- backfill then NOT NULL ----

public sealed class BackfillContext(DbContextOptions<BackfillContext> options) : ScenarioContext(options);

[DbContext(typeof(BackfillContext))]
[Migration("20250101000001_Seed")]
public sealed class BackfillSeed : SeedMigration;

[DbContext(typeof(BackfillContext))]
[Migration("20250101000002_EmailLower")]
public sealed class EmailLower : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>(name: "EmailLower", table: "Customers", type: "text", nullable: true);
        migrationBuilder.Backfill(
            table: "Customers", column: "EmailLower", value: "lower(\"Email\")", where: "\"EmailLower\" IS NULL", batchSize: 500);
        migrationBuilder.SetNotNullThroughCheck(column: "EmailLower", table: "Customers");
    }
}

// ---- column rename: two-way sync (expand), drop the old column (contract) ----

public sealed class RenameColumnContext(DbContextOptions<RenameColumnContext> options) : ScenarioContext(options);

[DbContext(typeof(RenameColumnContext))]
[Migration("20250101000001_Seed")]
public sealed class RenameColumnSeed : SeedMigration;

[DbContext(typeof(RenameColumnContext))]
[Migration("20250101000002_FullNameExpand")]
public sealed class FullNameExpand : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>(name: "FullName", table: "Customers", type: "text", nullable: true);
        migrationBuilder.CreateSyncTrigger(table: "Customers", fromColumn: "Name", toColumn: "FullName", twoWay: true);
        migrationBuilder.Backfill(
            table: "Customers", set: "\"FullName\" = \"Name\"", where: "\"FullName\" IS DISTINCT FROM \"Name\"");
    }
}

[DbContext(typeof(RenameColumnContext))]
[Migration("20250101000003_FullNameContract")]
[ContractPhase]
public sealed class FullNameContract : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropSyncTrigger(table: "Customers", fromColumn: "Name", toColumn: "FullName");
        migrationBuilder.DropColumn(name: "Name", table: "Customers");
    }
}

// ---- type change int -> bigint: new column, sync, backfill, NOT NULL, swap; contract drops the old column ----

public sealed class TypeChangeContext(DbContextOptions<TypeChangeContext> options) : ScenarioContext(options);

[DbContext(typeof(TypeChangeContext))]
[Migration("20250101000001_Seed")]
public sealed class TypeChangeSeed : SeedMigration;

[DbContext(typeof(TypeChangeContext))]
[Migration("20250101000002_QtyBigintFill")]
public sealed class QtyBigintFill : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<long>(name: "QtyNew", table: "Orders", type: "bigint", nullable: true);
        migrationBuilder.CreateSyncTrigger(table: "Orders", fromColumn: "Qty", toColumn: "QtyNew", convertSql: "NEW.\"Qty\"::bigint");
        migrationBuilder.Backfill(table: "Orders", column: "QtyNew", value: "\"Qty\"::bigint", where: "\"QtyNew\" IS NULL");
        migrationBuilder.SetNotNullThroughCheck(column: "QtyNew", table: "Orders");
    }
}

[DbContext(typeof(TypeChangeContext))]
[Migration("20250101000003_QtyBigintSwap")]
public sealed class QtyBigintSwap : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.SwapColumns(table: "Orders", column: "Qty", replacementColumn: "QtyNew", reverseConvertSql: "NEW.\"Qty\"::integer");
    }
}

[DbContext(typeof(TypeChangeContext))]
[Migration("20250101000004_QtyBigintContract")]
public sealed class QtyBigintContract : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropSyncTrigger(table: "Orders", fromColumn: "Qty", toColumn: "Qty_old").InContractPhase();
        migrationBuilder.DropColumn(name: "Qty_old", table: "Orders").InContractPhase();
    }
}

// ---- table rename: compatibility view (expand), dropped in the contract phase ----

public sealed class RenameTableContext(DbContextOptions<RenameTableContext> options) : ScenarioContext(options);

[DbContext(typeof(RenameTableContext))]
[Migration("20250101000001_Seed")]
public sealed class RenameTableSeed : SeedMigration;

[DbContext(typeof(RenameTableContext))]
[Migration("20250101000002_ClientsExpand")]
public sealed class ClientsExpand : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.RenameTable(name: "Customers", newName: "Clients");
        migrationBuilder.CreateCompatibilityView(viewName: "Customers", table: "Clients");
    }
}

[DbContext(typeof(RenameTableContext))]
[Migration("20250101000003_ClientsContract")]
public sealed class ClientsContract : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropCompatibilityView(viewName: "Customers").InContractPhase();
    }
}

// ---- odd identifiers: a quoted schema, quotes and spaces in names, generated names past 63 bytes ----

public sealed class OddNamesContext(DbContextOptions<OddNamesContext> options) : ScenarioContext(options);

public static class OddNames
{
    public const string Schema = "we\"ird schema";
    public const string Table = "Customer \"Accounts\" with a deliberately long name";
    public const string Column = "Émail \"primary\" with a long column name";
    public const string Replacement = "Émail \"primary\" normalized copy, also long";
}

[DbContext(typeof(OddNamesContext))]
[Migration("20250101000001_OddSeed")]
public sealed class OddNamesSeed : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.EnsureSchema(OddNames.Schema);
        migrationBuilder.CreateTable(
            name: OddNames.Table,
            schema: OddNames.Schema,
            columns: t => new
            {
                Id = t.Column<long>(type: "bigint", nullable: false),
                Value = t.Column<string>(name: OddNames.Column, type: "text", nullable: true),
            },
            constraints: t => t.PrimaryKey("PK_odd", x => x.Id));
        migrationBuilder.Sql(
            "INSERT INTO \"we\"\"ird schema\".\"Customer \"\"Accounts\"\" with a deliberately long name\" " +
            "SELECT g, 'Mail' || g FROM generate_series(1, 1000) g;");
    }
}

[DbContext(typeof(OddNamesContext))]
[Migration("20250101000002_OddExpand")]
public sealed class OddNamesExpand : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>(name: OddNames.Replacement, table: OddNames.Table, schema: OddNames.Schema, type: "text", nullable: true);
        migrationBuilder.CreateSyncTrigger(
            table: OddNames.Table, fromColumn: OddNames.Column, toColumn: OddNames.Replacement, twoWay: true, schema: OddNames.Schema);
        migrationBuilder.Backfill(
            table: OddNames.Table,
            column: OddNames.Replacement,
            value: "\"Émail \"\"primary\"\" with a long column name\"",
            where: "\"Émail \"\"primary\"\" normalized copy, also long\" IS NULL",
            schema: OddNames.Schema);
        migrationBuilder.SetNotNullThroughCheck(column: OddNames.Replacement, table: OddNames.Table, schema: OddNames.Schema);
        migrationBuilder.AddUniqueConstraintUsingIndex(
            name: "AK_odd \"replacement\"", table: OddNames.Table, column: OddNames.Replacement, schema: OddNames.Schema);
        migrationBuilder.CreateCompatibilityView(viewName: "Old \"Accounts\"", table: OddNames.Table, schema: OddNames.Schema);
    }
}

[DbContext(typeof(OddNamesContext))]
[Migration("20250101000003_OddContract")]
[ContractPhase]
public sealed class OddNamesContract : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropSyncTrigger(
            table: OddNames.Table, fromColumn: OddNames.Column, toColumn: OddNames.Replacement, schema: OddNames.Schema);
        migrationBuilder.DropCompatibilityView(viewName: "Old \"Accounts\"", schema: OddNames.Schema);
    }
}
