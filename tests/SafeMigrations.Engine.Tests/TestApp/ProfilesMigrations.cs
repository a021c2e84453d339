using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace SafeMigrations.Engine.Tests.TestApp
{
    /// <summary>A context whose later migrations are plain EF <c>AlterColumn</c> calls, the way EF scaffolds them.</summary>
    public sealed class ProfilesContext : DbContext
    {
        public ProfilesContext(DbContextOptions<ProfilesContext> options)
            : base(options)
        {
        }

        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
            => optionsBuilder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    [DbContext(typeof(ProfilesContext))]
    [Migration("20240401000000_Profiles")]
    public partial class Profiles : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "profiles",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    nickname = table.Column<string>(type: "text", nullable: false),
                    score = table.Column<int>(type: "integer", nullable: true),
                    status = table.Column<string>(type: "text", nullable: false, defaultValue: "new"),
                    bio = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    rank = table.Column<int>(type: "integer", nullable: false, defaultValueSql: "0"),
                },
                constraints: table => table.PrimaryKey("PK_profiles", x => x.id));
        }

        protected override void Down(MigrationBuilder migrationBuilder) => migrationBuilder.DropTable(name: "profiles");
    }

    /// <summary>Nullability and defaults both ways, each with EF's same-type TYPE clause: every one can be undone.</summary>
    [DbContext(typeof(ProfilesContext))]
    [Migration("20240402000000_ProfileTweaks")]
    public partial class ProfileTweaks : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(name: "nickname", table: "profiles", type: "text", nullable: true, oldClrType: typeof(string), oldType: "text");
            migrationBuilder.AlterColumn<int>(name: "score", table: "profiles", type: "integer", nullable: false, defaultValue: 0, oldClrType: typeof(int), oldType: "integer", oldNullable: true);
            migrationBuilder.AlterColumn<string>(name: "status", table: "profiles", type: "text", nullable: false, defaultValue: "active", oldClrType: typeof(string), oldType: "text", oldDefaultValue: "new");
            migrationBuilder.AlterColumn<string>(name: "bio", table: "profiles", type: "character varying(200)", maxLength: 200, nullable: true, defaultValueSql: "'(none)'", oldClrType: typeof(string), oldType: "character varying(200)", oldMaxLength: 200, oldNullable: true);
            migrationBuilder.AlterColumn<int>(name: "rank", table: "profiles", type: "integer", nullable: false, oldClrType: typeof(int), oldType: "integer", oldDefaultValueSql: "0");
            migrationBuilder.AlterColumn<string>(name: "bio", table: "profiles", type: "character varying(200)", maxLength: 200, nullable: true, defaultValueSql: "'(none)'", comment: "shown on the profile page", oldClrType: typeof(string), oldType: "character varying(200)", oldMaxLength: 200, oldNullable: true, oldDefaultValueSql: "'(none)'");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }

    /// <summary>A real type change: no automatic undo.</summary>
    [DbContext(typeof(ProfilesContext))]
    [Migration("20240403000000_ScoreBigint")]
    public partial class ScoreBigint : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<long>(name: "score", table: "profiles", type: "bigint", nullable: false, defaultValue: 0L, oldClrType: typeof(int), oldType: "integer");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
        }
    }
}
