using System;
using System.Collections.Generic;

namespace SafeMigrations.Sql.Rules
{
    /// <summary>
    /// A single-table UPDATE or DELETE taken apart for keyset batches: the SET list and the WHERE text. Running it batch
    /// by batch ends in the same state as running it once, and a batch run twice (a resume after a crash between a
    /// batch's commit and its progress record) changes nothing more.
    /// </summary>
    public sealed class KeysetForm
    {
        internal KeysetForm(SqlStatement statement, string? set, string? where, IReadOnlyList<string> assigned, IReadOnlyList<string> values)
        {
            Statement = statement;
            Set = set;
            Where = where;
            AssignedColumns = assigned;
            AssignedValues = values;
        }

        public SqlStatement Statement { get; }

        /// <summary>The SET list as written (null for a DELETE).</summary>
        public string? Set { get; }

        /// <summary>The WHERE condition as written, or null when the statement has none (every row).</summary>
        public string? Where { get; }

        /// <summary>The assigned columns (unquoted), in SET order.</summary>
        public IReadOnlyList<string> AssignedColumns { get; }

        /// <summary>The expression assigned to each of <see cref="AssignedColumns"/>, as written.</summary>
        public IReadOnlyList<string> AssignedValues { get; }
    }

    /// <summary>What SM0015 and the engine's batched rewrite need to know about UPDATE and DELETE statements.</summary>
    public static class DataChangeStatements
    {
        /// <summary>True when <see cref="KeysetFormOf"/> can take the statement apart for keyset batches.</summary>
        public static bool Batchable(SqlStatement sql) => KeysetFormOf(sql) is not null;

        /// <summary>
        /// The statement as SET list and WHERE, when batches provably end as the one statement would: a plain
        /// <c>UPDATE t SET c = expr, ... [WHERE ...]</c> or <c>DELETE FROM t [WHERE ...]</c> with no WITH, alias, FROM,
        /// USING or RETURNING; no assigned value reads an assigned column (so a batch run again writes the same
        /// values) or calls a volatile function; no subquery reads the table itself (it would see earlier batches).
        /// Null otherwise.
        /// </summary>
        public static KeysetForm? KeysetFormOf(SqlStatement sql)
        {
            var tokens = sql.Tokens;
            if (sql.Table is null || tokens.Count < 2 || sql.HasDataModifyingCte)
                return null;
            bool update = sql.Kind == StatementKind.Update && tokens[0].IsKeyword("update");
            bool delete = sql.Kind == StatementKind.Delete && tokens[0].IsKeyword("delete");
            if (!update && !delete)
                return null;

            // Past the target: [FROM] [ONLY] name[.name] [*]
            int i = 1;
            if (delete && i < tokens.Count && tokens[i].IsKeyword("from"))
                i++;
            if (i < tokens.Count && tokens[i].IsKeyword("only"))
                i++;
            i++;
            while (i + 1 < tokens.Count && tokens[i].Kind == SqlTokenKind.Dot)
                i += 2;
            if (i < tokens.Count && tokens[i].IsOperator("*"))
                i++;

            int set = -1;
            if (update)
            {
                if (i >= tokens.Count || !tokens[i].IsKeyword("set"))
                    return null; // an alias, or something unreadable
                set = i;
            }
            else if (i < tokens.Count && !tokens[i].IsKeyword("where"))
            {
                return null; // an alias or USING
            }

            int where = -1;
            int depth = 0;
            for (int k = i; k < tokens.Count; k++)
            {
                SqlToken t = tokens[k];
                if (t.Kind == SqlTokenKind.OpenParen || t.Kind == SqlTokenKind.OpenBracket)
                    depth++;
                else if (t.Kind == SqlTokenKind.CloseParen || t.Kind == SqlTokenKind.CloseBracket)
                    depth--;
                else if (depth == 0 && (t.IsKeyword("from") || t.IsKeyword("returning") || t.IsKeyword("using")) && !(k > 0 && tokens[k - 1].IsKeyword("distinct")))
                    return null; // a source list or a result: not one table's rows alone (IS DISTINCT FROM is fine)
                else if (depth == 0 && where < 0 && t.IsKeyword("where"))
                    where = k;
                else if (t.IsKeyword("select") && ReadsTable(tokens, k, sql.Table.Name))
                    return null;
            }

            if (where >= 0 && where + 1 < tokens.Count && tokens[where + 1].IsKeyword("current"))
                return null; // WHERE CURRENT OF cursor
            string? whereText = where >= 0 ? TextOf(sql, where + 1, tokens.Count - 1) : null;
            if (where >= 0 && where + 1 >= tokens.Count)
                return null;
            if (delete)
                return new KeysetForm(sql, null, whereText, new string[0], new string[0]);

            int setEnd = (where >= 0 ? where : tokens.Count) - 1;
            if (setEnd <= set)
                return null;
            var assigned = new List<string>();
            var values = new List<string>();
            var valueTokens = new List<(int From, int To)>();
            int start = set + 1;
            depth = 0;
            for (int k = set + 1; k <= setEnd + 1; k++)
            {
                bool endOfItem = k > setEnd || (depth == 0 && tokens[k].Kind == SqlTokenKind.Comma);
                if (!endOfItem)
                {
                    if (tokens[k].Kind == SqlTokenKind.OpenParen || tokens[k].Kind == SqlTokenKind.OpenBracket)
                        depth++;
                    else if (tokens[k].Kind == SqlTokenKind.CloseParen || tokens[k].Kind == SqlTokenKind.CloseBracket)
                        depth--;
                    continue;
                }

                // column = expression; not (a, b) = (...), a.field = ..., a[1] = ..., or = DEFAULT.
                if (k - start < 3 || !tokens[start].IsName || !tokens[start + 1].IsOperator("=") || (k - start == 3 && tokens[start + 2].IsKeyword("default")))
                    return null;
                assigned.Add(tokens[start].Value);
                values.Add(TextOf(sql, start + 2, k - 1));
                valueTokens.Add((start + 2, k - 1));
                start = k + 1;
            }

            foreach (var (from, to) in valueTokens)
            {
                for (int k = from; k <= to; k++)
                {
                    if (tokens[k].IsName && assigned.Contains(tokens[k].Value))
                        return null; // SET n = n + 1: a batch run twice would add twice
                }
            }

            foreach (string value in values)
            {
                if (DefaultExpressions.IsVolatile(value))
                    return null;
            }

            return new KeysetForm(sql, TextOf(sql, set + 1, setEnd), whereText, assigned, values);
        }

