using System;
using System.Text;

namespace SafeMigrations.Tests;

public partial class SafeStepSqlTests
{
    [Fact]
    public void CreateSyncTrigger_one_way_with_a_conversion()
    {
        var op = Single(b => b.CreateSyncTrigger(table: "Orders", fromColumn: "Qty", toColumn: "QtyNew", convertSql: "NEW.\"Qty\"::bigint", schema: "shop"));

        Assert.Equal(
            "CREATE OR REPLACE FUNCTION \"shop\".\"sync_Orders_Qty_to_QtyNew\"() RETURNS trigger LANGUAGE plpgsql AS $sync$\n" +
            "BEGIN\n" +
            "    NEW.\"QtyNew\" := NEW.\"Qty\"::bigint;\n" +
            "    RETURN NEW;\n" +
            "END;\n" +
            "$sync$;\n" +
            "DROP TRIGGER IF EXISTS \"sync_Qty_to_QtyNew\" ON \"shop\".\"Orders\";\n" +
            "CREATE TRIGGER \"sync_Qty_to_QtyNew\" BEFORE INSERT OR UPDATE ON \"shop\".\"Orders\" FOR EACH ROW EXECUTE FUNCTION \"shop\".\"sync_Orders_Qty_to_QtyNew\"();",
            op.Sql);
        Assert.False(op.SuppressTransaction);
        Assert.Equal("CreateSyncTrigger", op[SafeMigrationsAnnotations.Step]);
        Assert.Equal("Qty", op[SafeMigrationsAnnotations.FromColumn]);
        Assert.Equal("QtyNew", op[SafeMigrationsAnnotations.ToColumn]);
        Assert.Equal(false, op[SafeMigrationsAnnotations.TwoWay]);
        Assert.Equal("NEW.\"Qty\"::bigint", op[SafeMigrationsAnnotations.ConvertSql]);
        Assert.Equal("sync_Qty_to_QtyNew", op[SafeMigrationsAnnotations.TriggerName]);
        Assert.Equal("sync_Orders_Qty_to_QtyNew", op[SafeMigrationsAnnotations.FunctionName]);
    }

    [Fact]
    public void CreateSyncTrigger_two_way_takes_over_the_defaults_and_copies_the_side_that_was_written()
    {
        var op = Single(b => b.CreateSyncTrigger(table: "Users", fromColumn: "Name", toColumn: "FullName", twoWay: true));

        // The function is created at run time with both columns' defaults in it, and the defaults leave the columns.
        Assert.StartsWith("DO $sync_install$\n", op.Sql, StringComparison.Ordinal);
        Assert.Contains(
            "    IF TG_OP = 'INSERT' THEN\n" +
            "        IF NEW.\"Name\" IS NULL AND NEW.\"FullName\" IS NULL THEN\n" +
            "            NEW.\"Name\" := @@safemigrations_from_default@@;\n",
            op.Sql,
            StringComparison.Ordinal);
        Assert.Contains(
            "    ELSIF TG_ARGV[0] = 'to' THEN\n" +
            "        IF NEW.\"FullName\" IS NULL AND NEW.\"Name\" IS NOT NULL AND NEW.\"Name\" IS DISTINCT FROM OLD.\"Name\" THEN\n" +
            "            NEW.\"FullName\" := NEW.\"Name\";\n" +
            "        ELSE\n" +
            "            NEW.\"Name\" := NEW.\"FullName\";\n" +
            "        END IF;\n" +
            "    ELSIF NEW.\"FullName\" IS NOT NULL AND NEW.\"FullName\" IS DISTINCT FROM OLD.\"FullName\" THEN\n" +
            "        NEW.\"Name\" := NEW.\"FullName\";\n" +
            "    ELSE\n" +
            "        NEW.\"FullName\" := NEW.\"Name\";\n" +
            "    END IF;\n",
            op.Sql,
            StringComparison.Ordinal);
        Assert.Contains("WHERE a.attrelid = target AND a.attname = 'Name' AND NOT a.attisdropped", op.Sql, StringComparison.Ordinal);
        Assert.Contains("jsonb_build_object('Name', from_default, 'FullName', to_default)", op.Sql, StringComparison.Ordinal);
        // One trigger on INSERT and on UPDATE OF the old column, one on UPDATE OF the new column.
        Assert.EndsWith(
            "$sync_install$;\n" +
            "ALTER TABLE \"Users\" ALTER COLUMN \"Name\" DROP DEFAULT, ALTER COLUMN \"FullName\" DROP DEFAULT;\n" +
            "DROP TRIGGER IF EXISTS \"sync_Name_to_FullName\" ON \"Users\";\n" +
            "DROP TRIGGER IF EXISTS \"sync-back_Name_to_FullName\" ON \"Users\";\n" +
            "CREATE TRIGGER \"sync_Name_to_FullName\" BEFORE INSERT OR UPDATE OF \"Name\" ON \"Users\" FOR EACH ROW EXECUTE FUNCTION \"sync_Users_Name_to_FullName\"('from');\n" +
            "CREATE TRIGGER \"sync-back_Name_to_FullName\" BEFORE UPDATE OF \"FullName\" ON \"Users\" FOR EACH ROW EXECUTE FUNCTION \"sync_Users_Name_to_FullName\"('to');",
            op.Sql,
            StringComparison.Ordinal);
        Assert.Equal(true, op[SafeMigrationsAnnotations.TwoWay]);

        // Its undo is DropSyncTrigger's SQL, which gives the defaults back.
        var drop = Single(b => b.DropSyncTrigger(table: "Users", fromColumn: "Name", toColumn: "FullName"));
        Assert.Equal(drop.Sql, op[SafeMigrationsAnnotations.UndoSql]);
    }

