using System.Text;

namespace SafeMigrations.Internal;

/// <summary>
/// The SQL of sync triggers: install (one-way, or two-way with the columns' defaults taken over) and drop (defaults
/// given back). <c>CreateSyncTrigger</c>, <c>DropSyncTrigger</c> and <c>SwapColumns</c> share it, so the three agree.
/// </summary>
/// <remarks>
/// <para>A two-way sync needs to know which side a statement wrote, which the row values cannot tell: column defaults
/// are filled in before BEFORE-INSERT triggers run, and an UPDATE may write the value a column already holds (a NULL
/// into a row the backfill has not reached). So:</para>
/// <para>INSERT: the install moves both columns' defaults into the trigger (reads them from the catalog, drops them
/// from the columns, applies them itself when an INSERT writes neither side). The defaults are kept in the function's
/// comment (JSON, column name → expression) so that the drop gives them back and a rerun of the install keeps them.</para>
/// <para>UPDATE: two triggers on the one function, <c>UPDATE OF from</c> and <c>UPDATE OF to</c>, each fired when its
/// column is named in the SET list (changed or not): the named side is copied to the other; when both are named the
/// new column wins unless it is NULL while the old one got a value. The <c>UPDATE OF to</c> trigger is named to fire first (triggers fire in name order), so it is the one that
/// decides when both are named, even when the new column is written with the value it already holds. An UPDATE naming
/// neither leaves the pair alone (the backfill converges rows nobody writes).</para>
/// </remarks>
internal static class SyncTriggerSql
{
    private const string FromDefaultSlot = "@@safemigrations_from_default@@";
    private const string ToDefaultSlot = "@@safemigrations_to_default@@";

    /// <summary>The deterministic trigger and function names for a sync from <paramref name="fromColumn"/> to <paramref name="toColumn"/>.</summary>
    public static SyncTriggerNames Names(string table, string fromColumn, string toColumn)
        => new(
            PostgresText.FitIdentifier($"sync_{fromColumn}_to_{toColumn}"),
            // "sync-" sorts before "sync_" byte-wise (also when shortened): the UPDATE OF to trigger fires first.
            PostgresText.FitIdentifier($"sync-back_{fromColumn}_to_{toColumn}"),
            PostgresText.FitIdentifier($"sync_{table}_{fromColumn}_to_{toColumn}"));

