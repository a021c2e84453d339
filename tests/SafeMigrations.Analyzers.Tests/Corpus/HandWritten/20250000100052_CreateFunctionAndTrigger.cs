// expect: none
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using SafeMigrations;

#nullable disable

namespace Shop.Migrations
{
    [DbContext(typeof(ShopContext))]
    [Migration("20250000100052_CreateFunctionAndTrigger")]
    public partial class CreateFunctionAndTrigger : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(@"
                CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger AS $$
                BEGIN
                    NEW.updated_at := now();
                    UPDATE audit SET touched = touched + 1;
                    RETURN NEW;
                END;
                $$ LANGUAGE plpgsql;

                CREATE TRIGGER trg_orders_updated_at BEFORE UPDATE ON orders
                    FOR EACH ROW EXECUTE FUNCTION set_updated_at();");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS trg_orders_updated_at ON orders; DROP FUNCTION IF EXISTS set_updated_at();");
        }
    }
}