        /// <summary>
        /// A subquery starting at <paramref name="select"/> that reads <paramref name="table"/> in its FROM list or a
        /// JOIN (a correlated reference such as <c>t.col</c> reads only the outer row).
        /// </summary>
        private static bool ReadsTable(IReadOnlyList<SqlToken> tokens, int select, string table)
        {
            int depth = 0;
            bool relationNext = false;
            for (int k = select + 1; k < tokens.Count; k++)
            {
                SqlToken t = tokens[k];
                if (t.Kind == SqlTokenKind.OpenParen)
                {
                    depth++;
                }
                else if (t.Kind == SqlTokenKind.CloseParen && --depth < 0)
                {
                    return false;
                }
                else if (t.IsKeyword("from") || t.IsKeyword("join") || (t.Kind == SqlTokenKind.Comma && relationNext))
                {
                    relationNext = true;
                    continue;
                }
                else if (relationNext && t.IsName)
                {
                    // schema.table: the last part names the table.
                    int last = k;
                    while (last + 2 < tokens.Count && tokens[last + 1].Kind == SqlTokenKind.Dot && tokens[last + 2].IsName)
                        last += 2;
                    if (string.Equals(tokens[last].Value, table, StringComparison.Ordinal))
                        return true;
                    k = last;
                    // An alias may follow; a comma continues the FROM list.
                    if (k + 1 < tokens.Count && tokens[k + 1].IsKeyword("as"))
                        k++;
                    if (k + 1 < tokens.Count && tokens[k + 1].IsName && !IsClauseKeyword(tokens[k + 1]))
                        k++;
                    continue;
                }
                relationNext = false;
            }

            return false;
        }

        private static bool IsClauseKeyword(SqlToken t) =>
            t.IsKeyword("where") || t.IsKeyword("group") || t.IsKeyword("order") || t.IsKeyword("having") || t.IsKeyword("limit")
            || t.IsKeyword("join") || t.IsKeyword("inner") || t.IsKeyword("left") || t.IsKeyword("right") || t.IsKeyword("full")
            || t.IsKeyword("cross") || t.IsKeyword("on") || t.IsKeyword("union") || t.IsKeyword("natural") || t.IsKeyword("window");

        private static string TextOf(SqlStatement sql, int first, int last)
        {
            var tokens = sql.Tokens;
            int from = tokens[first].Offset - sql.Start;
            int to = tokens[last].End - sql.Start;
            return sql.Text.Substring(from, to - from).Trim();
        }

        /// <summary>
        /// An AND-only WHERE that pins EF's conventional key column by constants: <c>"OrderId" = 5</c> on "Orders"
        /// (the scanner already knows <c>id</c>). Names compare case- and underscore-insensitively, so
        /// <c>order_id = 5</c> on orders matches too; a foreign key such as "OrderId" on "OrderLines" does not.
        /// </summary>
        internal static bool TargetsConventionalKey(SqlStatement sql)
        {
            if (sql.WhereEqualityColumns.Count == 0 || sql.Table is null)
            {
                return false;
            }

            var keys = ConventionalKeys(Normalize(sql.Table.Name));
            foreach (var column in sql.WhereEqualityColumns)
            {
                if (keys.Contains(Normalize(column)))
                {
                    return true;
                }
            }

            return false;
        }

