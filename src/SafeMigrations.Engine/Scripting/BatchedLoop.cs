using System.Linq;
using System.Text;
using SafeMigrations.Engine.Backfill;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations.Engine.Scripting
{
    /// <summary>
    /// A batched step as a DO block that walks the table in key order the way <see cref="KeysetBackfill"/> does: each
    /// batch covers the keys after the last one up to the n-th next key, runs the UPDATE (or DELETE) over that range,
    /// and commits. The key (the primary key, or the step's key columns) and its types are read from the catalog at run
    /// time, so the script needs no model; key values travel as text and are cast back to the column types.
    /// </summary>
    /// <remarks>COMMIT inside DO works only outside a transaction block, which psql's autocommit gives.</remarks>
    internal static class BatchedLoop
    {
        public static string Write(PlanStep step)
        {
            BackfillSpec spec = step.Backfill!;
            string qualified = SqlIdentifier.Qualify(spec.Schema, spec.Table);
            int batchSize = spec.BatchSize ?? new BackfillOptions().InitialBatchSize;
            string failure = $"{EngineCodes.StepFailed} {step.Name}: ";
            string keySource = spec.KeyColumns is { Count: > 0 } keys
                ? "FROM unnest(ARRAY[" + string.Join(", ", keys.Select(CatalogChecks.Literal)) + "]::text[]) WITH ORDINALITY AS k(name, ord)\n"
                  + "    JOIN pg_attribute a ON a.attrelid = target_table AND a.attname = k.name AND NOT a.attisdropped"
                : "FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)\n"
                  + "    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum\n"
                  + "    WHERE i.indrelid = target_table AND i.indisprimary";
            string statement = spec.StatementKind == KeysetStatementKind.Delete
                ? "DELETE FROM %s WHERE %s"
                : "UPDATE %s SET " + Escape(spec.Set) + " WHERE %s";
            string predicate = CatalogChecks.Literal(spec.Where);

            var text = new StringBuilder();
            text.Append("DO ").Append(PhaseScriptWriter.Tag).Append('\n');
            text.Append("DECLARE\n");
            text.Append("  target_table regclass := to_regclass(").Append(CatalogChecks.Literal(qualified)).Append(");\n");
            text.Append("  key_names text[];\n  key_types text[];\n  key_list text;\n  key_text text;\n  lower_values text;\n  upper_values text;\n");
            text.Append("  lower_range text;\n  lower_key text[];\n  upper_key text[];\n  batch_rows bigint;\n  total_rows bigint := 0;\n  batches integer := 0;\n");
            text.Append("BEGIN\n");
            text.Append("  IF target_table IS NULL THEN RAISE EXCEPTION USING MESSAGE = ").Append(CatalogChecks.Literal(failure + qualified + " does not exist")).Append("; END IF;\n");
            text.Append("  SELECT array_agg(quote_ident(a.attname::text) ORDER BY k.ord), array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY k.ord)\n");
            text.Append("    INTO key_names, key_types\n    ").Append(keySource).Append(";\n");
            if (spec.AsWrittenWithoutKey)
            {
                // A run-time statement the planner batched: with no key to walk it runs as written, as the engine does.
                text.Append("  IF key_names IS NULL THEN\n");
                text.Append("    RAISE WARNING USING MESSAGE = ").Append(CatalogChecks.Literal($"{EngineCodes.CannotBeMadeSafe} {step.Name}: {qualified} has no primary key to walk; running the statement as written, in one transaction")).Append(";\n");
                text.Append("    EXECUTE ").Append(CatalogChecks.Literal(step.Sql.Trim().TrimEnd(';'))).Append(";\n");
                text.Append("    RETURN;\n");
                text.Append("  END IF;\n");
            }
            text.Append("  IF key_names IS NULL").Append(spec.KeyColumns is { Count: > 0 } named ? " OR cardinality(key_names) <> " + named.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Empty)
                .Append(" THEN RAISE EXCEPTION USING MESSAGE = ")
                .Append(CatalogChecks.Literal(failure + qualified + (spec.KeyColumns is { Count: > 0 } ? " lacks one of the key columns the step names" : " has no primary key to walk; apply this migration with the runner, which also walks unique keys")))
                .Append("; END IF;\n");
            text.Append("  key_list := array_to_string(key_names, ', ');\n");
            text.Append("  SELECT string_agg(u.col || '::text', ', ' ORDER BY u.ord), string_agg(format('$1[%s]::%s', u.ord, u.typ), ', ' ORDER BY u.ord),\n");
            text.Append("         string_agg(format('$2[%s]::%s', u.ord, u.typ), ', ' ORDER BY u.ord)\n");
            text.Append("    INTO key_text, lower_values, upper_values FROM unnest(key_names, key_types) WITH ORDINALITY AS u(col, typ, ord);\n");
            text.Append("  LOOP\n");
            text.Append("    lower_range := CASE WHEN lower_key IS NULL THEN 'TRUE' ELSE format('(%s) > (%s)', key_list, lower_values) END;\n");
            text.Append("    -- the batch ends at the n-th key after the last one; none left means the last batch\n");
            text.Append("    EXECUTE format('SELECT ARRAY[%s] AS sm_key FROM %s WHERE %s ORDER BY %s OFFSET ").Append(batchSize - 1).Append(" LIMIT 1', key_text, target_table, lower_range, key_list)\n");
            text.Append("      INTO upper_key USING lower_key;\n");
            text.Append("    IF upper_key IS NULL THEN\n");
            text.Append("      EXECUTE format('").Append(statement).Append(" AND (%s)', target_table, lower_range, ").Append(predicate).Append(") USING lower_key;\n");
            text.Append("    ELSE\n");
            text.Append("      EXECUTE format('").Append(statement).Append(" AND (%s) <= (%s) AND (%s)', target_table, lower_range, key_list, upper_values, ").Append(predicate).Append(") USING lower_key, upper_key;\n");
            text.Append("    END IF;\n");
            text.Append("    GET DIAGNOSTICS batch_rows = ROW_COUNT;\n");
            text.Append("    total_rows := total_rows + batch_rows;\n    batches := batches + 1;\n");
            text.Append("    COMMIT;\n");
            text.Append("    EXIT WHEN upper_key IS NULL;\n");
            text.Append("    lower_key := upper_key;\n");
            text.Append("  END LOOP;\n");
            text.Append("  RAISE NOTICE '%: % row(s) in % batch(es)', ").Append(CatalogChecks.Literal(step.Description)).Append(", total_rows, batches;\n");
            text.Append("END\n").Append(PhaseScriptWriter.Tag).Append(';');
            string result = text.ToString();
            if (spec.Set.Contains(PhaseScriptWriter.Tag) || spec.Where.Contains(PhaseScriptWriter.Tag))
                throw new EngineException(EngineCodes.Configuration, $"{step.Name}: its SQL contains {PhaseScriptWriter.Tag}, which the script uses to quote its DO blocks; rename that dollar-quote tag in the migration.");
            return result;
        }

        // The SET list goes inside format()'s pattern: a literal with quotes and % doubled (the predicate is an argument).
        private static string Escape(string set) => set.Replace("'", "''").Replace("%", "%%");
    }
}
