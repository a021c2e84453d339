using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Shop.Migrations
{
    /// <summary>
    /// The fixed version of an index on an existing table: the scaffolded CreateIndex holds SHARE on "Customers" (no
    /// writes) for the whole build (samples/Shop.Unsafe has it); CONCURRENTLY lets reads and writes go on.
    /// </summary>
    [DbContext(typeof(ShopContext))]
    [Migration("20250115090000_IndexCustomerEmail")]
    public partial class IndexCustomerEmail : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(name: "IX_Customers_Email", table: "Customers", column: "Email")
                .Annotation("Npgsql:CreatedConcurrently", true);
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(name: "IX_Customers_Email", table: "Customers");
        }
    }
}
