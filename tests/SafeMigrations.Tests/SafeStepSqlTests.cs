using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace SafeMigrations.Tests;

/// <summary>Exact SQL, transaction flags and annotations of every safe step.</summary>
public class SafeStepSqlTests
{
    private const string Npgsql = "Npgsql.EntityFrameworkCore.PostgreSQL";

    private static List<SqlOperation> Build(Action<MigrationBuilder> up)
    {
        var builder = new MigrationBuilder(Npgsql);
        up(builder);
        return builder.Operations.Cast<SqlOperation>().ToList();
    }

    private static SqlOperation Single(Action<MigrationBuilder> up) => Assert.Single(Build(up));

    // ---- indexes ----

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

    // ---- constraints ----

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

    // ---- NOT NULL ----

    [Fact]
    public void SetNotNullThroughCheck_is_four_operations_with_only_the_validation_outside_the_transaction()
    {
        var ops = Build(b => b.SetNotNullThroughCheck(column: "Email", table: "Users", schema: "app"));

        Assert.Equal(
            new[]
            {
                "ALTER TABLE \"app\".\"Users\" DROP CONSTRAINT IF EXISTS \"CK_Users_Email_not_null\", ADD CONSTRAINT \"CK_Users_Email_not_null\" CHECK (\"Email\" IS NOT NULL) NOT VALID;",
                "ALTER TABLE \"app\".\"Users\" VALIDATE CONSTRAINT \"CK_Users_Email_not_null\";",
                "ALTER TABLE \"app\".\"Users\" ALTER COLUMN \"Email\" SET NOT NULL;",
                "ALTER TABLE \"app\".\"Users\" DROP CONSTRAINT IF EXISTS \"CK_Users_Email_not_null\";",
            },
            ops.Select(o => o.Sql));
        Assert.Equal(new[] { false, true, false, false }, ops.Select(o => o.SuppressTransaction));
        Assert.Equal(new[] { "AddCheckNotValid", "ValidateCheck", "SetNotNull", "DropCheck" }, ops.Select(o => (string)o[SafeMigrationsAnnotations.Part]!));
        Assert.All(ops, op =>
        {
            Assert.Equal("SetNotNullThroughCheck", op[SafeMigrationsAnnotations.Step]);
            Assert.Equal("Email", op[SafeMigrationsAnnotations.Column]);
            Assert.Equal("Users", op[SafeMigrationsAnnotations.Table]);
            Assert.Equal("app", op[SafeMigrationsAnnotations.Schema]);
            Assert.Equal("CK_Users_Email_not_null", op[SafeMigrationsAnnotations.CheckName]);
        });
    }

    [Fact]
    public void Generated_names_longer_than_63_bytes_are_shortened_deterministically_with_a_hash()
    {
        string table = new string('t', 40);
        string column = "é" + new string('c', 30); // multi-byte: the limit is in bytes, not characters
        string Check() => (string)Build(b => b.SetNotNullThroughCheck(column, table))[0][SafeMigrationsAnnotations.CheckName]!;

        string name = Check();
        Assert.True(Encoding.UTF8.GetByteCount(name) <= 63, name);
        Assert.Equal(name, Check());
        Assert.Matches("^CK_t{40}_éc+_[0-9a-f]{8}$", name);

        string other = (string)Build(b => b.SetNotNullThroughCheck(column + "x", table))[0][SafeMigrationsAnnotations.CheckName]!;
        Assert.NotEqual(name, other);
        Assert.Equal(name.Substring(0, 40), other.Substring(0, 40));
    }

    [Fact]
    public void Shortening_never_splits_a_multi_byte_character()
    {
        string column = new string('ж', 40); // 2 bytes each
        var ops = Build(b => b.SetNotNullThroughCheck(column, "T"));
        string name = (string)ops[0][SafeMigrationsAnnotations.CheckName]!;

        Assert.True(Encoding.UTF8.GetByteCount(name) <= 63);
        Assert.DoesNotContain('\uFFFD', Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(name)));
        Assert.StartsWith("CK_T_жжж", name, StringComparison.Ordinal);
    }

    // ---- backfill ----

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

    // ---- sync triggers ----

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

    // ---- swap ----

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

    // ---- views ----

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
