using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SafeMigrations;

namespace SafeMigrations.Engine.Tests.Planning
{
    /// <summary>
    /// A context whose migrations call every safe step of the runtime library (every <see cref="SafeMigrationSteps"/>
    /// name), in the forms the planner tells apart: on a table of an earlier migration and on one the same migration
    /// creates, one- and two-way sync triggers, a view after its rename and alone, the contract drops, and hand-written
    /// annotations that miss what a kind needs. Only planned, never applied.
    /// </summary>
    public sealed class StepKindsContext : DbContext
    {
        public StepKindsContext(DbContextOptions<StepKindsContext> options)
            : base(options)
        {
        }

        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
            => optionsBuilder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    [DbContext(typeof(StepKindsContext))]
    [Migration("20250101000000_EveryStepKind")]
    public partial class EveryStepKind : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndexConcurrently(name: "IX_orders_customer", table: "orders", columns: new[] { "customer_id", "placed_at" }, filter: "\"customer_id\" IS NOT NULL", method: "btree");
            migrationBuilder.CreateExpressionIndexConcurrently(name: "IX_orders_lower_code", table: "orders", expression: "lower(\"code\")", schema: "sales", unique: true);
            migrationBuilder.DropIndexConcurrently(name: "IX_orders_old", table: "orders");
            migrationBuilder.AddForeignKeyNotValid(name: "FK_orders_customers", table: "orders", column: "customer_id", principalTable: "customers", onDelete: ReferentialAction.Cascade);
            migrationBuilder.AddCheckConstraintNotValid(name: "CK_orders_total", table: "orders", sql: "\"total\" >= 0", schema: "sales");
            migrationBuilder.ValidateConstraint(name: "CK_orders_total", table: "orders", schema: "sales");
            migrationBuilder.AddUniqueConstraintUsingIndex(name: "AK_orders_code", table: "orders", column: "code");
            migrationBuilder.AddPrimaryKeyUsingIndex(name: "PK_customers", table: "customers", columns: new[] { "id" });

            migrationBuilder.AddColumn<string>(name: "email_lower", table: "customers", type: "text", nullable: true);
            migrationBuilder.CreateSyncTrigger(table: "customers", fromColumn: "email", toColumn: "email_lower", convertSql: "lower(NEW.\"email\")");
            migrationBuilder.Backfill(table: "customers", column: "email_lower", value: "lower(\"email\")", where: "\"email_lower\" IS NULL", batchSize: 500);
            migrationBuilder.SetNotNullThroughCheck(column: "email_lower", table: "customers");

            migrationBuilder.AddColumn<string>(name: "full_name", table: "customers", type: "text", nullable: true);
            migrationBuilder.CreateSyncTrigger(table: "customers", fromColumn: "name", toColumn: "full_name", twoWay: true, convertSql: "NEW.\"name\"", reverseConvertSql: "NEW.\"full_name\"", schema: "crm");
            migrationBuilder.Backfill(table: "customers", set: "\"full_name\" = \"name\"", where: "\"full_name\" IS NULL", keyColumns: new[] { "tenant_id", "id" }, schema: "crm");
            migrationBuilder.DeleteInBatches(table: "orders", where: "\"placed_at\" < now() - interval '10 years'", batchSize: 2_000, keyColumns: new[] { "id" });

            migrationBuilder.SwapColumns(table: "orders", column: "quantity", replacementColumn: "quantity_new", reverseConvertSql: "NEW.\"quantity_new\"::integer");

            migrationBuilder.RenameTable(name: "invoices", newName: "bills");
            migrationBuilder.CreateCompatibilityView(viewName: "invoices", table: "bills");
            migrationBuilder.CreateCompatibilityView(viewName: "receipts", table: "payments", schema: "sales");

            // Hand-written annotations: a kind the engine does not know, and kinds without the annotations they need.
            migrationBuilder.Sql("ALTER TABLE \"orders\" ADD COLUMN \"note\" text;")
                .Annotation(SafeMigrationsAnnotations.Step, "SomeFutureStep")
                .Annotation(SafeMigrationsAnnotations.Table, "orders");
            migrationBuilder.Sql("UPDATE \"orders\" SET \"note\" = '' WHERE \"note\" IS NULL;")
                .Annotation(SafeMigrationsAnnotations.Step, SafeMigrationSteps.Backfill)
                .Annotation(SafeMigrationsAnnotations.Table, "orders");
            migrationBuilder.Sql("DELETE FROM \"orders\" WHERE \"note\" = '';")
                .Annotation(SafeMigrationsAnnotations.Step, SafeMigrationSteps.DeleteInBatches)
                .Annotation(SafeMigrationsAnnotations.Table, "orders");
            migrationBuilder.Sql("CREATE TRIGGER \"t_copy\" BEFORE INSERT ON \"orders\" FOR EACH ROW EXECUTE FUNCTION \"f_copy\"();")
                .Annotation(SafeMigrationsAnnotations.Step, SafeMigrationSteps.CreateSyncTrigger)
                .Annotation(SafeMigrationsAnnotations.Table, "orders")
                .Annotation(SafeMigrationsAnnotations.TriggerName, "t_copy")
                .Annotation(SafeMigrationsAnnotations.FunctionName, "f_copy")
                .Annotation(SafeMigrationsAnnotations.TwoWay, true);

            migrationBuilder.DropSyncTrigger(table: "customers", fromColumn: "email", toColumn: "email_lower").InContractPhase();
            migrationBuilder.DropSyncTrigger(table: "orders", fromColumn: "quantity", toColumn: "quantity_old").InContractPhase();
            migrationBuilder.DropColumn(name: "quantity_old", table: "orders").InContractPhase();
            migrationBuilder.DropSyncTrigger(table: "customers", fromColumn: "name", toColumn: "full_name", schema: "crm").InContractPhase();
            migrationBuilder.DropCompatibilityView(viewName: "invoices").InContractPhase();
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }

    [DbContext(typeof(StepKindsContext))]
    [Migration("20250102000000_StepKindsOnNewTable")]
    public partial class StepKindsOnNewTable : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "fresh",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false),
                    code = table.Column<string>(type: "text", nullable: true),
                    code_lower = table.Column<string>(type: "text", nullable: true),
                },
                constraints: table => table.PrimaryKey("PK_fresh", x => x.id));
            migrationBuilder.CreateIndexConcurrently(name: "IX_fresh_code", table: "fresh", columns: new[] { "code" });
            migrationBuilder.CreateSyncTrigger(table: "fresh", fromColumn: "code", toColumn: "code_lower", convertSql: "lower(NEW.\"code\")");
            migrationBuilder.Backfill(table: "fresh", column: "code_lower", value: "lower(\"code\")", where: "\"code_lower\" IS NULL");
            migrationBuilder.SetNotNullThroughCheck(column: "code_lower", table: "fresh");
            migrationBuilder.AddCheckConstraintNotValid(name: "CK_fresh_code", table: "fresh", sql: "\"code\" <> ''");
            migrationBuilder.DeleteInBatches(table: "fresh", where: "\"code\" = ''");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
