using System;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Migrations.Operations.Builders;

namespace SafeMigrations.Tests;

public class PhaseMarkTests
{
    private static MigrationBuilder NewBuilder() => new("Npgsql.EntityFrameworkCore.PostgreSQL");

    [Fact]
    public void Constants_have_the_documented_values()
    {
        Assert.Equal("SafeMigrations:", SafeMigrationsAnnotations.Prefix);
        Assert.Equal("SafeMigrations:Phase", SafeMigrationsAnnotations.Phase);
        Assert.Equal("Expand", SafeMigrationsAnnotations.Expand);
        Assert.Equal("Contract", SafeMigrationsAnnotations.Contract);
        Assert.StartsWith(SafeMigrationsAnnotations.Prefix, SafeMigrationsAnnotations.Phase, StringComparison.Ordinal);
    }

    [Fact]
    public void InContractPhase_sets_the_phase_annotation_and_returns_the_same_builder()
    {
        var mb = NewBuilder();
        var builder = mb.DropColumn(name: "Legacy", table: "Orders");

        var returned = builder.InContractPhase();

        Assert.Same(builder, returned);
        var op = Assert.IsType<DropColumnOperation>(Assert.Single(mb.Operations));
        Assert.Equal("Contract", op[SafeMigrationsAnnotations.Phase]);
        Assert.Equal(MigrationPhase.Contract, MigrationPhases.GetPhase(op));
    }

    [Fact]
    public void Unmarked_operation_is_in_the_expand_phase()
    {
        var mb = NewBuilder();
        mb.AddColumn<string>(name: "Note", table: "Orders", nullable: true);

        var op = Assert.Single(mb.Operations);
        Assert.Null(op[SafeMigrationsAnnotations.Phase]);
        Assert.Equal(MigrationPhase.Expand, MigrationPhases.GetPhase(op));
    }

    [Fact]
    public void Marking_twice_is_harmless()
    {
        var mb = NewBuilder();
        mb.DropTable(name: "Legacy").InContractPhase().InContractPhase();

        Assert.Equal(MigrationPhase.Contract, MigrationPhases.GetPhase(Assert.Single(mb.Operations)));
    }

    [Fact]
    public void Chains_with_Annotation_in_both_orders()
    {
        var mb = NewBuilder();
        mb.DropIndex(name: "IX_A", table: "Orders").InContractPhase().Annotation("Custom:A", 1);
        mb.DropIndex(name: "IX_B", table: "Orders").Annotation("Custom:B", 2).InContractPhase();

        Assert.Collection(
            mb.Operations,
            a =>
            {
                Assert.Equal(1, a["Custom:A"]);
                Assert.Equal(MigrationPhase.Contract, MigrationPhases.GetPhase(a));
            },
            b =>
            {
                Assert.Equal(2, b["Custom:B"]);
                Assert.Equal(MigrationPhase.Contract, MigrationPhases.GetPhase(b));
            });
    }

    [Fact]
    public void Alter_builder_keeps_its_type_so_OldAnnotation_stays_chainable()
    {
        var mb = NewBuilder();

        // Both orders must compile: the alter-specific members survive the mark.
        AlterOperationBuilder<AlterColumnOperation> first = mb
            .AlterColumn<string>(name: "Name", table: "Orders", nullable: true, oldClrType: typeof(string), oldNullable: false)
            .InContractPhase()
            .OldAnnotation("Custom:Old", "x");
        AlterOperationBuilder<AlterColumnOperation> second = mb
            .AlterColumn<string>(name: "Code", table: "Orders", nullable: true, oldClrType: typeof(string), oldNullable: false)
            .OldAnnotation("Custom:Old", "y")
            .InContractPhase()
            .Annotation("Custom:New", "z");

        var a = ((IInfrastructure<AlterColumnOperation>)first).Instance;
        var b = ((IInfrastructure<AlterColumnOperation>)second).Instance;
        Assert.Equal(MigrationPhase.Contract, MigrationPhases.GetPhase(a));
        Assert.Equal("x", a.OldColumn["Custom:Old"]);
        Assert.Equal(MigrationPhase.Contract, MigrationPhases.GetPhase(b));
        Assert.Equal("y", b.OldColumn["Custom:Old"]);
        Assert.Equal("z", b["Custom:New"]);
    }

