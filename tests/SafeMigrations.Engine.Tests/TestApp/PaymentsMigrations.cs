using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using SafeMigrations;

namespace SafeMigrations.Engine.Tests.TestApp
{
    /// <summary>
    /// The fault-injection suite's app: a payments table whose expand phase is long enough to be interrupted anywhere
    /// (two new columns fed by sync triggers, a batched backfill of every row, NOT NULL through a check, a concurrent
    /// index, a NOT VALID check and its validation). The old app version keeps writing "amount" and "label".
    /// </summary>
    public sealed class PaymentsContext : DbContext
    {
        public PaymentsContext(DbContextOptions<PaymentsContext> options)
            : base(options)
        {
        }

        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
            => optionsBuilder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    [DbContext(typeof(PaymentsContext))]
    [Migration("20240401000000_Payments")]
    public partial class Payments : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "payments",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    amount = table.Column<int>(type: "integer", nullable: true),
                    label = table.Column<string>(type: "text", nullable: true),
                },
                constraints: table => table.PrimaryKey("PK_payments", x => x.id));
        }

        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "payments");
    }

    /// <summary>
    /// Expand: amount_cents = coalesce(amount, 0) * 100 and label_key = coalesce(lower(label), ''), kept in sync for the
    /// old app version by one-way triggers and filled for existing rows in batches. Contract: drop the triggers.
    /// </summary>
    [DbContext(typeof(PaymentsContext))]
    [Migration("20240402000000_PaymentsInCents")]
    public partial class PaymentsInCents : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(name: "amount_cents", table: "payments", type: "bigint", nullable: true);
            migrationBuilder.AddColumn<string>(name: "label_key", table: "payments", type: "text", nullable: true);
            migrationBuilder.CreateSyncTrigger(table: "payments", fromColumn: "amount", toColumn: "amount_cents", convertSql: "coalesce(NEW.\"amount\", 0)::bigint * 100");
            migrationBuilder.CreateSyncTrigger(table: "payments", fromColumn: "label", toColumn: "label_key", convertSql: "coalesce(lower(NEW.\"label\"), '')");
            migrationBuilder.Backfill(
                table: "payments",
                set: "\"amount_cents\" = coalesce(\"amount\", 0)::bigint * 100, \"label_key\" = coalesce(lower(\"label\"), '')",
                where: "\"amount_cents\" IS NULL OR \"label_key\" IS NULL",
                batchSize: 2000);
            migrationBuilder.SetNotNullThroughCheck(column: "amount_cents", table: "payments");
            migrationBuilder.CreateIndexConcurrently(name: "IX_payments_label_key", table: "payments", columns: new[] { "label_key" });
            migrationBuilder.AddCheckConstraintNotValid(name: "CK_payments_amount_cents", table: "payments", sql: "amount_cents >= 0");
            migrationBuilder.ValidateConstraint(name: "CK_payments_amount_cents", table: "payments");
            migrationBuilder.DropSyncTrigger(table: "payments", fromColumn: "amount", toColumn: "amount_cents").InContractPhase();
            migrationBuilder.DropSyncTrigger(table: "payments", fromColumn: "label", toColumn: "label_key").InContractPhase();
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
