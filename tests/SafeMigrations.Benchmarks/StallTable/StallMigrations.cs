using System;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace SafeMigrations.Benchmarks.StallTable;

// Each scenario's migration as `dotnet ef migrations add` scaffolds it (Plain), and where the engine needs the code
// fix's form, that form as the SafeMigrations code fix writes it (Fixed). Up only: the benchmark never goes down.

[DbContext(typeof(StallContext))]
[Migration(Id)]
public sealed class StallCreateIndex : Migration
{
    public const string Id = "20250201000001_CreateIndex";

    protected override void Up(MigrationBuilder migrationBuilder)
        => migrationBuilder.CreateIndex(name: "IX_Orders_CustomerId", table: "Orders", column: "CustomerId");
}

[DbContext(typeof(StallContext))]
[Migration(Id)]
public sealed class StallUniqueIndex : Migration
{
    public const string Id = "20250201000002_UniqueIndex";

    protected override void Up(MigrationBuilder migrationBuilder)
        => migrationBuilder.CreateIndex(name: "IX_Orders_Reference", table: "Orders", column: "Reference", unique: true);
}

[DbContext(typeof(StallContext))]
[Migration(Id)]
public sealed class StallDropIndex : Migration
{
    public const string Id = "20250201000003_DropIndex";

    protected override void Up(MigrationBuilder migrationBuilder)
        => migrationBuilder.DropIndex(name: "IX_Orders_PlacedAt", table: "Orders");
}

[DbContext(typeof(StallContext))]
[Migration(Id)]
public sealed class StallForeignKey : Migration
{
    public const string Id = "20250201000004_ForeignKey";

    protected override void Up(MigrationBuilder migrationBuilder)
        => migrationBuilder.AddForeignKey(
            name: "FK_Orders_Customers_CustomerId",
            table: "Orders",
            column: "CustomerId",
            principalTable: "Customers",
            principalColumn: "Id",
            onDelete: ReferentialAction.Cascade);
}

[DbContext(typeof(StallContext))]
[Migration(Id)]
public sealed class StallCheck : Migration
{
    public const string Id = "20250201000005_Check";

    protected override void Up(MigrationBuilder migrationBuilder)
        => migrationBuilder.AddCheckConstraint(name: "CK_Orders_Total_NonNegative", table: "Orders", sql: "\"Total\" >= 0");
}

[DbContext(typeof(StallContext))]
[Migration(Id)]
public sealed class StallSetNotNull : Migration
{
    public const string Id = "20250201000006_SetNotNull";

    protected override void Up(MigrationBuilder migrationBuilder)
        => migrationBuilder.AlterColumn<string>(
            name: "Status",
            table: "Orders",
            type: "text",
            nullable: false,
            defaultValue: "",
            oldClrType: typeof(string),
            oldType: "text",
            oldNullable: true);
}

[DbContext(typeof(StallContext))]
[Migration(Id)]
public sealed class StallVolatileDefaultPlain : Migration
{
    public const string Id = "20250201000007_VolatileDefaultPlain";

    protected override void Up(MigrationBuilder migrationBuilder)
        => migrationBuilder.AddColumn<Guid>(name: "PublicId", table: "Orders", type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()");
}

[DbContext(typeof(StallContext))]
[Migration(Id)]
public sealed class StallVolatileDefaultFixed : Migration
{
    public const string Id = "20250201000008_VolatileDefaultFixed";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<Guid>(name: "PublicId", table: "Orders", type: "uuid", nullable: true);
        migrationBuilder.AlterColumn<Guid>(
            name: "PublicId",
            table: "Orders",
            type: "uuid",
            nullable: true,
            defaultValueSql: "gen_random_uuid()",
            oldType: "uuid",
            oldNullable: true);
        migrationBuilder.Backfill(table: "Orders", column: "PublicId", value: "DEFAULT", where: @"""PublicId"" IS NULL");
        migrationBuilder.SetNotNullThroughCheck(column: "PublicId", table: "Orders");
    }
}

[DbContext(typeof(StallContext))]
[Migration(Id)]
public sealed class StallIntToBigintPlain : Migration
{
    public const string Id = "20250201000009_IntToBigintPlain";

    protected override void Up(MigrationBuilder migrationBuilder)
        => migrationBuilder.AlterColumn<long>(name: "Quantity", table: "Orders", type: "bigint", nullable: false, oldClrType: typeof(int), oldType: "integer");
}

[DbContext(typeof(StallContext))]
[Migration(Id)]
public sealed class StallIntToBigintFixed : Migration
{
    public const string Id = "20250201000010_IntToBigintFixed";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<long>(name: "Quantity_new", table: "Orders", type: "bigint", nullable: true);
        migrationBuilder.CreateSyncTrigger(table: "Orders", fromColumn: "Quantity", toColumn: "Quantity_new", convertSql: @"NEW.""Quantity""::bigint");
        migrationBuilder.Backfill(table: "Orders", set: @"""Quantity_new"" = ""Quantity""::bigint", where: @"""Quantity_new"" IS NULL AND ""Quantity"" IS NOT NULL");
        migrationBuilder.SetNotNullThroughCheck(column: "Quantity_new", table: "Orders");
        migrationBuilder.SwapColumns(table: "Orders", column: "Quantity", replacementColumn: "Quantity_new");
        migrationBuilder.DropSyncTrigger(table: "Orders", fromColumn: "Quantity", toColumn: "Quantity_old").InContractPhase();
        migrationBuilder.DropColumn(name: "Quantity_old", table: "Orders").InContractPhase();
    }
}

[DbContext(typeof(StallContext))]
[Migration(Id)]
public sealed class StallRenamePlain : Migration
{
    public const string Id = "20250201000011_RenamePlain";

