using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Internal;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace SafeMigrations.Benchmarks.StallTable;

// The stall table's app: one Orders table that every scenario changes, and the migrations of every scenario. Each run
// sees only the base migration and the one migration of its scenario and side (StallContext.ActiveMigration), so one
// DbContext serves plain Migrate() and the engine alike.

public sealed class StallCustomer
{
    public long Id { get; set; }
    public string Name { get; set; } = string.Empty;
}

public sealed class StallOrder
{
    public long Id { get; set; }
    public long CustomerId { get; set; }
    public decimal Total { get; set; }
    public string? Status { get; set; }
    public int Quantity { get; set; }
    public string? Note { get; set; }
    public DateTime PlacedAt { get; set; }
    public Guid Reference { get; set; }
    public long? TotalCents { get; set; }
}

public sealed class StallContext : DbContext
{
    public const string BaseMigration = "20250101000000_StallBase";

    /// <summary>The scenario migration the next context sees besides the base one (runs are sequential).</summary>
    public static string? ActiveMigration { get; set; }

    public StallContext(DbContextOptions<StallContext> options)
        : base(options)
    {
    }

    public DbSet<StallCustomer> Customers => Set<StallCustomer>();

    public DbSet<StallOrder> Orders => Set<StallOrder>();

    // No Designer/snapshot models (hand-written scaffold output): EF 9+ would report pending model changes.
    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
        => optionsBuilder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning))
            .ReplaceService<IMigrationsAssembly, ScenarioMigrationsAssembly>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<StallCustomer>().ToTable("Customers");
        modelBuilder.Entity<StallOrder>().ToTable("Orders");
        modelBuilder.Entity<StallOrder>().Property(o => o.Total).HasColumnType("numeric(12,2)");
        modelBuilder.Entity<StallOrder>().Property(o => o.PlacedAt).HasColumnType("timestamp without time zone");
    }
}

#pragma warning disable EF1001 // MigrationsAssembly is internal API; a benchmark may lean on it.
/// <summary>The migrations of this assembly filtered to the base one and <see cref="StallContext.ActiveMigration"/>.</summary>
public sealed class ScenarioMigrationsAssembly : MigrationsAssembly
{
    public ScenarioMigrationsAssembly(ICurrentDbContext currentContext, IDbContextOptions options, IMigrationsIdGenerator idGenerator, IDiagnosticsLogger<DbLoggerCategory.Migrations> logger)
        : base(currentContext, options, idGenerator, logger)
    {
    }

    public override IReadOnlyDictionary<string, TypeInfo> Migrations
        => base.Migrations.Where(m => m.Key == StallContext.BaseMigration || m.Key == StallContext.ActiveMigration)
            .ToDictionary(m => m.Key, m => m.Value);
}
#pragma warning restore EF1001

[DbContext(typeof(StallContext))]
[Migration(StallContext.BaseMigration)]
public sealed class StallBase : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "Customers",
            columns: table => new
            {
                Id = table.Column<long>(type: "bigint", nullable: false)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                Name = table.Column<string>(type: "text", nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Customers", x => x.Id));

        migrationBuilder.CreateTable(
            name: "Orders",
            columns: table => new
            {
                Id = table.Column<long>(type: "bigint", nullable: false)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                CustomerId = table.Column<long>(type: "bigint", nullable: false),
                Total = table.Column<decimal>(type: "numeric(12,2)", nullable: false),
                Status = table.Column<string>(type: "text", nullable: true),
                Quantity = table.Column<int>(type: "integer", nullable: false),
                Note = table.Column<string>(type: "text", nullable: true),
                PlacedAt = table.Column<DateTime>(type: "timestamp without time zone", nullable: false),
                Reference = table.Column<Guid>(type: "uuid", nullable: false, defaultValueSql: "gen_random_uuid()"),
                TotalCents = table.Column<long>(type: "bigint", nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_Orders", x => x.Id));
    }
}
