using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace SafeMigrations.Engine.Tests.TestApp
{
    // The readings table of ReadingsMigrations changed to timestamptz by raw SQL, whose old type only apply can read:
    // schema-qualified, quoted, with the plain-cast USING; and the shapes the recipe leaves to run as written.

    public sealed class RawReadingsContext : ClocksContextBase
    {
        public RawReadingsContext(DbContextOptions<RawReadingsContext> options) : base(options) { }
    }

    /// <summary>Raw changes the recipe does not take: two columns in one statement, and one without TimeZone UTC.</summary>
    public sealed class RawReadingsShapesContext : ClocksContextBase
    {
        public RawReadingsShapesContext(DbContextOptions<RawReadingsShapesContext> options) : base(options) { }
    }

    [DbContext(typeof(RawReadingsContext))]
    [Migration("20240701000000_Readings")]
    public sealed class RawReadings : ReadingsTable { }

    [DbContext(typeof(RawReadingsContext))]
    [Migration("20240703000000_RawReadingsToTimestamptz")]
    public sealed class RawReadingsToTimestamptz : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The SET in the same call: it must run in the ALTER's own transaction.
            migrationBuilder.Sql("SET LOCAL TimeZone = 'UTC';\nALTER TABLE public.\"readings\" ALTER COLUMN \"at\" SET DATA TYPE timestamp with time zone USING \"at\"::timestamptz");
        }
    }

    [DbContext(typeof(RawReadingsShapesContext))]
    [Migration("20240701000000_Readings")]
    public sealed class RawReadingsShapesTable : ReadingsTable { }

    [DbContext(typeof(RawReadingsShapesContext))]
    [Migration("20240703000000_RawReadingsShapes")]
    public sealed class RawReadingsShapes : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE readings ALTER COLUMN at TYPE timestamptz");
            migrationBuilder.Sql("SET LOCAL TimeZone = 'UTC'");
            migrationBuilder.Sql("ALTER TABLE readings ALTER COLUMN at TYPE timestamptz, ALTER COLUMN note TYPE timestamptz");
            migrationBuilder.Sql("ALTER TABLE readings ALTER COLUMN at TYPE timestamp; COMMENT ON TABLE readings IS 'sensor readings'");
        }
    }
}
