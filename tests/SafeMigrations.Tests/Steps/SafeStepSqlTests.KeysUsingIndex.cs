namespace SafeMigrations.Tests;

public partial class SafeStepSqlTests
{
    [Fact]
    public void AddUniqueConstraintUsingIndex_builds_the_index_concurrently_then_attaches_it()
    {
        var ops = Build(b => b.AddUniqueConstraintUsingIndex(name: "AK_Users_Email", table: "Users", column: "Email", schema: "app"));

        Assert.Equal(2, ops.Count);
        Assert.Equal("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"AK_Users_Email\" ON \"app\".\"Users\" (\"Email\");", ops[0].Sql);
        Assert.True(ops[0].SuppressTransaction);
        Assert.Equal("CreateIndexConcurrently", ops[0][SafeMigrationsAnnotations.Part]);
        Assert.Equal("ALTER TABLE \"app\".\"Users\" ADD CONSTRAINT \"AK_Users_Email\" UNIQUE USING INDEX \"AK_Users_Email\";", ops[1].Sql);
        Assert.False(ops[1].SuppressTransaction);
        Assert.Equal("AddConstraintUsingIndex", ops[1][SafeMigrationsAnnotations.Part]);
        Assert.All(ops, op => Assert.Equal("AddUniqueConstraintUsingIndex", op[SafeMigrationsAnnotations.Step]));
        Assert.All(ops, op => Assert.Equal(new[] { "Email" }, op[SafeMigrationsAnnotations.Columns]));
    }

    [Fact]
    public void AddPrimaryKeyUsingIndex_composite()
    {
        var ops = Build(b => b.AddPrimaryKeyUsingIndex(name: "PK_Lines", table: "Lines", columns: new[] { "OrderId", "LineNo" }));

        Assert.Equal("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"PK_Lines\" ON \"Lines\" (\"OrderId\", \"LineNo\");", ops[0].Sql);
        Assert.Equal("ALTER TABLE \"Lines\" ADD CONSTRAINT \"PK_Lines\" PRIMARY KEY USING INDEX \"PK_Lines\";", ops[1].Sql);
        Assert.All(ops, op => Assert.Equal("AddPrimaryKeyUsingIndex", op[SafeMigrationsAnnotations.Step]));
    }
}
