namespace SafeMigrations.Tests;

public partial class SafeStepSqlTests
{
    [Fact]
    public void Compatibility_view_create_and_drop()
    {
        var ops = Build(b =>
        {
            b.CreateCompatibilityView(viewName: "Customers", table: "Clients", schema: "crm");
            b.DropCompatibilityView(viewName: "Customers", schema: "crm");
        });

        Assert.Equal("CREATE OR REPLACE VIEW \"crm\".\"Customers\" AS SELECT * FROM \"crm\".\"Clients\";", ops[0].Sql);
        Assert.Equal("CreateCompatibilityView", ops[0][SafeMigrationsAnnotations.Step]);
        Assert.Equal("Customers", ops[0][SafeMigrationsAnnotations.Name]);
        Assert.Equal("Clients", ops[0][SafeMigrationsAnnotations.Table]);
        Assert.Equal("DROP VIEW IF EXISTS \"crm\".\"Customers\";", ops[1].Sql);
        Assert.Equal("DropCompatibilityView", ops[1][SafeMigrationsAnnotations.Step]);
        Assert.All(ops, op => Assert.False(op.SuppressTransaction));
    }
}