    [Fact]
    public void CreateSyncTrigger_two_way_quotes_names_inside_literals_and_keeps_conversions()
    {
        var op = Single(b => b.CreateSyncTrigger(
            table: "it's", fromColumn: "a'b", toColumn: "c\"d", twoWay: true, convertSql: "NEW.\"a'b\"::bigint", reverseConvertSql: "NEW.\"c\"\"d\"::integer", schema: "s"));

        Assert.Contains("target regclass := '\"s\".\"it''s\"';", op.Sql, StringComparison.Ordinal);
        Assert.Contains("a.attname = 'a''b'", op.Sql, StringComparison.Ordinal);
        Assert.Contains("a.attname = 'c\"d'", op.Sql, StringComparison.Ordinal);
        Assert.Contains("NEW.\"c\"\"d\" := NEW.\"a'b\"::bigint;", op.Sql, StringComparison.Ordinal);
        Assert.Contains("NEW.\"a'b\" := NEW.\"c\"\"d\"::integer;", op.Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateSyncTrigger_rejects_a_reverse_conversion_on_a_one_way_trigger_and_identical_columns()
    {
        Assert.Throws<ArgumentException>(() => Build(b => b.CreateSyncTrigger("T", "a", "b", reverseConvertSql: "NEW.\"b\"")));
        Assert.Throws<ArgumentException>(() => Build(b => b.CreateSyncTrigger("T", "a", "a")));
    }

    [Fact]
    public void DropSyncTrigger_computes_the_names_CreateSyncTrigger_used_even_when_shortened()
    {
        string table = new string('T', 50);
        string from = "we\"ird" + new string('f', 30);
        var ops = Build(b =>
        {
            b.CreateSyncTrigger(table, from, "To", schema: "s");
            b.DropSyncTrigger(table, from, "To", schema: "s");
        });

        string trigger = (string)ops[0][SafeMigrationsAnnotations.TriggerName]!;
        string function = (string)ops[0][SafeMigrationsAnnotations.FunctionName]!;
        Assert.True(Encoding.UTF8.GetByteCount(trigger) <= 63);
        Assert.True(Encoding.UTF8.GetByteCount(function) <= 63);
        Assert.Equal(trigger, ops[1][SafeMigrationsAnnotations.TriggerName]);
        Assert.Equal(function, ops[1][SafeMigrationsAnnotations.FunctionName]);
        Assert.StartsWith("DO $sync_drop$\n", ops[1].Sql, StringComparison.Ordinal);
        Assert.Contains("EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET DEFAULT %s', target, col, expr);", ops[1].Sql, StringComparison.Ordinal);
        Assert.Contains($"$sync_drop$;\nDROP TRIGGER IF EXISTS \"{trigger.Replace("\"", "\"\"")}\" ON \"s\".\"{table}\";\n", ops[1].Sql, StringComparison.Ordinal);
        Assert.EndsWith($"DROP FUNCTION IF EXISTS \"s\".\"{function.Replace("\"", "\"\"")}\"();", ops[1].Sql, StringComparison.Ordinal);
        Assert.Equal("DropSyncTrigger", ops[1][SafeMigrationsAnnotations.Step]);
    }
}
