using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SafeMigrations;

namespace SafeMigrations.Engine.Tests.SwapUndo
{
    /// <summary>A stock table (created by the test) whose integer quantity becomes bigint by the DESIGN.md recipe.</summary>
    public sealed class StockContext : DbContext
    {
        public StockContext(DbContextOptions<StockContext> options)
            : base(options)
        {
        }

        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
            => optionsBuilder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    /// <summary>
    /// int → bigint: new column, forward sync, batched backfill, NOT NULL through a check, swap; the contract drops the
    /// reverse sync and the old column. The reverse conversion leaves the old column NULL for a value int cannot hold
    /// (so the new app can write one, and the rollback's check has a row to refuse on).
    /// </summary>
    [DbContext(typeof(StockContext))]
    [Migration("20260301000000_QuantityToBigint")]
    public sealed class QuantityToBigint : Migration
    {
        public const string ReverseConvertSql = "CASE WHEN NEW.\"quantity\" BETWEEN -2147483648 AND 2147483647 THEN NEW.\"quantity\"::integer END";

        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(name: "quantity_new", table: "stock", type: "bigint", nullable: true);
            migrationBuilder.CreateSyncTrigger(table: "stock", fromColumn: "quantity", toColumn: "quantity_new", convertSql: "NEW.\"quantity\"::bigint");
            migrationBuilder.Backfill(table: "stock", set: "\"quantity_new\" = \"quantity\"::bigint", where: "\"quantity_new\" IS NULL AND \"quantity\" IS NOT NULL", batchSize: 500);
            migrationBuilder.SetNotNullThroughCheck(column: "quantity_new", table: "stock");
            migrationBuilder.SwapColumns(table: "stock", column: "quantity", replacementColumn: "quantity_new", reverseConvertSql: ReverseConvertSql);
            migrationBuilder.DropSyncTrigger(table: "stock", fromColumn: "quantity", toColumn: "quantity_old").InContractPhase();
            migrationBuilder.DropColumn(name: "quantity_old", table: "stock").InContractPhase();
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
