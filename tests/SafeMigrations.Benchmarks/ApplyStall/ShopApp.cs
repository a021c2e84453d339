using System;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

namespace SafeMigrations.Benchmarks.ApplyStall;

// The scaffolded EF Core app of the apply-stall benchmark: Customers and Orders, then one plain migration made of what
// `dotnet ef migrations add` writes for a required Status, an index, a foreign key and a check constraint.
// No SafeMigrations code anywhere: the engine's safe-by-default rewrites do the work.

public sealed class Customer
{
    public long Id { get; set; }
    public string Name { get; set; } = string.Empty;
}

public sealed class Order
{
    public long Id { get; set; }
    public long CustomerId { get; set; }
    public Customer? Customer { get; set; }
    public decimal Total { get; set; }
    public string Status { get; set; } = string.Empty;
    public DateTime CreatedAt { get; set; }
}

public sealed class ShopContext : DbContext
{
    public ShopContext(DbContextOptions<ShopContext> options)
        : base(options)
    {
    }

    public DbSet<Customer> Customers => Set<Customer>();

    public DbSet<Order> Orders => Set<Order>();

    // The migrations carry no Designer/snapshot model (hand-copied scaffold output), so EF 9+ would report pending
    // model changes; the app would not.
    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
        => optionsBuilder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Order>().Property(o => o.Total).HasColumnType("numeric(12,2)");
        modelBuilder.Entity<Order>().HasIndex(o => o.CreatedAt);
        modelBuilder.Entity<Order>().ToTable(t => t.HasCheckConstraint("CK_Orders_Total_NonNegative", "\"Total\" >= 0"));
    }
}

[DbContext(typeof(ShopContext))]
[Migration("20250101000000_Initial")]
public partial class Initial : Migration
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
                CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
            },
            constraints: table => table.PrimaryKey("PK_Orders", x => x.Id));
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropTable(name: "Orders");
        migrationBuilder.DropTable(name: "Customers");
    }
}

/// <summary>The acceptance scenario: SET NOT NULL, CREATE INDEX, ADD FOREIGN KEY and ADD CHECK, as EF scaffolds them.</summary>
[DbContext(typeof(ShopContext))]
[Migration("20250102000000_OrderRules")]
public partial class OrderRules : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.AlterColumn<string>(
            name: "Status",
            table: "Orders",
            type: "text",
            nullable: false,
            defaultValue: "",
            oldClrType: typeof(string),
            oldType: "text",
            oldNullable: true);

        migrationBuilder.CreateIndex(
            name: "IX_Orders_CreatedAt",
            table: "Orders",
            column: "CreatedAt");

        migrationBuilder.CreateIndex(
            name: "IX_Orders_CustomerId",
            table: "Orders",
            column: "CustomerId");

        migrationBuilder.AddCheckConstraint(
            name: "CK_Orders_Total_NonNegative",
            table: "Orders",
            sql: "\"Total\" >= 0");

        migrationBuilder.AddForeignKey(
            name: "FK_Orders_Customers_CustomerId",
            table: "Orders",
            column: "CustomerId",
            principalTable: "Customers",
            principalColumn: "Id",
            onDelete: ReferentialAction.Cascade);
    }

    protected override void Down(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.DropForeignKey(name: "FK_Orders_Customers_CustomerId", table: "Orders");
        migrationBuilder.DropIndex(name: "IX_Orders_CreatedAt", table: "Orders");
        migrationBuilder.DropIndex(name: "IX_Orders_CustomerId", table: "Orders");
        migrationBuilder.DropCheckConstraint(name: "CK_Orders_Total_NonNegative", table: "Orders");
        migrationBuilder.AlterColumn<string>(name: "Status", table: "Orders", type: "text", nullable: true, oldClrType: typeof(string), oldType: "text");
    }
}
