using System;

namespace SafeMigrations.Tests;

public partial class SafeStepSqlTests
{
    [Fact]
    public void SwapColumns_renames_both_and_replaces_the_sync_trigger_with_a_reverse_one()
    {
        var op = Single(b => b.SwapColumns(table: "Orders", column: "Qty", replacementColumn: "QtyNew", reverseConvertSql: "NEW.\"Qty\"::integer"));

        // Either direction's sync trigger is dropped the way DropSyncTrigger drops it (defaults given back).
        string dropForward = Single(b => b.DropSyncTrigger(table: "Orders", fromColumn: "Qty", toColumn: "QtyNew")).Sql;
        string dropBackward = Single(b => b.DropSyncTrigger(table: "Orders", fromColumn: "QtyNew", toColumn: "Qty")).Sql;
        Assert.Equal(
            dropForward + "\n" +
            dropBackward + "\n" +
            "ALTER TABLE \"Orders\" RENAME COLUMN \"Qty\" TO \"Qty_old\";\n" +
            "ALTER TABLE \"Orders\" RENAME COLUMN \"QtyNew\" TO \"Qty\";\n" +
            "CREATE OR REPLACE FUNCTION \"sync_Orders_Qty_to_Qty_old\"() RETURNS trigger LANGUAGE plpgsql AS $sync$\n" +
            "BEGIN\n" +
            "    NEW.\"Qty_old\" := NEW.\"Qty\"::integer;\n" +
            "    RETURN NEW;\n" +
            "END;\n" +
            "$sync$;\n" +
            "DROP TRIGGER IF EXISTS \"sync_Qty_to_Qty_old\" ON \"Orders\";\n" +
            "CREATE TRIGGER \"sync_Qty_to_Qty_old\" BEFORE INSERT OR UPDATE ON \"Orders\" FOR EACH ROW EXECUTE FUNCTION \"sync_Orders_Qty_to_Qty_old\"();",
            op.Sql);
        Assert.False(op.SuppressTransaction);
        Assert.Equal("SwapColumns", op[SafeMigrationsAnnotations.Step]);
        Assert.Equal("Qty", op[SafeMigrationsAnnotations.Column]);
        Assert.Equal("QtyNew", op[SafeMigrationsAnnotations.ReplacementColumn]);
        Assert.Equal("Qty_old", op[SafeMigrationsAnnotations.OldColumn]);
        Assert.Equal("sync_Qty_to_Qty_old", op[SafeMigrationsAnnotations.TriggerName]);
        Assert.Equal("sync_Orders_Qty_to_Qty_old", op[SafeMigrationsAnnotations.FunctionName]);

        // The contract phase drops that trigger by naming the same columns.
        var drop = Single(b => b.DropSyncTrigger(table: "Orders", fromColumn: "Qty", toColumn: "Qty_old"));
        Assert.Equal(op[SafeMigrationsAnnotations.TriggerName], drop[SafeMigrationsAnnotations.TriggerName]);
    }

    [Fact]
    public void SwapColumns_with_an_explicit_old_name_and_schema()
    {
        var op = Single(b => b.SwapColumns(table: "Orders", column: "Qty", replacementColumn: "QtyNew", schema: "shop", oldColumn: "QtyLegacy"));

        Assert.Contains("ALTER TABLE \"shop\".\"Orders\" RENAME COLUMN \"Qty\" TO \"QtyLegacy\";\n", op.Sql, StringComparison.Ordinal);
        Assert.Contains("NEW.\"QtyLegacy\" := NEW.\"Qty\";\n", op.Sql, StringComparison.Ordinal);
        Assert.Equal("QtyLegacy", op[SafeMigrationsAnnotations.OldColumn]);
        Assert.Throws<ArgumentException>(() => Build(b => b.SwapColumns("T", "a", "b", oldColumn: "b")));
    }
}
