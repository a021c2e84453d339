using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace SafeMigrations.Engine.Tests.TestApp
{
    // One migration, 20240402000000_WidgetCodes, in four versions (one context each), as a developer edits it
    // between deploys: the original, a fix step inserted, a completed step's SQL edited, a step removed.

    public abstract class WidgetsContextBase : DbContext
    {
        protected WidgetsContextBase(DbContextOptions options)
            : base(options)
        {
        }

        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
            => optionsBuilder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    public sealed class WidgetsContext : WidgetsContextBase
    {
        public WidgetsContext(DbContextOptions<WidgetsContext> options) : base(options) { }
    }

    public sealed class WidgetsInsertedContext : WidgetsContextBase
    {
        public WidgetsInsertedContext(DbContextOptions<WidgetsInsertedContext> options) : base(options) { }
    }

    public sealed class WidgetsEditedContext : WidgetsContextBase
    {
        public WidgetsEditedContext(DbContextOptions<WidgetsEditedContext> options) : base(options) { }
    }

    public sealed class WidgetsRemovedContext : WidgetsContextBase
    {
        public WidgetsRemovedContext(DbContextOptions<WidgetsRemovedContext> options) : base(options) { }
    }

    public sealed class WidgetsAppendedContext : WidgetsContextBase
    {
        public WidgetsAppendedContext(DbContextOptions<WidgetsAppendedContext> options) : base(options) { }
    }

    public abstract class WidgetsTable : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "widgets",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "text", nullable: false),
                },
                constraints: table => table.PrimaryKey("PK_widgets", x => x.id));
        }
    }

    [DbContext(typeof(WidgetsContext))]
    [Migration("20240401000000_Widgets")]
    public sealed class Widgets : WidgetsTable { }

    [DbContext(typeof(WidgetsInsertedContext))]
    [Migration("20240401000000_Widgets")]
    public sealed class WidgetsForInserted : WidgetsTable { }

    [DbContext(typeof(WidgetsEditedContext))]
    [Migration("20240401000000_Widgets")]
    public sealed class WidgetsForEdited : WidgetsTable { }

    [DbContext(typeof(WidgetsRemovedContext))]
    [Migration("20240401000000_Widgets")]
    public sealed class WidgetsForRemoved : WidgetsTable { }

    [DbContext(typeof(WidgetsAppendedContext))]
    [Migration("20240401000000_Widgets")]
    public sealed class WidgetsForAppended : WidgetsTable { }

    /// <summary>
    /// The original: add-column, create-index-concurrently, add-constraint-not-valid, validate-constraint. The
    /// validation fails while a widget has an empty name.
    /// </summary>
    [DbContext(typeof(WidgetsContext))]
    [Migration("20240402000000_WidgetCodes")]
    public sealed class WidgetCodes : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(name: "code", table: "widgets", type: "text", nullable: true);
            migrationBuilder.CreateIndex(name: "IX_widgets_name", table: "widgets", column: "name");
            migrationBuilder.AddCheckConstraint(name: "CK_widgets_name", table: "widgets", sql: "name <> ''");
        }
    }

    /// <summary>The fix the developer added after the failed deploy: a data fix before the index, shifting every later step.</summary>
    [DbContext(typeof(WidgetsInsertedContext))]
    [Migration("20240402000000_WidgetCodes")]
    public sealed class WidgetCodesWithFix : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(name: "code", table: "widgets", type: "text", nullable: true);
            migrationBuilder.Sql("UPDATE widgets SET name = 'unnamed' WHERE name = ''");
            migrationBuilder.CreateIndex(name: "IX_widgets_name", table: "widgets", column: "name");
            migrationBuilder.AddCheckConstraint(name: "CK_widgets_name", table: "widgets", sql: "name <> ''");
        }
    }

    /// <summary>The completed index step edited in place (another column list).</summary>
    [DbContext(typeof(WidgetsEditedContext))]
    [Migration("20240402000000_WidgetCodes")]
    public sealed class WidgetCodesEdited : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(name: "code", table: "widgets", type: "text", nullable: true);
            migrationBuilder.CreateIndex(name: "IX_widgets_name", table: "widgets", columns: new[] { "name", "code" });
            migrationBuilder.AddCheckConstraint(name: "CK_widgets_name", table: "widgets", sql: "name <> ''");
        }
    }

    /// <summary>A step appended after the expand phase completed.</summary>
    [DbContext(typeof(WidgetsAppendedContext))]
    [Migration("20240402000000_WidgetCodes")]
    public sealed class WidgetCodesAppended : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(name: "code", table: "widgets", type: "text", nullable: true);
            migrationBuilder.CreateIndex(name: "IX_widgets_name", table: "widgets", column: "name");
            migrationBuilder.AddCheckConstraint(name: "CK_widgets_name", table: "widgets", sql: "name <> ''");
            migrationBuilder.Sql("UPDATE widgets SET code = 'w-' || id WHERE code IS NULL");
        }
    }

    /// <summary>The completed index step removed.</summary>
    [DbContext(typeof(WidgetsRemovedContext))]
    [Migration("20240402000000_WidgetCodes")]
    public sealed class WidgetCodesRemoved : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(name: "code", table: "widgets", type: "text", nullable: true);
            migrationBuilder.AddCheckConstraint(name: "CK_widgets_name", table: "widgets", sql: "name <> ''");
        }
    }
}