    [Fact]
    public void CreateTable_builder_keeps_its_type_so_constraints_stay_chainable()
    {
        var mb = NewBuilder();

        CreateTableBuilder<Columns> table = mb
            .CreateTable(
                name: "Archive",
                columns: t => new Columns(t.Column<int>(type: "integer", nullable: false)))
            .InContractPhase()
            .Annotation("Custom:T", true);
        table.PrimaryKey("PK_Archive", x => x.Id);

        // Other order; note PrimaryKey(...) returns the key's own builder, so the mark goes before it.
        mb.CreateTable(name: "Other", columns: t => new Columns(t.Column<int>(type: "integer", nullable: false)))
            .Annotation("Custom:U", 1)
            .InContractPhase()
            .PrimaryKey("PK_Other", x => x.Id);

        var archive = Assert.IsType<CreateTableOperation>(mb.Operations[0]);
        Assert.Equal(MigrationPhase.Contract, MigrationPhases.GetPhase(archive));
        Assert.Equal(true, archive["Custom:T"]);
        Assert.Equal("PK_Archive", archive.PrimaryKey?.Name);

        var other = Assert.IsType<CreateTableOperation>(mb.Operations[1]);
        Assert.Equal(MigrationPhase.Contract, MigrationPhases.GetPhase(other));
        Assert.Equal(1, other["Custom:U"]);
        Assert.Equal("PK_Other", other.PrimaryKey?.Name);
    }

    [Fact]
    public void Works_on_the_builder_of_a_raw_Sql_operation()
    {
        var mb = NewBuilder();
        mb.Sql("DROP VIEW legacy_orders;").InContractPhase();

        Assert.Equal(MigrationPhase.Contract, MigrationPhases.GetPhase(Assert.IsType<SqlOperation>(Assert.Single(mb.Operations))));
    }

    [Fact]
    public void Null_builder_is_rejected()
    {
        OperationBuilder<DropTableOperation> builder = null!;
        Assert.Throws<ArgumentNullException>(() => builder.InContractPhase());
    }

    [Theory]
    [InlineData("Contract", MigrationPhase.Contract)]
    [InlineData("Expand", MigrationPhase.Expand)]
    public void Annotation_set_by_hand_is_read(string value, MigrationPhase expected)
    {
        var mb = NewBuilder();
        mb.DropTable(name: "T").Annotation(SafeMigrationsAnnotations.Phase, value);

        Assert.Equal(expected, MigrationPhases.GetPhase(Assert.Single(mb.Operations)));
    }

    [Theory]
    [InlineData("Contrat")]
    [InlineData("contract")]
    [InlineData("")]
    public void Phase_value_that_is_not_a_phase_gives_a_clear_error(string value)
    {
        var op = new DropTableOperation { Name = "T" };
        op[SafeMigrationsAnnotations.Phase] = value;

        var error = Assert.Throws<InvalidOperationException>(() => MigrationPhases.GetPhase(op));
        Assert.Contains($"'{value}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("InContractPhase", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ContractPhase_attribute_puts_every_operation_of_the_migration_in_contract()
    {
        var migration = new ContractMigration();
        Assert.True(MigrationPhases.IsContractMigration(typeof(ContractMigration)));
        Assert.All(migration.UpOperations, op => Assert.Equal(MigrationPhase.Contract, MigrationPhases.GetPhase(migration, op)));
    }

    [Fact]
    public void Without_the_attribute_the_operation_annotation_decides()
    {
        var migration = new MixedMigration();
        Assert.False(MigrationPhases.IsContractMigration(typeof(MixedMigration)));
        Assert.Collection(
            migration.UpOperations,
            add => Assert.Equal(MigrationPhase.Expand, MigrationPhases.GetPhase(migration, add)),
            drop => Assert.Equal(MigrationPhase.Contract, MigrationPhases.GetPhase(migration, drop)));
    }

    [Fact]
    public void ContractPhase_attribute_is_not_inherited()
    {
        Assert.False(MigrationPhases.IsContractMigration(typeof(DerivedFromContractMigration)));
        var usage = (AttributeUsageAttribute)Attribute.GetCustomAttribute(typeof(ContractPhaseAttribute), typeof(AttributeUsageAttribute))!;
        Assert.Equal(AttributeTargets.Class, usage.ValidOn);
    }

    // A named columns type (EF normally gets an anonymous one) so the test can spell the builder's type.
    public sealed class Columns
    {
        public Columns(OperationBuilder<AddColumnOperation> id) => Id = id;

        public OperationBuilder<AddColumnOperation> Id { get; }
    }

    [ContractPhase]
    private class ContractMigration : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(name: "Legacy", table: "Orders");
            migrationBuilder.DropTable(name: "OldOrders");
        }
    }

    private sealed class DerivedFromContractMigration : ContractMigration
    {
    }

    private sealed class MixedMigration : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(name: "NewName", table: "Orders", nullable: true);
            migrationBuilder.DropColumn(name: "OldName", table: "Orders").InContractPhase();
        }
    }
}
