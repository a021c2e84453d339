using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using SafeMigrations;

namespace SafeMigrations.Engine.Tests.Gate
{
    /// <summary>Orders, then a migration whose contract drops "status" (the new app version no longer maps it).</summary>
    public sealed class GateContext : DbContext
    {
        public const string Orders = "20250301000000_Orders";
        public const string DropStatus = "20250302000000_DropStatus";

        public GateContext(DbContextOptions<GateContext> options)
            : base(options)
        {
        }

        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
            => optionsBuilder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    [DbContext(typeof(GateContext))]
    [Migration("20250301000000_Orders")]
    public sealed class GateOrders : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "orders",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    status = table.Column<string>(type: "text", nullable: true),
                    state = table.Column<string>(type: "text", nullable: true),
                },
                constraints: table => table.PrimaryKey("PK_orders", x => x.id));
        }
    }

    [DbContext(typeof(GateContext))]
    [Migration("20250302000000_DropStatus")]
    public sealed class GateDropStatus : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(name: "status", table: "orders").InContractPhase();
        }
    }

    /// <summary>Every way a contract takes a name away, for the gate's target finding (planned only, never applied).</summary>
    public sealed class GateTargetsContext : DbContext
    {
        public GateTargetsContext(DbContextOptions<GateTargetsContext> options)
            : base(options)
        {
        }
    }

    [DbContext(typeof(GateTargetsContext))]
    [Migration("20250401000000_Everything")]
    public sealed class GateEverything : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Expand: not the gate's business.
            migrationBuilder.AddColumn<string>(name: "phase", table: "orders", type: "text", nullable: true);
            // SM0011's contract: the old column of a rename.
            migrationBuilder.DropSyncTrigger("orders", fromColumn: "state", toColumn: "phase").InContractPhase();
            migrationBuilder.DropColumn(name: "state", table: "orders").InContractPhase();
            // SM0007's contract after SwapColumns: the old column, not "total", which lives on.
            migrationBuilder.DropSyncTrigger("orders", fromColumn: "total", toColumn: "total_old").InContractPhase();
            migrationBuilder.DropColumn(name: "total_old", table: "orders").InContractPhase();
            // SM0012's contract: the old table name.
            migrationBuilder.DropCompatibilityView(viewName: "purchases", schema: "shop").InContractPhase();
            // Raw SQL.
            migrationBuilder.Sql("ALTER TABLE orders DROP COLUMN note; DROP TABLE \"Legacy\"; ALTER TABLE items RENAME TO line_items").InContractPhase();
            // A swap in contract: "amount" changes meaning but keeps its name.
            migrationBuilder.SwapColumns("orders", column: "amount", replacementColumn: "amount_new").InContractPhase();
            // A lone trigger drop: the old version's writes to "code" stop reaching "sku".
            migrationBuilder.DropSyncTrigger("orders", fromColumn: "code", toColumn: "sku").InContractPhase();
        }
    }
    /// <summary>Two migrations in a row whose contracts each drop a column: one contract run gates both.</summary>
    public sealed class GateTwoDropsContext : DbContext
    {
        public GateTwoDropsContext(DbContextOptions<GateTwoDropsContext> options)
            : base(options)
        {
        }

        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
            => optionsBuilder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    [DbContext(typeof(GateTwoDropsContext))]
    [Migration("20250501000000_Items")]
    public sealed class GateItems : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "items",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    colour = table.Column<string>(type: "text", nullable: true),
                    size = table.Column<string>(type: "text", nullable: true),
                },
                constraints: table => table.PrimaryKey("PK_items", x => x.id));
        }
    }

    [DbContext(typeof(GateTwoDropsContext))]
    [Migration("20250502000000_DropColour")]
    public sealed class GateDropColour : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(name: "colour", table: "items").InContractPhase();
        }
    }

    [DbContext(typeof(GateTwoDropsContext))]
    [Migration("20250503000000_DropSize")]
    public sealed class GateDropSize : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(name: "size", table: "items").InContractPhase();
        }
    }
}
