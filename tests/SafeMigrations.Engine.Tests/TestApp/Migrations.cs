using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using SafeMigrations;

namespace SafeMigrations.Engine.Tests.TestApp
{
    [DbContext(typeof(ShopContext))]
    [Migration("20240101000000_Initial")]
    public partial class Initial : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "customers",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "text", nullable: false),
                    email = table.Column<string>(type: "text", nullable: true),
                },
                constraints: table => table.PrimaryKey("PK_customers", x => x.id));

            migrationBuilder.CreateTable(
                name: "orders",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    customer_id = table.Column<long>(type: "bigint", nullable: false),
                    total = table.Column<int>(type: "integer", nullable: false),
                    legacy_code = table.Column<string>(type: "text", nullable: true),
                },
                constraints: table => table.PrimaryKey("PK_orders", x => x.id));

            migrationBuilder.CreateIndex(name: "IX_customers_email_initial", table: "customers", column: "email");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(name: "orders");
            migrationBuilder.DropTable(name: "customers");
        }
    }

    /// <summary>Plain scaffolded operations on populated tables: every one gets a safe rewrite.</summary>
    [DbContext(typeof(ShopContext))]
    [Migration("20240102000000_Hardening")]
    public partial class Hardening : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(name: "IX_orders_total", table: "orders", column: "total");
            migrationBuilder.DropIndex(name: "IX_customers_email_initial", table: "customers");
            migrationBuilder.AddForeignKey(
                name: "FK_orders_customers_customer_id",
                table: "orders",
                column: "customer_id",
                principalTable: "customers",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
            migrationBuilder.AddCheckConstraint(name: "CK_orders_total_positive", table: "orders", sql: "total >= 0");
            migrationBuilder.AlterColumn<string>(
                name: "email",
                table: "customers",
                type: "text",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "text",
                oldNullable: true);
            migrationBuilder.AddUniqueConstraint(name: "AK_customers_name", table: "customers", column: "name");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }

    /// <summary>Expand: a new column and its index; contract: drop an old column.</summary>
    [DbContext(typeof(ShopContext))]
    [Migration("20240103000000_Nicknames")]
    public partial class Nicknames : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(name: "nickname", table: "customers", type: "text", nullable: true);
            migrationBuilder.CreateIndex(name: "IX_customers_nickname", table: "customers", column: "nickname");
            migrationBuilder.DropColumn(name: "legacy_code", table: "orders").InContractPhase();
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
