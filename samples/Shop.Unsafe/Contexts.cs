using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace Shop.Unsafe
{
    /// <summary>Each scenario is its own context with its own two-migration history: a populated "Products" table, then the hazard.</summary>
    public abstract class ScenarioContext : DbContext
    {
        protected ScenarioContext(DbContextOptions options)
            : base(options)
        {
        }

        // Hand-written migrations without Designer/snapshot files.
        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
            => optionsBuilder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    public sealed class IndexWithoutConcurrentlyContext : ScenarioContext
    {
        public IndexWithoutConcurrentlyContext(DbContextOptions<IndexWithoutConcurrentlyContext> options) : base(options) { }
    }

    public sealed class RuntimeTypeChangeContext : ScenarioContext
    {
        public RuntimeTypeChangeContext(DbContextOptions<RuntimeTypeChangeContext> options) : base(options) { }
    }

    public sealed class HiddenRewriteContext : ScenarioContext
    {
        public HiddenRewriteContext(DbContextOptions<HiddenRewriteContext> options) : base(options) { }
    }

    public sealed class NotNullOverNullsContext : ScenarioContext
    {
        public NotNullOverNullsContext(DbContextOptions<NotNullOverNullsContext> options) : base(options) { }
    }

    public sealed class UnbatchedUpdateContext : ScenarioContext
    {
        public UnbatchedUpdateContext(DbContextOptions<UnbatchedUpdateContext> options) : base(options) { }
    }

    internal static class ProductsTable
    {
        public static void Create(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Products",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Name = table.Column<string>(type: "text", nullable: false),
                    PriceCents = table.Column<int>(type: "integer", nullable: false),
                    Description = table.Column<string>(type: "text", nullable: true),
                },
                constraints: table => table.PrimaryKey("PK_Products", x => x.Id));
        }
    }

    public static class Program
    {
        public static int Main()
        {
            System.Console.WriteLine("Unsafe migration scenarios for SafeMigrations verify; run verify with --context <scenario>Context.");
            return 0;
        }
    }
}
