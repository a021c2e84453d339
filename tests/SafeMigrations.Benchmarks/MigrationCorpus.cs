using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace SafeMigrations.Benchmarks;

/// <summary>
/// Generates a realistic EF Core migration history: each migration is shaped like `dotnet ef migrations add`
/// output (named arguments, CreateTable lambdas, annotations, raw SQL), mostly safe with a sprinkling of hazards.
/// </summary>
public static class MigrationCorpus
{
    public static IReadOnlyList<(string Path, string Source)> Generate(int migrationCount)
    {
        var files = new List<(string, string)>
        {
            ("ShopContext.cs", """
                using Microsoft.EntityFrameworkCore;
                namespace Shop;
                public class ShopContext : DbContext
                {
                    public ShopContext(DbContextOptions<ShopContext> options) : base(options) { }
                }
                """),
        };

        for (var i = 0; i < migrationCount; i++)
        {
            files.Add(($"Migrations/{Id(i)}.cs", Migration(i)));
        }

        return files;
    }

    /// <summary>The id of the <paramref name="i"/>-th migration (from 0).</summary>
    public static string Id(int i) =>
        "2024" + (100000000 + i).ToString(CultureInfo.InvariantCulture) + "_Step" + i.ToString(CultureInfo.InvariantCulture);

    private static string Migration(int i)
    {
        var table = "table_" + (i / 10).ToString(CultureInfo.InvariantCulture);
        var up = new StringBuilder();
        var down = new StringBuilder();

        switch (i % 10)
        {
            case 0:
                up.Append($$"""
                    migrationBuilder.CreateTable(
                        name: "{{table}}",
                        columns: table => new
                        {
                            id = table.Column<long>(type: "bigint", nullable: false)
                                .Annotation("Npgsql:ValueGenerationStrategy", Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                            name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                            created_at = table.Column<System.DateTime>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                        },
                        constraints: table =>
                        {
                            table.PrimaryKey("PK_{{table}}", x => x.id);
                        });

                    migrationBuilder.CreateIndex(
                        name: "IX_{{table}}_name",
                        table: "{{table}}",
                        column: "name");
                    """);
                down.Append($$"""migrationBuilder.DropTable(name: "{{table}}");""");
                break;
            case 1:
            case 5:
                up.Append($$"""
                    migrationBuilder.AddColumn<string>(
                        name: "note_{{i}}",
                        table: "{{table}}",
                        type: "text",
                        nullable: true);
                    """);
                down.Append($$"""migrationBuilder.DropColumn(name: "note_{{i}}", table: "{{table}}");""");
                break;
            case 2:
                up.Append($$"""
                    migrationBuilder.CreateIndex(
                        name: "IX_{{table}}_created_at",
                        table: "{{table}}",
                        column: "created_at")
                        .Annotation("Npgsql:CreatedConcurrently", true);
                    """);
                down.Append($$"""migrationBuilder.DropIndex(name: "IX_{{table}}_created_at", table: "{{table}}");""");
                break;
            case 3:
                up.Append($$"""
                    migrationBuilder.AlterColumn<string>(
                        name: "name",
                        table: "{{table}}",
                        type: "character varying(400)",
                        maxLength: 400,
                        nullable: false,
                        oldClrType: typeof(string),
                        oldType: "character varying(200)",
                        oldMaxLength: 200);
                    """);
                break;
            case 4:
                up.Append($$"""
                    migrationBuilder.Sql(@"CREATE INDEX CONCURRENTLY IF NOT EXISTS ""IX_{{table}}_lower_name"" ON ""{{table}}"" (lower(""name""));", suppressTransaction: true);
                    """);
                break;
            case 6:
                up.Append($$"""
                    migrationBuilder.AddColumn<int>(
                        name: "rank_{{i}}",
                        table: "{{table}}",
                        type: "integer",
                        nullable: false,
                        defaultValue: 0);
                    """);
                break;
            case 7:
                // A hazard: plain index on an existing table.
                up.Append($$"""
                    migrationBuilder.CreateIndex(
                        name: "IX_{{table}}_rank",
                        table: "{{table}}",
                        column: "rank_{{i - 1}}");
                    """);
                break;
            case 8:
                up.Append($$"""
                    migrationBuilder.InsertData(
                        table: "{{table}}",
                        columns: new[] { "id", "name", "created_at" },
                        values: new object[] { {{i}}L, "seed {{i}}", new System.DateTime(2024, 1, 1, 0, 0, 0, System.DateTimeKind.Utc) });
                    """);
                break;
            default:
                // A hazard: one-shot UPDATE of every row.
                up.Append($$"""
                    migrationBuilder.Sql("UPDATE \"{{table}}\" SET \"name\" = upper(\"name\");");
                    """);
                break;
        }

        return $$"""
            using Microsoft.EntityFrameworkCore.Infrastructure;
            using Microsoft.EntityFrameworkCore.Migrations;

            #nullable disable

            namespace Shop.Migrations
            {
                [DbContext(typeof(ShopContext))]
                [Migration("{{Id(i)}}")]
                public partial class Step{{i}} : Migration
                {
                    protected override void Up(MigrationBuilder migrationBuilder)
                    {
                        {{up}}
                    }

                    protected override void Down(MigrationBuilder migrationBuilder)
                    {
                        {{down}}
                    }
                }
            }
            """;
    }
}