        private static HashSet<string> ConventionalKeys(string table)
        {
            var entities = new HashSet<string>(StringComparer.Ordinal) { table };
            if (table.EndsWith("ies", StringComparison.Ordinal) && table.Length > 3)
            {
                entities.Add(table.Substring(0, table.Length - 3) + "y");
            }

            if (table.EndsWith("es", StringComparison.Ordinal) && table.Length > 2)
            {
                entities.Add(table.Substring(0, table.Length - 2));
            }

            if (table.EndsWith("s", StringComparison.Ordinal) && table.Length > 1)
            {
                entities.Add(table.Substring(0, table.Length - 1));
            }

            var keys = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entity in entities)
            {
                keys.Add(entity + "id");
            }

            return keys;
        }

        private static string Normalize(string name) => name.Replace("_", string.Empty).ToLowerInvariant();

        /// <summary>The UPDATE/DELETE statements inside WITH name AS (...) clauses, classified with the CTEs before them.</summary>
        public static List<SqlStatement> DataModifyingCtes(SqlStatement sql)
        {
            var result = new List<SqlStatement>();
            var tokens = sql.Tokens;
            var i = 1;
            if (i < tokens.Count && tokens[i].IsKeyword("recursive"))
            {
                i++;
            }

            // Where the previous CTE definitions end (the comma before the current one), to give a CTE the ones before it:
            // a batch CTE (SELECT id ... LIMIT n) that the DELETE uses makes it batched.
            var precedingEnd = -1;
            while (i < tokens.Count && tokens[i].IsName)
            {
                i++;
                if (i < tokens.Count && tokens[i].Kind == SqlTokenKind.OpenParen)
                {
                    i = MatchingClose(tokens, i) + 1;
                }

                while (i < tokens.Count && (tokens[i].IsKeyword("as") || tokens[i].IsKeyword("not") || tokens[i].IsKeyword("materialized")))
                {
                    i++;
                }

                if (i >= tokens.Count || tokens[i].Kind != SqlTokenKind.OpenParen)
                {
                    break;
                }

                var open = i;
                var close = MatchingClose(tokens, open);
                if (close > open + 1 && (tokens[open + 1].IsKeyword("update") || tokens[open + 1].IsKeyword("delete") || tokens[open + 1].IsKeyword("with")))
                {
                    var bodyStart = tokens[open + 1].Offset - sql.Start;
                    var bodyEnd = (close < tokens.Count ? tokens[close].Offset : tokens[tokens.Count - 1].End) - sql.Start;
                    var body = sql.Text.Substring(bodyStart, Math.Max(0, Math.Min(sql.Text.Length, bodyEnd) - bodyStart));
                    var text = precedingEnd > 0 && !tokens[open + 1].IsKeyword("with")
                        ? sql.Text.Substring(0, precedingEnd) + " " + body
                        : body;
                    var inner = StatementScanner.Classify(text);
                    result.Add(inner);
                    if (inner.HasDataModifyingCte)
                    {
                        result.AddRange(DataModifyingCtes(inner));
                    }
                }

                i = close + 1;

                // SEARCH / CYCLE clauses of recursive CTEs run up to the next comma.
                while (i < tokens.Count && tokens[i].Kind != SqlTokenKind.Comma && !IsMainStatementStart(tokens[i]))
                {
                    i = tokens[i].Kind == SqlTokenKind.OpenParen ? MatchingClose(tokens, i) + 1 : i + 1;
                }

                if (i >= tokens.Count || tokens[i].Kind != SqlTokenKind.Comma)
                {
                    break;
                }

                precedingEnd = tokens[i].Offset - sql.Start;
                i++;
            }

            return result;
        }

        private static bool IsMainStatementStart(SqlToken token) =>
            token.IsKeyword("select") || token.IsKeyword("insert") || token.IsKeyword("update") || token.IsKeyword("delete")
            || token.IsKeyword("merge") || token.IsKeyword("values") || token.IsKeyword("table");

        /// <summary>The index of the parenthesis closing the one at <paramref name="open"/>, or the last token when unbalanced.</summary>
        private static int MatchingClose(IReadOnlyList<SqlToken> tokens, int open)
        {
            var depth = 0;
            for (var i = open; i < tokens.Count; i++)
            {
                if (tokens[i].Kind == SqlTokenKind.OpenParen)
                {
                    depth++;
                }
                else if (tokens[i].Kind == SqlTokenKind.CloseParen && --depth == 0)
                {
                    return i;
                }
            }

            return tokens.Count;
        }
    }
}
