// expect: none
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using SafeMigrations;

#nullable disable

namespace Shop.Migrations
{
    [DbContext(typeof(ShopContext))]
    [Migration("20250000100017_UniqueUsingIndex")]
    public partial class UniqueUsingIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ux_users_email ON users (email);", suppressTransaction: true);
            migrationBuilder.Sql("ALTER TABLE users ADD CONSTRAINT uq_users_email UNIQUE USING INDEX ux_users_email;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            
        }
    }
}
