using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace SafeMigrations.Tests;

/// <summary>Exact SQL, transaction flags and annotations of every safe step; one file per step family in Steps/.</summary>
public partial class SafeStepSqlTests
{
    private const string Npgsql = "Npgsql.EntityFrameworkCore.PostgreSQL";

    private static List<SqlOperation> Build(Action<MigrationBuilder> up)
    {
        var builder = new MigrationBuilder(Npgsql);
        up(builder);
        return builder.Operations.Cast<SqlOperation>().ToList();
    }

    private static SqlOperation Single(Action<MigrationBuilder> up) => Assert.Single(Build(up));

    // ---- builder, phases, providers, generator ----

    [Fact]
    public void InContractPhase_on_a_step_marks_every_operation_of_the_step()
    {
        var builder = new MigrationBuilder(Npgsql);
        builder.AddColumn<string>(name: "Note", table: "Users", nullable: true);
        var step = builder.SetNotNullThroughCheck(column: "Email", table: "Users");

        var returned = step.InContractPhase();

        Assert.Same(step, returned);
        Assert.Equal(MigrationPhase.Expand, MigrationPhases.GetPhase(builder.Operations[0]));
        Assert.All(builder.Operations.Skip(1), op => Assert.Equal(MigrationPhase.Contract, MigrationPhases.GetPhase(op)));
    }

    [Fact]
    public void Annotation_on_a_step_lands_on_every_operation()
    {
        var builder = new MigrationBuilder(Npgsql);
        builder.AddUniqueConstraintUsingIndex("AK", "T", "C").Annotation("Custom:Tag", 7);

        Assert.All(builder.Operations, op => Assert.Equal(7, op["Custom:Tag"]));
    }

    [Fact]
    public void Every_step_annotation_name_starts_with_the_prefix()
    {
        var names = typeof(SafeMigrationsAnnotations).GetFields()
            .Where(f => f.IsLiteral && f.Name is not (nameof(SafeMigrationsAnnotations.Prefix) or nameof(SafeMigrationsAnnotations.Expand) or nameof(SafeMigrationsAnnotations.Contract)))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();

        Assert.Contains("SafeMigrations:Step", names);
        Assert.All(names, n => Assert.StartsWith("SafeMigrations:", n, StringComparison.Ordinal));
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public void Another_provider_gets_a_clear_error()
    {
        var builder = new MigrationBuilder("Microsoft.EntityFrameworkCore.SqlServer");
        var error = Assert.Throws<InvalidOperationException>(() => builder.DropIndexConcurrently("IX"));
        Assert.Contains("PostgreSQL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_builder_without_a_provider_is_accepted()
    {
        // new MyMigration().UpOperations builds with no provider; the analyzers and the engine read migrations that way.
        var builder = new MigrationBuilder(activeProvider: null);
        builder.DropIndexConcurrently("IX");
        Assert.Single(builder.Operations);
    }

    [Fact]
    public void Names_with_a_NUL_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Build(b => b.DropIndexConcurrently("IX\0")));
    }

    [Fact]
    public void Npgsql_generator_passes_the_sql_through_and_keeps_the_transaction_flags()
    {
        var operations = Build(b =>
        {
            b.AddForeignKeyNotValid("FK", "Orders", "CustomerId", "Customers");
            b.ValidateConstraint("FK", "Orders");
            b.SetNotNullThroughCheck("Email", "Users");
            b.AddPrimaryKeyUsingIndex("PK_T", "T", "Id");
        });

        var options = new DbContextOptionsBuilder<DbContext>().UseNpgsql("Host=localhost").Options;
        using var context = new DbContext(options);
        var commands = context.GetService<IMigrationsSqlGenerator>().Generate(operations.Cast<MigrationOperation>().ToList(), model: null);

        Assert.Equal(operations.Count, commands.Count);
        for (int i = 0; i < operations.Count; i++)
        {
            Assert.Equal(operations[i].Sql, commands[i].CommandText.TrimEnd());
            Assert.Equal(operations[i].SuppressTransaction, commands[i].TransactionSuppressed);
        }
    }
}
