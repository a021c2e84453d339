using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using SafeMigrations;

namespace SafeMigrations.Engine.Tests.TestApp
{
    /// <summary>A gauges table whose NOT NULL integer reading becomes bigint the way the SM0007 code fix writes it.</summary>
    public sealed class GaugesContext : DbContext
    {
        public GaugesContext(DbContextOptions<GaugesContext> options)
            : base(options)
        {
        }

        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
            => optionsBuilder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    [DbContext(typeof(GaugesContext))]
    [Migration("20240501000000_Gauges")]
    public partial class Gauges : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "gauges",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    reading = table.Column<int>(type: "integer", nullable: false),
                },
                constraints: table => table.PrimaryKey("PK_gauges", x => x.id));
            migrationBuilder.Sql("INSERT INTO gauges (reading) SELECT g FROM generate_series(1, 100) g;");
        }

        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "gauges");
    }

    /// <summary>The SM0007 fix of AlterColumn(reading integer → bigint): its contract drops the sync trigger, then the old column.</summary>
    [DbContext(typeof(GaugesContext))]
    [Migration("20240502000000_GaugesToBigint")]
    public partial class GaugesToBigint : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(name: "reading_new", table: "gauges", type: "bigint", nullable: true);
            migrationBuilder.CreateSyncTrigger(table: "gauges", fromColumn: "reading", toColumn: "reading_new", convertSql: @"NEW.""reading""::bigint");
            migrationBuilder.Backfill(table: "gauges", set: @"""reading_new"" = ""reading""::bigint", where: @"""reading_new"" IS NULL AND ""reading"" IS NOT NULL");
            migrationBuilder.SetNotNullThroughCheck(column: "reading_new", table: "gauges");
            migrationBuilder.SwapColumns(table: "gauges", column: "reading", replacementColumn: "reading_new");
            migrationBuilder.DropSyncTrigger(table: "gauges", fromColumn: "reading", toColumn: "reading_old").InContractPhase();
            migrationBuilder.DropColumn(name: "reading_old", table: "gauges").InContractPhase();
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
