using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SafeMigrations;

namespace SafeMigrations.Engine.Tests.Lifecycle
{
    /// <summary>
    /// One context per safe step kind, each with one migration that calls the kind (and what it needs around it) on the
    /// tables of <see cref="StepLifecycleTests.Setup"/>: a kind's lifecycle is applied and rolled back on its own.
    /// </summary>
    public abstract class LifecycleContext : DbContext
    {
        protected LifecycleContext(DbContextOptions options)
            : base(options)
        {
        }

        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
            => optionsBuilder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    public sealed class LifecycleCreateIndexContext : LifecycleContext
    {
        public LifecycleCreateIndexContext(DbContextOptions<LifecycleCreateIndexContext> options) : base(options) { }
    }

    [DbContext(typeof(LifecycleCreateIndexContext))]
    [Migration("20260101000000_CreateIndex")]
    public sealed class LifecycleCreateIndex : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
            => migrationBuilder.CreateIndexConcurrently(name: "IX_orders_customer", table: "orders", columns: new[] { "customer_id" });
    }

    public sealed class LifecycleDropIndexContext : LifecycleContext
    {
        public LifecycleDropIndexContext(DbContextOptions<LifecycleDropIndexContext> options) : base(options) { }
    }

    [DbContext(typeof(LifecycleDropIndexContext))]
    [Migration("20260101000000_DropIndex")]
    public sealed class LifecycleDropIndex : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
            => migrationBuilder.DropIndexConcurrently(name: "IX_orders_placed_at", table: "orders");
    }

    public sealed class LifecycleForeignKeyContext : LifecycleContext
    {
        public LifecycleForeignKeyContext(DbContextOptions<LifecycleForeignKeyContext> options) : base(options) { }
    }

    [DbContext(typeof(LifecycleForeignKeyContext))]
    [Migration("20260101000000_ForeignKey")]
    public sealed class LifecycleForeignKey : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
            => migrationBuilder.AddForeignKeyNotValid(name: "FK_orders_customers", table: "orders", column: "customer_id", principalTable: "customers");
    }

    public sealed class LifecycleCheckContext : LifecycleContext
    {
        public LifecycleCheckContext(DbContextOptions<LifecycleCheckContext> options) : base(options) { }
    }

    [DbContext(typeof(LifecycleCheckContext))]
    [Migration("20260101000000_Check")]
    public sealed class LifecycleCheck : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
            => migrationBuilder.AddCheckConstraintNotValid(name: "CK_orders_total", table: "orders", sql: "\"total\" >= 0");
    }

    public sealed class LifecycleValidateContext : LifecycleContext
    {
        public LifecycleValidateContext(DbContextOptions<LifecycleValidateContext> options) : base(options) { }
    }

    [DbContext(typeof(LifecycleValidateContext))]
    [Migration("20260101000000_Validate")]
    public sealed class LifecycleValidate : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddCheckConstraintNotValid(name: "CK_orders_quantity", table: "orders", sql: "\"quantity\" >= 0");
            migrationBuilder.ValidateConstraint(name: "CK_orders_quantity", table: "orders").InContractPhase();
        }
    }

    public sealed class LifecycleUniqueContext : LifecycleContext
    {
        public LifecycleUniqueContext(DbContextOptions<LifecycleUniqueContext> options) : base(options) { }
    }

    [DbContext(typeof(LifecycleUniqueContext))]
    [Migration("20260101000000_Unique")]
    public sealed class LifecycleUnique : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
            => migrationBuilder.AddUniqueConstraintUsingIndex(name: "AK_orders_code", table: "orders", column: "code");
    }

    public sealed class LifecyclePrimaryKeyContext : LifecycleContext
    {
        public LifecyclePrimaryKeyContext(DbContextOptions<LifecyclePrimaryKeyContext> options) : base(options) { }
    }

    [DbContext(typeof(LifecyclePrimaryKeyContext))]
    [Migration("20260101000000_PrimaryKey")]
    public sealed class LifecyclePrimaryKey : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
            => migrationBuilder.AddPrimaryKeyUsingIndex(name: "PK_tags", table: "tags", column: "id");
    }

    public sealed class LifecycleNotNullContext : LifecycleContext
    {
        public LifecycleNotNullContext(DbContextOptions<LifecycleNotNullContext> options) : base(options) { }
    }

    [DbContext(typeof(LifecycleNotNullContext))]
    [Migration("20260101000000_NotNull")]
    public sealed class LifecycleNotNull : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
            => migrationBuilder.SetNotNullThroughCheck(column: "email", table: "customers");
    }

    public sealed class LifecycleBackfillContext : LifecycleContext
    {
        public LifecycleBackfillContext(DbContextOptions<LifecycleBackfillContext> options) : base(options) { }
    }

    [DbContext(typeof(LifecycleBackfillContext))]
    [Migration("20260101000000_Backfill")]
    public sealed class LifecycleBackfill : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(name: "email_lower", table: "customers", type: "text", nullable: true);
            migrationBuilder.Backfill(table: "customers", column: "email_lower", value: "lower(\"email\")", where: "\"email_lower\" IS NULL", batchSize: 50);
        }
    }

    public sealed class LifecycleDeleteContext : LifecycleContext
    {
        public LifecycleDeleteContext(DbContextOptions<LifecycleDeleteContext> options) : base(options) { }
    }

    [DbContext(typeof(LifecycleDeleteContext))]
    [Migration("20260101000000_Delete")]
    public sealed class LifecycleDelete : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
            => migrationBuilder.DeleteInBatches(table: "orders", where: "\"placed_at\" < timestamptz '2016-06-01 00:00Z'", batchSize: 50);
    }

    public sealed class LifecycleSyncTriggerContext : LifecycleContext
    {
        public LifecycleSyncTriggerContext(DbContextOptions<LifecycleSyncTriggerContext> options) : base(options) { }
    }

    [DbContext(typeof(LifecycleSyncTriggerContext))]
    [Migration("20260101000000_SyncTrigger")]
    public sealed class LifecycleSyncTrigger : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(name: "full_name", table: "customers", type: "text", nullable: true);
            migrationBuilder.CreateSyncTrigger(table: "customers", fromColumn: "name", toColumn: "full_name", twoWay: true, convertSql: "NEW.\"name\"", reverseConvertSql: "NEW.\"full_name\"");
            migrationBuilder.Backfill(table: "customers", set: "\"full_name\" = \"name\"", where: "\"full_name\" IS NULL", batchSize: 50);
        }
    }

    public sealed class LifecycleDropSyncTriggerContext : LifecycleContext
    {
        public LifecycleDropSyncTriggerContext(DbContextOptions<LifecycleDropSyncTriggerContext> options) : base(options) { }
    }

    [DbContext(typeof(LifecycleDropSyncTriggerContext))]
    [Migration("20260101000000_DropSyncTrigger")]
    public sealed class LifecycleDropSyncTrigger : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(name: "email_lower", table: "customers", type: "text", nullable: true);
            migrationBuilder.CreateSyncTrigger(table: "customers", fromColumn: "email", toColumn: "email_lower", convertSql: "lower(NEW.\"email\")");
            migrationBuilder.Backfill(table: "customers", column: "email_lower", value: "lower(\"email\")", where: "\"email_lower\" IS NULL", batchSize: 50);
            migrationBuilder.DropSyncTrigger(table: "customers", fromColumn: "email", toColumn: "email_lower").InContractPhase();
        }
    }

    public sealed class LifecycleSwapContext : LifecycleContext
    {
        public LifecycleSwapContext(DbContextOptions<LifecycleSwapContext> options) : base(options) { }
    }

    [DbContext(typeof(LifecycleSwapContext))]
    [Migration("20260101000000_Swap")]
    public sealed class LifecycleSwap : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateSyncTrigger(table: "orders", fromColumn: "quantity", toColumn: "quantity_new", convertSql: "NEW.\"quantity\"::bigint");
            SwapAndContract(migrationBuilder);
        }

        /// <summary>The swap and its contract, shared with <see cref="LifecycleSwapAlone"/>.</summary>
        internal static void SwapAndContract(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.SwapColumns(table: "orders", column: "quantity", replacementColumn: "quantity_new", reverseConvertSql: "NEW.\"quantity\"::integer");
            migrationBuilder.DropSyncTrigger(table: "orders", fromColumn: "quantity", toColumn: "quantity_old").InContractPhase();
            migrationBuilder.DropColumn(name: "quantity_old", table: "orders").InContractPhase();
        }
    }

    public sealed class LifecycleSwapAloneContext : LifecycleContext
    {
        public LifecycleSwapAloneContext(DbContextOptions<LifecycleSwapAloneContext> options) : base(options) { }
    }

    /// <summary>A swap whose sync trigger an earlier migration installed: its undo could not restore that sync, so rollback refuses.</summary>
    [DbContext(typeof(LifecycleSwapAloneContext))]
    [Migration("20260101000000_SwapAlone")]
    public sealed class LifecycleSwapAlone : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            LifecycleSwap.SwapAndContract(migrationBuilder);
        }
    }

    public sealed class LifecycleViewContext : LifecycleContext
    {
        public LifecycleViewContext(DbContextOptions<LifecycleViewContext> options) : base(options) { }
    }

    [DbContext(typeof(LifecycleViewContext))]
    [Migration("20260101000000_View")]
    public sealed class LifecycleView : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameTable(name: "invoices", newName: "bills");
            migrationBuilder.CreateCompatibilityView(viewName: "invoices", table: "bills");
        }
    }

    public sealed class LifecycleViewAloneContext : LifecycleContext
    {
        public LifecycleViewAloneContext(DbContextOptions<LifecycleViewAloneContext> options) : base(options) { }
    }

    [DbContext(typeof(LifecycleViewAloneContext))]
    [Migration("20260101000000_ViewAlone")]
    public sealed class LifecycleViewAlone : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
            => migrationBuilder.CreateCompatibilityView(viewName: "invoice_list", table: "invoices");
    }

    public sealed class LifecycleDropViewContext : LifecycleContext
    {
        public LifecycleDropViewContext(DbContextOptions<LifecycleDropViewContext> options) : base(options) { }
    }

    [DbContext(typeof(LifecycleDropViewContext))]
    [Migration("20260101000000_DropView")]
    public sealed class LifecycleDropView : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
            => migrationBuilder.DropCompatibilityView(viewName: "receipts").InContractPhase();
    }
}
