using System;
using Microsoft.EntityFrameworkCore.Migrations;

namespace SafeMigrations.Tests;

public partial class SafeStepSqlTests
{
    [Fact]
    public void AddForeignKeyNotValid_single_column_references_the_principal_key()
    {
        var op = Single(b => b.AddForeignKeyNotValid(
            name: "FK_Orders_Customers_CustomerId", table: "Orders", column: "CustomerId", principalTable: "Customers",
            onDelete: ReferentialAction.Cascade));

        Assert.Equal(
            "ALTER TABLE \"Orders\" ADD CONSTRAINT \"FK_Orders_Customers_CustomerId\" FOREIGN KEY (\"CustomerId\") REFERENCES \"Customers\" ON DELETE CASCADE NOT VALID;",
            op.Sql);
        Assert.False(op.SuppressTransaction);
        Assert.Equal("AddForeignKeyNotValid", op[SafeMigrationsAnnotations.Step]);
        Assert.Equal(new[] { "CustomerId" }, op[SafeMigrationsAnnotations.Columns]);
        Assert.Equal("Customers", op[SafeMigrationsAnnotations.PrincipalTable]);
        Assert.Null(op[SafeMigrationsAnnotations.PrincipalColumns]);
    }

    [Fact]
    public void AddForeignKeyNotValid_composite_with_schemas_and_actions()
    {
        var op = Single(b => b.AddForeignKeyNotValid(
            name: "FK_x", table: "Lines", columns: new[] { "OrderId", "Shop" }, principalTable: "Orders",
            schema: "sales", principalSchema: "core", principalColumns: new[] { "Id", "Shop" },
            onUpdate: ReferentialAction.Restrict, onDelete: ReferentialAction.SetNull));

        Assert.Equal(
            "ALTER TABLE \"sales\".\"Lines\" ADD CONSTRAINT \"FK_x\" FOREIGN KEY (\"OrderId\", \"Shop\") REFERENCES \"core\".\"Orders\" (\"Id\", \"Shop\") ON UPDATE RESTRICT ON DELETE SET NULL NOT VALID;",
            op.Sql);
        Assert.Equal("core", op[SafeMigrationsAnnotations.PrincipalSchema]);
        Assert.Equal(new[] { "Id", "Shop" }, op[SafeMigrationsAnnotations.PrincipalColumns]);
    }

    [Fact]
    public void AddForeignKeyNotValid_rejects_mismatched_column_counts()
    {
        var error = Assert.Throws<ArgumentException>(() => Build(b => b.AddForeignKeyNotValid(
            name: "FK_x", table: "Lines", columns: new[] { "A", "B" }, principalTable: "Orders", principalColumns: new[] { "Id" })));
        Assert.Equal("principalColumns", error.ParamName);
    }

    [Fact]
    public void AddCheckConstraintNotValid_and_ValidateConstraint()
    {
        var ops = Build(b =>
        {
            b.AddCheckConstraintNotValid(name: "CK_Price", table: "Products", sql: "\"Price\" >= 0", schema: "shop");
            b.ValidateConstraint(name: "CK_Price", table: "Products", schema: "shop");
        });

        Assert.Equal("ALTER TABLE \"shop\".\"Products\" ADD CONSTRAINT \"CK_Price\" CHECK (\"Price\" >= 0) NOT VALID;", ops[0].Sql);
        Assert.False(ops[0].SuppressTransaction);
        Assert.Equal("\"Price\" >= 0", ops[0][SafeMigrationsAnnotations.CheckSql]);
        Assert.Equal("ALTER TABLE \"shop\".\"Products\" VALIDATE CONSTRAINT \"CK_Price\";", ops[1].Sql);
        Assert.True(ops[1].SuppressTransaction);
        Assert.Equal("ValidateConstraint", ops[1][SafeMigrationsAnnotations.Step]);
        Assert.Equal("CK_Price", ops[1][SafeMigrationsAnnotations.Name]);
    }
}