    /// <summary>Installs (or replaces) the function and the trigger(s).</summary>
    public static string Create(string? schema, string table, string fromColumn, string toColumn, bool twoWay, string? convertSql, string? reverseConvertSql)
    {
        var names = Names(table, fromColumn, toColumn);
        string from = PostgresText.Quote(fromColumn);
        string to = PostgresText.Quote(toColumn);
        string qualifiedTable = PostgresText.Qualify(schema, table);
        string function = PostgresText.Qualify(schema, names.Function);
        string toValue = convertSql ?? "NEW." + from;

        var sql = new StringBuilder();
        if (!twoWay)
        {
            sql.Append("CREATE OR REPLACE FUNCTION ").Append(function).Append("() RETURNS trigger LANGUAGE plpgsql AS $sync$\n")
               .Append("BEGIN\n")
               .Append("    NEW.").Append(to).Append(" := ").Append(toValue).Append(";\n")
               .Append("    RETURN NEW;\n")
               .Append("END;\n")
               .Append("$sync$;\n")
               .Append("DROP TRIGGER IF EXISTS ").Append(PostgresText.Quote(names.Trigger)).Append(" ON ").Append(qualifiedTable).Append(";\n")
               .Append("CREATE TRIGGER ").Append(PostgresText.Quote(names.Trigger))
               .Append(" BEFORE INSERT OR UPDATE ON ").Append(qualifiedTable)
               .Append(" FOR EACH ROW EXECUTE FUNCTION ").Append(function).Append("();");
            return sql.ToString();
        }

        string fromValue = reverseConvertSql ?? "NEW." + to;
        sql.Append("DO $sync_install$\n")
           .Append("DECLARE\n")
           .Append("    target regclass := ").Append(PostgresText.Literal(qualifiedTable)).Append(";\n")
           .Append("    stored jsonb := obj_description(to_regprocedure(").Append(PostgresText.Literal(function + "()")).Append("), 'pg_proc')::jsonb;\n")
           .Append("    from_default text;\n")
           .Append("    to_default text;\n")
           .Append("    body text := $sync_body$")
           .Append("CREATE OR REPLACE FUNCTION ").Append(function).Append("() RETURNS trigger LANGUAGE plpgsql AS $sync$\n")
           .Append("BEGIN\n")
           .Append("    IF TG_OP = 'INSERT' THEN\n")
           .Append("        IF NEW.").Append(from).Append(" IS NULL AND NEW.").Append(to).Append(" IS NULL THEN\n")
           .Append("            NEW.").Append(from).Append(" := ").Append(FromDefaultSlot).Append(";\n")
           .Append("            IF NEW.").Append(from).Append(" IS NOT NULL THEN\n")
           .Append("                NEW.").Append(to).Append(" := ").Append(toValue).Append(";\n")
           .Append("            ELSE\n")
           .Append("                NEW.").Append(to).Append(" := ").Append(ToDefaultSlot).Append(";\n")
           .Append("                NEW.").Append(from).Append(" := ").Append(fromValue).Append(";\n")
           .Append("            END IF;\n")
           .Append("        ELSIF NEW.").Append(to).Append(" IS NULL THEN\n")
           .Append("            NEW.").Append(to).Append(" := ").Append(toValue).Append(";\n")
           .Append("        ELSIF NEW.").Append(from).Append(" IS NULL OR NEW.").Append(to).Append(" IS DISTINCT FROM ").Append(toValue).Append(" THEN\n")
           .Append("            NEW.").Append(from).Append(" := ").Append(fromValue).Append(";\n")
           .Append("        END IF;\n")
           .Append("    ELSIF TG_ARGV[0] = 'to' THEN\n")
           .Append("        IF NEW.").Append(to).Append(" IS NULL AND NEW.").Append(from).Append(" IS NOT NULL AND NEW.").Append(from).Append(" IS DISTINCT FROM OLD.").Append(from).Append(" THEN\n")
           .Append("            NEW.").Append(to).Append(" := ").Append(toValue).Append(";\n")
           .Append("        ELSE\n")
           .Append("            NEW.").Append(from).Append(" := ").Append(fromValue).Append(";\n")
           .Append("        END IF;\n")
           .Append("    ELSIF NEW.").Append(to).Append(" IS NOT NULL AND NEW.").Append(to).Append(" IS DISTINCT FROM OLD.").Append(to).Append(" THEN\n")
           .Append("        NEW.").Append(from).Append(" := ").Append(fromValue).Append(";\n")
           .Append("    ELSE\n")
           .Append("        NEW.").Append(to).Append(" := ").Append(toValue).Append(";\n")
           .Append("    END IF;\n")
           .Append("    RETURN NEW;\n")
           .Append("END;\n")
           .Append("$sync$$sync_body$;\n")
           .Append("BEGIN\n")
           .Append("    -- A rerun finds the defaults already moved: keep the ones the first run stored.\n")
           .Append("    SELECT pg_get_expr(d.adbin, d.adrelid) INTO from_default FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum\n")
           .Append("        WHERE a.attrelid = target AND a.attname = ").Append(PostgresText.Literal(fromColumn)).Append(" AND NOT a.attisdropped AND a.attgenerated = '';\n")
           .Append("    SELECT pg_get_expr(d.adbin, d.adrelid) INTO to_default FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum\n")
           .Append("        WHERE a.attrelid = target AND a.attname = ").Append(PostgresText.Literal(toColumn)).Append(" AND NOT a.attisdropped AND a.attgenerated = '';\n")
           .Append("    from_default := coalesce(from_default, stored ->> ").Append(PostgresText.Literal(fromColumn)).Append(");\n")
           .Append("    to_default := coalesce(to_default, stored ->> ").Append(PostgresText.Literal(toColumn)).Append(");\n")
           .Append("    EXECUTE replace(replace(body, '").Append(FromDefaultSlot).Append("', coalesce('(' || from_default || ')', 'NULL')), '")
           .Append(ToDefaultSlot).Append("', coalesce('(' || to_default || ')', 'NULL'));\n")
           .Append("    EXECUTE 'COMMENT ON FUNCTION ' || ").Append(PostgresText.Literal(function)).Append(" || '() IS ' || quote_literal(jsonb_build_object(")
           .Append(PostgresText.Literal(fromColumn)).Append(", from_default, ").Append(PostgresText.Literal(toColumn)).Append(", to_default)::text);\n")
           .Append("END\n")
           .Append("$sync_install$;\n")
           .Append("ALTER TABLE ").Append(qualifiedTable).Append(" ALTER COLUMN ").Append(from).Append(" DROP DEFAULT, ALTER COLUMN ").Append(to).Append(" DROP DEFAULT;\n")
           .Append("DROP TRIGGER IF EXISTS ").Append(PostgresText.Quote(names.Trigger)).Append(" ON ").Append(qualifiedTable).Append(";\n")
           .Append("DROP TRIGGER IF EXISTS ").Append(PostgresText.Quote(names.BackTrigger)).Append(" ON ").Append(qualifiedTable).Append(";\n")
           .Append("CREATE TRIGGER ").Append(PostgresText.Quote(names.Trigger))
           .Append(" BEFORE INSERT OR UPDATE OF ").Append(from).Append(" ON ").Append(qualifiedTable)
           .Append(" FOR EACH ROW EXECUTE FUNCTION ").Append(function).Append("('from');\n")
           .Append("CREATE TRIGGER ").Append(PostgresText.Quote(names.BackTrigger))
           .Append(" BEFORE UPDATE OF ").Append(to).Append(" ON ").Append(qualifiedTable)
           .Append(" FOR EACH ROW EXECUTE FUNCTION ").Append(function).Append("('to');");
        return sql.ToString();
    }

