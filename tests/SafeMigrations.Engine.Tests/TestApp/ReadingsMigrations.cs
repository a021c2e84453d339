using System;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace SafeMigrations.Engine.Tests.TestApp
{
    // timestamp -> timestamptz under UTC on a column with indexes of every kind: plain, multi-column, partial on another
    // column, INCLUDE only (PostgreSQL keeps it), unrelated; the unique variant adds a unique index the ALTER must rebuild.

    public sealed class ReadingsContext : ClocksContextBase
    {
        public ReadingsContext(DbContextOptions<ReadingsContext> options) : base(options) { }
    }

    public sealed class ReadingsUniqueContext : ClocksContextBase
    {
        public ReadingsUniqueContext(DbContextOptions<ReadingsUniqueContext> options) : base(options) { }
    }

    public abstract class ReadingsTable : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "readings",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    at = table.Column<DateTime>(type: "timestamp without time zone", nullable: false),
                    sensor = table.Column<int>(type: "integer", nullable: false),
                    note = table.Column<string>(type: "text", nullable: true),
                },
                constraints: table => table.PrimaryKey("PK_readings", x => x.id));
            migrationBuilder.CreateIndex(name: "IX_readings_at", table: "readings", column: "at");
            migrationBuilder.CreateIndex(name: "IX_readings_sensor_at", table: "readings", columns: new[] { "sensor", "at" });
            migrationBuilder.CreateIndex(name: "IX_readings_note", table: "readings", column: "note");
            migrationBuilder.Sql("CREATE INDEX \"IX_readings_at_high\" ON readings (at) WHERE sensor > 5");
            migrationBuilder.Sql("CREATE INDEX \"IX_readings_sensor_incl\" ON readings (sensor) INCLUDE (at)");
            if (Unique)
                migrationBuilder.CreateIndex(name: "UX_readings_at_sensor", table: "readings", columns: new[] { "at", "sensor" }, unique: true);
        }

        protected virtual bool Unique => false;
    }

    [DbContext(typeof(ReadingsContext))]
    [Migration("20240701000000_Readings")]
    public sealed class Readings : ReadingsTable { }

    [DbContext(typeof(ReadingsUniqueContext))]
    [Migration("20240701000000_Readings")]
    public sealed class ReadingsUnique : ReadingsTable
    {
        protected override bool Unique => true;
    }

    public abstract class ReadingsToUtc : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("SET LOCAL TimeZone = 'UTC'");
            migrationBuilder.AlterColumn<DateTime>(
                name: "at",
                table: "readings",
                type: "timestamp with time zone",
                nullable: false,
                oldClrType: typeof(DateTime),
                oldType: "timestamp without time zone");
        }
    }

    [DbContext(typeof(ReadingsContext))]
    [Migration("20240702000000_ReadingsToTimestamptz")]
    public sealed class ReadingsToTimestamptz : ReadingsToUtc { }

    [DbContext(typeof(ReadingsUniqueContext))]
    [Migration("20240702000000_ReadingsToTimestamptz")]
    public sealed class ReadingsUniqueToTimestamptz : ReadingsToUtc { }
}
