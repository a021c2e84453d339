using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace SafeMigrations.Tests;

/// <summary>
/// The phase marks are annotations only: a marked migration must produce byte-for-byte the SQL of the unmarked one
/// through the real Npgsql generator, so plain <c>dotnet ef database update</c> is unaffected.
/// </summary>
public class SqlGenerationTests
{
    [Fact]
    public void Marked_and_unmarked_migrations_generate_identical_sql()
    {
        var plain = Generate(new ShopMigration(mark: false));
        var marked = Generate(new ShopMigration(mark: true));

        Assert.NotEmpty(plain);
        Assert.Equal(plain, marked);
    }

    [Fact]
    public void Contract_migration_class_generates_the_same_sql_as_an_unmarked_one()
    {
        Assert.Equal(Generate(new DropLegacy()), Generate(new DropLegacyContract()));
    }

    [Fact]
    public void Generated_sql_contains_no_trace_of_the_marks()
    {
        var sql = string.Join("\n", Generate(new ShopMigration(mark: true)).Select(c => c.Sql));
        Assert.DoesNotContain("SafeMigrations", sql, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Contract", sql, StringComparison.OrdinalIgnoreCase);
        // Sanity: the generator really ran, with Npgsql's quoting.
        Assert.Contains("CREATE TABLE \"Customers\"", sql, StringComparison.Ordinal);
        Assert.Contains("CREATE INDEX CONCURRENTLY", sql, StringComparison.Ordinal);
    }

    private static List<(string Sql, bool TransactionSuppressed)> Generate(Migration migration)
    {
        // No connection is opened: SQL generation only needs the provider's services.
        var options = new DbContextOptionsBuilder<DbContext>().UseNpgsql("Host=localhost").Options;
        using var context = new DbContext(options);
        var generator = context.GetService<IMigrationsSqlGenerator>();
        return generator
            .Generate(migration.UpOperations, model: null)
            .Select(c => (c.CommandText, c.TransactionSuppressed))
            .ToList();
    }

    private sealed class ShopMigration : Migration
    {
        private readonly bool _mark;

        public ShopMigration(bool mark) => _mark = mark;

        protected override void Up(MigrationBuilder migrationBuilder)
        {
            var table = migrationBuilder.CreateTable(
                name: "Customers",
                columns: t => new
                {
                    Id = t.Column<long>(type: "bigint", nullable: false),
                    Email = t.Column<string>(type: "text", nullable: false),
                },
                constraints: t => t.PrimaryKey("PK_Customers", x => x.Id));
            Mark(table);

            Mark(migrationBuilder.AddColumn<string>(name: "Note", table: "Orders", type: "text", nullable: true));
            Mark(migrationBuilder
                .AlterColumn<string>(name: "Name", table: "Orders", type: "text", nullable: true, oldClrType: typeof(string), oldType: "text", oldNullable: false));
            Mark(migrationBuilder
                .CreateIndex(name: "IX_Orders_CustomerId", table: "Orders", column: "CustomerId")
                .Annotation("Npgsql:CreatedConcurrently", true));
            Mark(migrationBuilder.RenameColumn(name: "Old", table: "Orders", newName: "New"));
            Mark(migrationBuilder.DropColumn(name: "Legacy", table: "Orders"));
            Mark(migrationBuilder.DropTable(name: "OldOrders"));
            Mark(migrationBuilder.Sql("UPDATE \"Orders\" SET \"Note\" = '' WHERE \"Id\" < 100;"));
        }

        private void Mark<TOperation>(Microsoft.EntityFrameworkCore.Migrations.Operations.Builders.OperationBuilder<TOperation> builder)
            where TOperation : Microsoft.EntityFrameworkCore.Migrations.Operations.MigrationOperation
        {
            if (_mark)
            {
                builder.InContractPhase();
            }
        }
    }

    private class DropLegacy : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(name: "Legacy", table: "Orders");
            migrationBuilder.DropTable(name: "OldOrders");
        }
    }

    [ContractPhase]
    private sealed class DropLegacyContract : DropLegacy
    {
    }
}
