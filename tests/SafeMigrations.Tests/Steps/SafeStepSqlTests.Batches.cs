using System;

namespace SafeMigrations.Tests;

public partial class SafeStepSqlTests
{
    [Fact]
    public void Backfill_with_a_set_list_is_one_update_under_plain_ef_and_carries_the_batching_arguments()
    {
        var op = Single(b => b.Backfill(
            table: "Users", set: "\"EmailLower\" = lower(\"Email\")", where: "\"EmailLower\" IS NULL",
            batchSize: 5_000, keyColumns: new[] { "TenantId", "Id" }, schema: "app"));

        Assert.Equal("UPDATE \"app\".\"Users\" SET \"EmailLower\" = lower(\"Email\") WHERE \"EmailLower\" IS NULL;", op.Sql);
        Assert.False(op.SuppressTransaction);
        Assert.Equal("Backfill", op[SafeMigrationsAnnotations.Step]);
        Assert.Equal("\"EmailLower\" = lower(\"Email\")", op[SafeMigrationsAnnotations.Set]);
        Assert.Equal("\"EmailLower\" IS NULL", op[SafeMigrationsAnnotations.Where]);
        Assert.Equal(5_000, op[SafeMigrationsAnnotations.BatchSize]);
        Assert.Equal(new[] { "TenantId", "Id" }, op[SafeMigrationsAnnotations.KeyColumns]);
        Assert.Null(op[SafeMigrationsAnnotations.Column]);
    }

    [Fact]
    public void Backfill_of_one_column_quotes_it_and_defaults_the_batch_size()
    {
        var op = Single(b => b.Backfill(table: "Orders", column: "Qty\"New", value: "\"Qty\"::bigint", where: "\"Qty\"\"New\" IS NULL"));

        Assert.Equal("UPDATE \"Orders\" SET \"Qty\"\"New\" = \"Qty\"::bigint WHERE \"Qty\"\"New\" IS NULL;", op.Sql);
        Assert.Equal("Qty\"New", op[SafeMigrationsAnnotations.Column]);
        Assert.Equal("\"Qty\"\"New\" = \"Qty\"::bigint", op[SafeMigrationsAnnotations.Set]);
        Assert.Equal(10_000, op[SafeMigrationsAnnotations.BatchSize]);
        Assert.Null(op[SafeMigrationsAnnotations.KeyColumns]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Backfill_requires_a_predicate(string where)
    {
        var error = Assert.Throws<ArgumentException>(() => Build(b => b.Backfill(table: "T", set: "\"a\" = 1", where: where)));
        Assert.Equal("where", error.ParamName);
        Assert.Contains("missed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Backfill_rejects_an_empty_batch()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Build(b => b.Backfill(table: "T", set: "\"a\" = 1", where: "\"a\" IS NULL", batchSize: 0)));
    }

    [Fact]
    public void DeleteInBatches_is_one_delete_under_plain_ef_and_carries_the_batching_arguments()
    {
        var op = Single(b => b.DeleteInBatches(
            table: "Events", where: "\"CreatedAt\" < now() - interval '1 year'", batchSize: 2_000, keyColumns: new[] { "Id" }, schema: "audit"));

        Assert.Equal("DELETE FROM \"audit\".\"Events\" WHERE \"CreatedAt\" < now() - interval '1 year';", op.Sql);
        Assert.False(op.SuppressTransaction);
        Assert.Equal("DeleteInBatches", op[SafeMigrationsAnnotations.Step]);
        Assert.Equal("DeleteInBatches", op[SafeMigrationsAnnotations.Part]);
        Assert.Equal("audit", op[SafeMigrationsAnnotations.Schema]);
        Assert.Equal("Events", op[SafeMigrationsAnnotations.Table]);
        Assert.Equal("\"CreatedAt\" < now() - interval '1 year'", op[SafeMigrationsAnnotations.Where]);
        Assert.Equal(2_000, op[SafeMigrationsAnnotations.BatchSize]);
        Assert.Equal(new[] { "Id" }, op[SafeMigrationsAnnotations.KeyColumns]);
        Assert.Null(op[SafeMigrationsAnnotations.Set]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void DeleteInBatches_requires_a_predicate(string where)
    {
        var error = Assert.Throws<ArgumentException>(() => Build(b => b.DeleteInBatches(table: "T", where: where)));
        Assert.Equal("where", error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Build(b => b.DeleteInBatches(table: "T", where: "TRUE", batchSize: 0)));
    }
}
