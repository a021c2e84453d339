using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SafeMigrations;

namespace Shop.Migrations
{
    /// <summary>
    /// Rename "Name" to "FullName" without breaking the running version. Expand: a new column kept in step with the old
    /// one by a two-way trigger, backfilled in batches, made NOT NULL through a validated check. Contract (after every
    /// instance reads FullName): drop the trigger and the old column.
    /// </summary>
    [DbContext(typeof(ShopContext))]
    [Migration("20250122090000_RenameCustomerName")]
    public partial class RenameCustomerName : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(name: "FullName", table: "Customers", type: "text", nullable: true);
            migrationBuilder.CreateSyncTrigger(table: "Customers", fromColumn: "Name", toColumn: "FullName", twoWay: true);
            migrationBuilder.Backfill(table: "Customers", column: "FullName", value: "\"Name\"", where: "\"FullName\" IS NULL", batchSize: 1000);
            migrationBuilder.SetNotNullThroughCheck(column: "FullName", table: "Customers");

            migrationBuilder.DropSyncTrigger(table: "Customers", fromColumn: "Name", toColumn: "FullName").InContractPhase();
            migrationBuilder.DropColumn(name: "Name", table: "Customers").InContractPhase();
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The two-way triggers depend on both columns: drop them (and give the defaults back) before the column.
            migrationBuilder.DropSyncTrigger(table: "Customers", fromColumn: "Name", toColumn: "FullName");
            migrationBuilder.DropColumn(name: "FullName", table: "Customers");
        }
    }
}