    /// <summary>Gives the columns back the defaults a two-way install took over (unless set again since), then drops the trigger and the function.</summary>
    public static string Drop(string? schema, string table, SyncTriggerNames names)
    {
        string qualifiedTable = PostgresText.Qualify(schema, table);
        string function = PostgresText.Qualify(schema, names.Function);
        return "DO $sync_drop$\n" +
               "DECLARE\n" +
               $"    target regclass := to_regclass({PostgresText.Literal(qualifiedTable)});\n" +
               $"    stored jsonb := obj_description(to_regprocedure({PostgresText.Literal(function + "()")}), 'pg_proc')::jsonb;\n" +
               "    col text;\n" +
               "    expr text;\n" +
               "BEGIN\n" +
               "    FOR col, expr IN SELECT key, value FROM jsonb_each_text(coalesce(stored, '{}'::jsonb)) LOOP\n" +
               "        IF target IS NOT NULL AND expr IS NOT NULL AND EXISTS (\n" +
               "            SELECT 1 FROM pg_attribute WHERE attrelid = target AND attname = col AND NOT attisdropped AND NOT atthasdef) THEN\n" +
               "            EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET DEFAULT %s', target, col, expr);\n" +
               "        END IF;\n" +
               "    END LOOP;\n" +
               "END\n" +
               "$sync_drop$;\n" +
               $"DROP TRIGGER IF EXISTS {PostgresText.Quote(names.Trigger)} ON {qualifiedTable};\n" +
               $"DROP TRIGGER IF EXISTS {PostgresText.Quote(names.BackTrigger)} ON {qualifiedTable};\n" +
               $"DROP FUNCTION IF EXISTS {function}();";
    }
}

/// <summary>The deterministic names of a sync trigger and its function.</summary>
internal readonly struct SyncTriggerNames
{
    public SyncTriggerNames(string trigger, string backTrigger, string function)
    {
        Trigger = trigger;
        BackTrigger = backTrigger;
        Function = function;
    }

    /// <summary>The trigger: one-way on every write; two-way on INSERT and on UPDATE OF the from column.</summary>
    public string Trigger { get; }

    /// <summary>Two-way only: the trigger on UPDATE OF the to column.</summary>
    public string BackTrigger { get; }

    public string Function { get; }
}
