using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Shop
{
    public sealed class Customer
    {
        public long Id { get; set; }
        public string FullName { get; set; } = string.Empty;
        public string? Email { get; set; }
        public List<Order> Orders { get; set; } = new();
    }

    public sealed class Product
    {
        public long Id { get; set; }
        public string Name { get; set; } = string.Empty;
        public string Sku { get; set; } = string.Empty;
        public int PriceCents { get; set; }
        public string? Description { get; set; }
        public string Status { get; set; } = "active";
    }

    public sealed class Order
    {
        public long Id { get; set; }
        public long CustomerId { get; set; }
        public Customer? Customer { get; set; }
        public DateTime PlacedAt { get; set; }
        public List<OrderLine> Lines { get; set; } = new();
    }

    public sealed class OrderLine
    {
        public long Id { get; set; }
        public long OrderId { get; set; }
        public Order? Order { get; set; }
        public long ProductId { get; set; }
        public Product? Product { get; set; }
        public long Quantity { get; set; }
        public int UnitPriceCents { get; set; }
    }

    public sealed class ShopContext : DbContext
    {
        public ShopContext(DbContextOptions<ShopContext> options)
            : base(options)
        {
        }

        public DbSet<Customer> Customers => Set<Customer>();
        public DbSet<Product> Products => Set<Product>();
        public DbSet<Order> Orders => Set<Order>();
        public DbSet<OrderLine> OrderLines => Set<OrderLine>();

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<Customer>().HasIndex(c => c.Email);
            modelBuilder.Entity<Product>().HasIndex(p => p.Sku).IsUnique();
            modelBuilder.Entity<Product>().Property(p => p.Status).HasDefaultValue("active");
            modelBuilder.Entity<Order>().Property(o => o.PlacedAt).HasColumnType("timestamp with time zone");
        }

        // The sample's migrations are written by hand, without Designer/snapshot files, so EF cannot compare the model.
        protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
            => optionsBuilder.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    /// <summary>Design-time creation (dotnet ef, SafeMigrations): the connection comes from SHOP_CONNECTION.</summary>
    public sealed class ShopContextFactory : IDesignTimeDbContextFactory<ShopContext>
    {
        public ShopContext CreateDbContext(string[] args)
        {
            string connection = Environment.GetEnvironmentVariable("SHOP_CONNECTION") ?? "Host=localhost;Database=shop;Username=postgres";
            return new ShopContext(new DbContextOptionsBuilder<ShopContext>().UseNpgsql(connection).Options);
        }
    }
}
