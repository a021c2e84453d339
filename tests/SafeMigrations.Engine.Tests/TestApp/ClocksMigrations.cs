using System;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using SafeMigrations;

namespace SafeMigrations.Engine.Tests.TestApp
{
    // The usual Npgsql 6 upgrade step, timestamp -> timestamptz: with SET LOCAL TimeZone = 'UTC' first (no rewrite),
    // without it (every row rewritten, instants shifted under a non-UTC session), and with an index on the column
    // (no rewrite, but the index is rebuilt, scanning the table under the ACCESS EXCLUSIVE lock).

    public abstract class ClocksContextBase : DbContext
    {
        protected ClocksContextBase(DbContextOptions options)
            : base(options)
        {
        }

        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
            => optionsBuilder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    public sealed class ClocksContext : ClocksContextBase
    {
        public ClocksContext(DbContextOptions<ClocksContext> options) : base(options) { }
    }

    public sealed class ClocksWithoutUtcContext : ClocksContextBase
    {
        public ClocksWithoutUtcContext(DbContextOptions<ClocksWithoutUtcContext> options) : base(options) { }
    }

    public sealed class ClocksIndexedContext : ClocksContextBase
    {
        public ClocksIndexedContext(DbContextOptions<ClocksIndexedContext> options) : base(options) { }
    }

    /// <summary>Carried settings seen from inside steps of every kind.</summary>
    public sealed class ZonesContext : ClocksContextBase
    {
        public ZonesContext(DbContextOptions<ZonesContext> options) : base(options) { }
    }

    /// <summary>A search_path set by one step decides where later steps create (and verify) their tables.</summary>
    public sealed class SearchPathContext : ClocksContextBase
    {
        public SearchPathContext(DbContextOptions<SearchPathContext> options) : base(options) { }
    }

    [DbContext(typeof(SearchPathContext))]
    [Migration("20240601000000_ThingsInApp")]
    public sealed class ThingsInApp : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("CREATE SCHEMA IF NOT EXISTS app; SET LOCAL search_path = app");
            migrationBuilder.CreateTable(
                name: "things",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false),
                },
                constraints: table => table.PrimaryKey("PK_things", x => x.id));
        }
    }

    public abstract class ClocksTable : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "clocks",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    at = table.Column<DateTime>(type: "timestamp without time zone", nullable: false),
                },
                constraints: table => table.PrimaryKey("PK_clocks", x => x.id));
            if (Indexed)
                migrationBuilder.CreateIndex(name: "IX_clocks_at", table: "clocks", column: "at");
        }

        protected virtual bool Indexed => false;

        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "clocks");
    }

    [DbContext(typeof(ClocksContext))]
    [Migration("20240501000000_Clocks")]
    public sealed class Clocks : ClocksTable { }

    [DbContext(typeof(ClocksWithoutUtcContext))]
    [Migration("20240501000000_Clocks")]
    public sealed class ClocksForWithoutUtc : ClocksTable { }

    [DbContext(typeof(ClocksIndexedContext))]
    [Migration("20240501000000_Clocks")]
    public sealed class ClocksForIndexed : ClocksTable
    {
        protected override bool Indexed => true;
    }

    [DbContext(typeof(ClocksIndexedContext))]
    [Migration("20240502000000_ClocksToTimestamptz")]
    public sealed class ClocksToTimestamptzIndexed : ClocksToUtc { }

    [DbContext(typeof(ClocksContext))]
    [Migration("20240502000000_ClocksToTimestamptz")]
    public sealed class ClocksToTimestamptz : ClocksToUtc { }

    public abstract class ClocksToUtc : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("SET LOCAL TimeZone = 'UTC'");
            migrationBuilder.AlterColumn<DateTime>(
                name: "at",
                table: "clocks",
                type: "timestamp with time zone",
                nullable: false,
                oldClrType: typeof(DateTime),
                oldType: "timestamp without time zone");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("SET LOCAL TimeZone = 'UTC'");
            migrationBuilder.AlterColumn<DateTime>(
                name: "at",
                table: "clocks",
                type: "timestamp without time zone",
                nullable: false,
                oldClrType: typeof(DateTime),
                oldType: "timestamp with time zone");
        }
    }

    [DbContext(typeof(ClocksWithoutUtcContext))]
    [Migration("20240502000000_ClocksToTimestamptz")]
    public sealed class ClocksToTimestamptzWithoutUtc : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
#pragma warning disable SM0007 // the hazard under test
            migrationBuilder.AlterColumn<DateTime>(
                name: "at",
                table: "clocks",
                type: "timestamp with time zone",
                nullable: false,
                oldClrType: typeof(DateTime),
                oldType: "timestamp without time zone");
#pragma warning restore SM0007
        }
    }

    [DbContext(typeof(ZonesContext))]
    [Migration("20240501000000_Zones")]
    public sealed class Zones : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "zones",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    seen_by = table.Column<string>(type: "text", nullable: false),
                    zone = table.Column<string>(type: "text", nullable: true),
                },
                constraints: table => table.PrimaryKey("PK_zones", x => x.id));
            migrationBuilder.Sql("INSERT INTO zones (seen_by) SELECT 'batch' FROM generate_series(1, 30)");
        }
    }

    /// <summary>
    /// A SET LOCAL, then a step in its own transaction, one outside any transaction, a batched backfill, and a failing
    /// step (while the table zones_gate exists) to stop a run part way and resume it.
    /// </summary>
    [DbContext(typeof(ZonesContext))]
    [Migration("20240502000000_RecordZones")]
    public sealed class RecordZones : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("SET LOCAL TimeZone = 'Asia/Tokyo'; SET LOCAL application_name = 'zones-test'");
            migrationBuilder.Sql("INSERT INTO zones (seen_by, zone) VALUES ('transaction', current_setting('TimeZone'))");
            migrationBuilder.Sql("DO $$ BEGIN IF to_regclass('zones_gate') IS NOT NULL THEN RAISE EXCEPTION 'gate closed'; END IF; END $$");
            migrationBuilder.Sql("INSERT INTO zones (seen_by, zone) VALUES ('autocommit', current_setting('TimeZone'))", suppressTransaction: true);
            migrationBuilder.Backfill(table: "zones", set: "zone = current_setting('TimeZone')", where: "zone IS NULL", batchSize: 10);
        }
    }
}
