using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using SafeMigrations;

namespace SafeMigrations.Engine.Tests.TestApp
{
    /// <summary>A second context, whose migrations use the runtime library's safe steps (SafeMigrations:* annotations).</summary>
    public sealed class AccountsContext : DbContext
    {
        public AccountsContext(DbContextOptions<AccountsContext> options)
            : base(options)
        {
        }

        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
            => optionsBuilder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    [DbContext(typeof(AccountsContext))]
    [Migration("20240201000000_Accounts")]
    public partial class Accounts : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "accounts",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    email = table.Column<string>(type: "text", nullable: false),
                    balance = table.Column<int>(type: "integer", nullable: false),
                },
                constraints: table => table.PrimaryKey("PK_accounts", x => x.id));
        }

        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "accounts");
    }

    [DbContext(typeof(AccountsContext))]
    [Migration("20240202000000_EmailLower")]
    public partial class EmailLower : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(name: "email_lower", table: "accounts", type: "text", nullable: true);
            migrationBuilder.CreateSyncTrigger(table: "accounts", fromColumn: "email", toColumn: "email_lower", convertSql: "lower(NEW.\"email\")");
            migrationBuilder.Backfill(table: "accounts", column: "email_lower", value: "lower(\"email\")", where: "\"email_lower\" IS NULL", batchSize: 500);
            migrationBuilder.SetNotNullThroughCheck(column: "email_lower", table: "accounts");
            migrationBuilder.CreateIndexConcurrently(name: "IX_accounts_email_lower", table: "accounts", columns: new[] { "email_lower" });
            migrationBuilder.AddCheckConstraintNotValid(name: "CK_accounts_balance", table: "accounts", sql: "balance >= 0");
            migrationBuilder.ValidateConstraint(name: "CK_accounts_balance", table: "accounts");
            migrationBuilder.DropSyncTrigger(table: "accounts", fromColumn: "email", toColumn: "email_lower").InContractPhase();
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
