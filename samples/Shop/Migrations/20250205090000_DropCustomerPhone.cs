using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SafeMigrations;

namespace Shop.Migrations
{
    /// <summary>The running version still selects "Phone": the drop waits for the contract phase.</summary>
    [DbContext(typeof(ShopContext))]
    [Migration("20250205090000_DropCustomerPhone")]
    public partial class DropCustomerPhone : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(name: "Phone", table: "Customers").InContractPhase();
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(name: "Phone", table: "Customers", type: "text", nullable: true);
        }
    }
}