    protected override void Up(MigrationBuilder migrationBuilder)
        => migrationBuilder.RenameColumn(name: "Note", table: "Orders", newName: "Comment");
}

[DbContext(typeof(StallContext))]
[Migration(Id)]
public sealed class StallRenameFixed : Migration
{
    public const string Id = "20250201000012_RenameFixed";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AddColumn<string>(name: "Comment", table: "Orders", type: "text", nullable: true);
        migrationBuilder.CreateSyncTrigger(table: "Orders", fromColumn: "Note", toColumn: "Comment", twoWay: true);
        migrationBuilder.Backfill(table: "Orders", set: @"""Comment"" = ""Note""", where: @"""Comment"" IS DISTINCT FROM ""Note""");
        migrationBuilder.DropSyncTrigger(table: "Orders", fromColumn: "Note", toColumn: "Comment").InContractPhase();
        migrationBuilder.DropColumn(name: "Note", table: "Orders").InContractPhase();
    }
}

[DbContext(typeof(StallContext))]
[Migration(Id)]
public sealed class StallBackfillPlain : Migration
{
    public const string Id = "20250201000013_BackfillPlain";

    protected override void Up(MigrationBuilder migrationBuilder)
        => migrationBuilder.Sql(@"UPDATE ""Orders"" SET ""Status"" = 'archived' WHERE ""PlacedAt"" < '2030-01-01';");
}

[DbContext(typeof(StallContext))]
[Migration(Id)]
public sealed class StallBackfillFixed : Migration
{
    public const string Id = "20250201000014_BackfillFixed";

    protected override void Up(MigrationBuilder migrationBuilder)
        => migrationBuilder.Backfill(table: "Orders", set: @"""Status"" = 'archived'", where: @"(""PlacedAt"" < '2030-01-01') AND (""Status"" IS DISTINCT FROM ('archived'))");
}

[DbContext(typeof(StallContext))]
[Migration(Id)]
public sealed class StallTimestampTzPlain : Migration
{
    public const string Id = "20250201000015_TimestampTzPlain";

    protected override void Up(MigrationBuilder migrationBuilder)
        => migrationBuilder.AlterColumn<DateTime>(name: "PlacedAt", table: "Orders", type: "timestamp with time zone", nullable: false, oldClrType: typeof(DateTime), oldType: "timestamp without time zone");
}

[DbContext(typeof(StallContext))]
[Migration(Id)]
public sealed class StallTimestampTzFixed : Migration
{
    public const string Id = "20250201000016_TimestampTzFixed";

    protected override void Up(MigrationBuilder migrationBuilder)
    {
        // Valid only when the stored timestamps are UTC: with TimeZone UTC, PostgreSQL 12+ changes timestamp <-> timestamptz without rewriting the table.
        migrationBuilder.Sql("SET LOCAL TimeZone = 'UTC'");
        migrationBuilder.AlterColumn<DateTime>(name: "PlacedAt", table: "Orders", type: "timestamp with time zone", nullable: false, oldClrType: typeof(DateTime), oldType: "timestamp without time zone");
    }
}

[DbContext(typeof(StallContext))]
[Migration(Id)]
public sealed class StallTimestampTzRaw : Migration
{
    public const string Id = "20250201000017_TimestampTzRaw";

    // Hand-written SQL: the engine reads the old type at apply time (the statement does not say it).
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.Sql("SET LOCAL TimeZone = 'UTC'");
        migrationBuilder.Sql(@"ALTER TABLE ""Orders"" ALTER COLUMN ""PlacedAt"" TYPE timestamptz");
    }
}
