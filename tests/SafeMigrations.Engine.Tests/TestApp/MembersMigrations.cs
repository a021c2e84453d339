using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using SafeMigrations;

namespace SafeMigrations.Engine.Tests.TestApp
{
    /// <summary>A context whose second migration renames three columns through two-way sync triggers.</summary>
    public sealed class MembersContext : DbContext
    {
        public MembersContext(DbContextOptions<MembersContext> options)
            : base(options)
        {
        }

        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
            => optionsBuilder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    [DbContext(typeof(MembersContext))]
    [Migration("20240501000000_Members")]
    public partial class Members : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "members",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    handle = table.Column<string>(type: "text", nullable: false, defaultValue: "anon"),
                    nick = table.Column<string>(type: "text", nullable: true),
                    tier = table.Column<int>(type: "integer", nullable: false),
                },
                constraints: table => table.PrimaryKey("PK_members", x => x.id));
        }

        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "members");
    }

    /// <summary>
    /// Three renames, expand half: handle (NOT NULL, DEFAULT 'anon') → display_name; nick (nullable, no default) →
    /// nickname; tier (NOT NULL, no default) → level (DEFAULT 1). Columns and triggers first, then the backfills, so
    /// the new app version can write while every backfill runs.
    /// </summary>
    [DbContext(typeof(MembersContext))]
    [Migration("20240502000000_MemberRenames")]
    public partial class MemberRenames : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(name: "display_name", table: "members", type: "text", nullable: true);
            migrationBuilder.AddColumn<string>(name: "nickname", table: "members", type: "text", nullable: true);
            migrationBuilder.AddColumn<int>(name: "level", table: "members", type: "integer", nullable: true, defaultValue: 1);
            migrationBuilder.CreateSyncTrigger(table: "members", fromColumn: "handle", toColumn: "display_name", twoWay: true);
            migrationBuilder.CreateSyncTrigger(table: "members", fromColumn: "nick", toColumn: "nickname", twoWay: true);
            migrationBuilder.CreateSyncTrigger(table: "members", fromColumn: "tier", toColumn: "level", twoWay: true);
            migrationBuilder.Backfill(table: "members", set: "display_name = handle", where: "display_name IS DISTINCT FROM handle", batchSize: 500);
            migrationBuilder.Backfill(table: "members", set: "nickname = nick", where: "nickname IS DISTINCT FROM nick", batchSize: 500);
            migrationBuilder.Backfill(table: "members", set: "level = tier", where: "level IS DISTINCT FROM tier", batchSize: 500);
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
