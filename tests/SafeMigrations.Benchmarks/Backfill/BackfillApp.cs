using System;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using SafeMigrations;

namespace SafeMigrations.Benchmarks.Backfill;

// The app of the backfill benchmark: an Orders table with the indexes a real one carries, then a migration that fills
// a new column with SafeMigrations' Backfill step (plain EF would run it as one UPDATE of the whole table).

public sealed class LedgerOrder
{
    public long Id { get; set; }
    public long CustomerId { get; set; }
    public decimal Total { get; set; }
    public string Status { get; set; } = string.Empty;
    public DateTime CreatedAt { get; set; }
    public string? Note { get; set; }
    public long? TotalCents { get; set; }
}

public sealed class LedgerContext : DbContext
{
    public LedgerContext(DbContextOptions<LedgerContext> options)
        : base(options)
    {
    }

    public DbSet<LedgerOrder> Orders => Set<LedgerOrder>();

    // Hand-written migrations without Designer/snapshot model (see ApplyStall's ShopContext).
    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
        => optionsBuilder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<LedgerOrder>().ToTable("Orders");
        modelBuilder.Entity<LedgerOrder>().Property(o => o.Total).HasColumnType("numeric(12,2)");
    }
}

[DbContext(typeof(LedgerContext))]
[Migration(BackfillBenchmark.InitialMigration)]
public partial class LedgerInitial : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "Orders",
            columns: table => new
            {
                Id = table.Column<long>(type: "bigint", nullable: false)
                    .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                CustomerId = table.Column<long>(type: "bigint", nullable: false),
                Total = table.Column<decimal>(type: "numeric(12,2)", nullable: false),
                Status = table.Column<string>(type: "text", nullable: false),
                CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                Note = table.Column<string>(type: "text", nullable: true),
                TotalCents = table.Column<long>(type: "bigint", nullable: true),
            },
            constraints: table => table.PrimaryKey("PK_Orders", x => x.Id));
        migrationBuilder.CreateIndex(name: "IX_Orders_CustomerId", table: "Orders", column: "CustomerId");
        migrationBuilder.CreateIndex(name: "IX_Orders_CreatedAt", table: "Orders", column: "CreatedAt");
        migrationBuilder.CreateIndex(name: "IX_Orders_Status", table: "Orders", column: "Status");
    }

    protected override void Down(MigrationBuilder migrationBuilder)
        => migrationBuilder.DropTable(name: "Orders");
}

/// <summary>The measured step: fill TotalCents in every row (what a type-change recipe's backfill does).</summary>
[DbContext(typeof(LedgerContext))]
[Migration(BackfillBenchmark.FillMigration)]
public partial class LedgerFillTotalCents : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
        => migrationBuilder.Backfill(table: "Orders", column: "TotalCents", value: BackfillBenchmark.TotalCentsSql, where: "\"TotalCents\" IS NULL");

    protected override void Down(MigrationBuilder migrationBuilder)
    {
    }
}
