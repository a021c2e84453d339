namespace SafeMigrations.Tests;

public partial class SafeStepSqlTests
{
    [Fact]
    public void DropIndexConcurrently_quotes_and_qualifies_and_suppresses_the_transaction()
    {
        var op = Single(b => b.DropIndexConcurrently(name: "IX_we\"ird", table: "Orders", schema: "shop"));

        Assert.Equal("DROP INDEX CONCURRENTLY IF EXISTS \"shop\".\"IX_we\"\"ird\";", op.Sql);
        Assert.True(op.SuppressTransaction);
        Assert.Equal("DropIndexConcurrently", op[SafeMigrationsAnnotations.Step]);
        Assert.Equal("DropIndexConcurrently", op[SafeMigrationsAnnotations.Part]);
        Assert.Equal("IX_we\"ird", op[SafeMigrationsAnnotations.Name]);
        Assert.Equal("Orders", op[SafeMigrationsAnnotations.Table]);
        Assert.Equal("shop", op[SafeMigrationsAnnotations.Schema]);
    }

    [Fact]
    public void DropIndexConcurrently_without_schema_or_table_leaves_them_out()
    {
        var op = Single(b => b.DropIndexConcurrently("IX_Orders_Date"));

        Assert.Equal("DROP INDEX CONCURRENTLY IF EXISTS \"IX_Orders_Date\";", op.Sql);
        Assert.Null(op[SafeMigrationsAnnotations.Schema]);
        Assert.Null(op[SafeMigrationsAnnotations.Table]);
        Assert.DoesNotContain(op.GetAnnotations(), a => a.Name == SafeMigrationsAnnotations.Schema);
    }

    [Fact]
    public void CreateIndexConcurrently_with_columns_filter_and_method()
    {
        var op = Single(b => b.CreateIndexConcurrently(
            name: "IX_Orders_Tags", table: "Orders", columns: new[] { "Tags", "we\"ird" }, schema: "shop",
            unique: true, filter: "\"Deleted\" = false", method: "gin"));

        Assert.Equal(
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"IX_Orders_Tags\" ON \"shop\".\"Orders\" USING \"gin\" (\"Tags\", \"we\"\"ird\") WHERE \"Deleted\" = false;",
            op.Sql);
        Assert.True(op.SuppressTransaction);
        Assert.Equal(new[] { "Tags", "we\"ird" }, op[SafeMigrationsAnnotations.Columns]);
        Assert.Equal(true, op[SafeMigrationsAnnotations.Unique]);
        Assert.Equal("\"Deleted\" = false", op[SafeMigrationsAnnotations.Filter]);
        Assert.Equal("gin", op[SafeMigrationsAnnotations.Method]);
        Assert.Null(op[SafeMigrationsAnnotations.Expression]);
    }

    [Fact]
    public void CreateExpressionIndexConcurrently_inserts_the_expression_as_written()
    {
        var op = Single(b => b.CreateExpressionIndexConcurrently(name: "IX_Users_Email", table: "Users", expression: "lower(\"Email\")"));

        Assert.Equal("CREATE INDEX CONCURRENTLY IF NOT EXISTS \"IX_Users_Email\" ON \"Users\" (lower(\"Email\"));", op.Sql);
        Assert.Equal("lower(\"Email\")", op[SafeMigrationsAnnotations.Expression]);
        Assert.Equal(false, op[SafeMigrationsAnnotations.Unique]);
        Assert.Null(op[SafeMigrationsAnnotations.Columns]);
    }
}
