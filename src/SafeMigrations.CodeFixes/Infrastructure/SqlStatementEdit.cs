using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using SafeMigrations.Sql;

namespace SafeMigrations.CodeFixes.Infrastructure
{
    /// <summary>
    /// What a fixer does with one statement of a <c>Sql(...)</c> call: code before it, its new SQL (kept in the call's
    /// group with its untouched neighbours, or dropped when null), and code after it.
    /// </summary>
    internal sealed class StatementEdit
    {
        public StatementEdit(string? sql, IReadOnlyList<string>? before = null, IReadOnlyList<string>? after = null)
        {
            Sql = sql;
            Before = before ?? Array.Empty<string>();
            After = after ?? Array.Empty<string>();
        }

        /// <summary>The statement's new SQL (without the semicolon), or null to drop it.</summary>
        public string? Sql { get; }

        /// <summary>Lines before the statement; they end the preceding group of statements.</summary>
        public IReadOnlyList<string> Before { get; }

        /// <summary>Lines after the statement; they end the statement's group (e.g. a step that must follow its commit).</summary>
        public IReadOnlyList<string> After { get; }
    }

    /// <summary>Statement-level rewrites of a <c>Sql(...)</c> call and token-aware edits of ALTER TABLE actions.</summary>
    internal static class SqlStatementEdits
    {
        /// <summary>
        /// The replacement lines of a whole call: each statement is kept (<paramref name="edit"/> returns null) or
        /// edited; statements stay grouped in one <c>Sql(...)</c> call, with the original transaction flag, until an
        /// edit adds code before or after one.
        /// </summary>
        public static IReadOnlyList<string> Rewrite(SqlCallRewrite call, Func<int, SqlStatement, StatementEdit?> edit)
        {
            var lines = new List<string>();
            var pending = new List<string>();
            for (var i = 0; i < call.Statements.Count; i++)
            {
                var statement = call.Statements[i];
                var change = edit(i, statement);
                if (change is null)
                {
                    pending.Add(statement.Text);
                    continue;
                }

                if (change.Before.Count > 0)
                {
                    Flush();
                    lines.AddRange(change.Before);
                }

                if (change.Sql is { } sql)
                {
                    pending.Add(sql);
                }

                if (change.After.Count > 0)
                {
                    Flush();
                    lines.AddRange(change.After);
                }
            }

            Flush();
            return lines;

            void Flush()
            {
                if (pending.Count > 0)
                {
                    lines.Add(SqlCallRewrite.SqlCode(call.Receiver, pending, call.SuppressTransaction));
                    pending.Clear();
                }
            }
        }

        /// <summary>Start offsets (in the statement's text) of each ALTER TABLE action, in order.</summary>
        public static IReadOnlyList<(int Start, int Length)> ActionSpans(SqlStatement statement)
        {
            var spans = new List<(int, int)>();
            var text = statement.Text;
            var from = FirstActionSearchStart(statement);
            foreach (var action in statement.Actions)
            {
                var at = text.IndexOf(action.Text, from, StringComparison.Ordinal);
                if (at < 0)
                {
                    return Array.Empty<(int, int)>();
                }

                spans.Add((at, action.Text.Length));
                from = at + action.Text.Length;
            }

            return spans;
        }

        /// <summary>
        /// The statement with some actions replaced (value = new action text) or removed (value = null); null when
        /// every action is removed or the actions cannot be located.
        /// </summary>
        public static string? ReplaceActions(SqlStatement statement, IReadOnlyDictionary<int, string?> replacements)
        {
            var spans = ActionSpans(statement);
            if (spans.Count != statement.Actions.Count || spans.Count == 0)
            {
                return null;
            }

            var kept = new List<string>();
            for (var i = 0; i < spans.Count; i++)
            {
                if (replacements.TryGetValue(i, out var replacement))
                {
                    if (replacement != null)
                    {
                        kept.Add(replacement);
                    }
                }
                else
                {
                    kept.Add(statement.Text.Substring(spans[i].Start, spans[i].Length));
                }
            }

            if (kept.Count == 0)
            {
                return null;
            }

            return statement.Text.Substring(0, spans[0].Start) + string.Join(", ", kept)
                   + statement.Text.Substring(spans[spans.Count - 1].Start + spans[spans.Count - 1].Length);
        }

        /// <summary><c>ALTER TABLE [IF EXISTS] [ONLY] name </c>: the statement's text before its first action.</summary>
        public static string AlterTablePrefix(SqlStatement statement)
        {
            var spans = ActionSpans(statement);
            if (spans.Count > 0)
            {
                return statement.Text.Substring(0, spans[0].Start);
            }

            return "ALTER TABLE " + Qualify(statement.Table) + " ";
        }

        /// <summary>A PostgreSQL identifier, double-quoted unless it is a plain lower-case name.</summary>
        public static string Quote(string name)
        {
            var plain = name.Length > 0 && (char.IsLower(name[0]) || name[0] == '_')
                        && name.All(c => (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
            return plain && !ReservedWords.Contains(name) ? name : "\"" + name.Replace("\"", "\"\"") + "\"";
        }

        public static string Qualify(QualifiedName? name) =>
            name is null ? "?" : name.Schema is null ? Quote(name.Name) : Quote(name.Schema) + "." + Quote(name.Name);

        /// <summary>
        /// The name PostgreSQL gives an unnamed constraint: <c>table_col1_col2_suffix</c> (<c>table_suffix</c> without
        /// columns), shortened the way PostgreSQL's makeObjectName does when longer than 63 bytes (the longer part is
        /// cut first). A name already taken would get a number from PostgreSQL; that case is not reproduced.
        /// </summary>
        public static string DefaultConstraintName(string table, IEnumerable<string> columns, string suffix)
        {
            var name1 = table;
            var name2 = string.Join("_", columns);
            var overhead = suffix.Length + 1 + (name2.Length > 0 ? 1 : 0);
            const int MaxLength = 63;
            var bytes1 = Encoding.UTF8.GetByteCount(name1);
            var bytes2 = Encoding.UTF8.GetByteCount(name2);
            while (bytes1 + bytes2 + overhead > MaxLength)
            {
                if (bytes1 > bytes2)
                {
                    name1 = name1.Substring(0, name1.Length - 1);
                    bytes1 = Encoding.UTF8.GetByteCount(name1);
                }
                else
                {
                    name2 = name2.Substring(0, name2.Length - 1);
                    bytes2 = Encoding.UTF8.GetByteCount(name2);
                }
            }

            return name1 + (name2.Length > 0 ? "_" + name2 : string.Empty) + "_" + suffix;
        }

        /// <summary>Skips a parenthesised group starting at <paramref name="i"/>; returns <paramref name="i"/> when there is none.</summary>
        public static int SkipGroup(IReadOnlyList<SqlToken> tokens, int i)
        {
            if (i >= tokens.Count || tokens[i].Kind != SqlTokenKind.OpenParen)
            {
                return i;
            }

            var depth = 0;
            for (var j = i; j < tokens.Count; j++)
            {
                if (tokens[j].Kind == SqlTokenKind.OpenParen)
                {
                    depth++;
                }
                else if (tokens[j].Kind == SqlTokenKind.CloseParen && --depth == 0)
                {
                    return j + 1;
                }
            }

            return tokens.Count;
        }

        /// <summary>Tokens of a piece of SQL with offsets relative to it.</summary>
        public static IReadOnlyList<SqlToken> Tokens(string sql) => SqlLexer.Tokenize(sql);

        private static int FirstActionSearchStart(SqlStatement statement)
        {
            // Skip ALTER TABLE [IF EXISTS] [ONLY] name [*]: the last token of the table name ends the prefix.
            var tokens = Tokens(statement.Text);
            var i = 0;
            while (i < tokens.Count && (tokens[i].IsKeyword("alter") || tokens[i].IsKeyword("table") || tokens[i].IsKeyword("if")
                                        || tokens[i].IsKeyword("exists") || tokens[i].IsKeyword("only")))
            {
                i++;
            }

            // name, or schema . name
            if (i < tokens.Count)
            {
                i++;
            }

            while (i + 1 < tokens.Count && tokens[i].Kind == SqlTokenKind.Dot)
            {
                i += 2;
            }

            return i <= tokens.Count && i > 0 ? tokens[i - 1].End : 0;
        }

        private static readonly HashSet<string> ReservedWords = new HashSet<string>(StringComparer.Ordinal)
        {
            "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast", "check",
            "collate", "column", "constraint", "create", "current_catalog", "current_date", "current_role", "current_time",
            "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end", "except",
            "false", "fetch", "for", "foreign", "from", "grant", "group", "having", "in", "initially", "intersect", "into",
            "lateral", "leading", "limit", "localtime", "localtimestamp", "not", "null", "offset", "on", "only", "or",
            "order", "placing", "primary", "references", "returning", "select", "session_user", "some", "symmetric",
            "table", "then", "to", "trailing", "true", "union", "unique", "user", "using", "variadic", "when", "where",
            "window", "with", "user", "key", "index",
        };
    }
}

namespace SafeMigrations.CodeFixes.Infrastructure
{
    /// <summary>
    /// For a statement that has no online form: it is kept, alone in its <c>Sql(...)</c> call, between
    /// <c>#pragma warning disable/restore</c> lines whose comment says why — an explicit, reviewable acknowledgement,
    /// never a pretence of safety.
    /// </summary>
    internal static class AcknowledgedStatement
    {
        public static StatementEdit Edit(SqlCallRewrite call, string statementSql, string ruleId, string reason, bool? suppressTransaction = null) =>
            new StatementEdit(null, new[]
            {
                "// No online form: " + reason,
                "#pragma warning disable " + ruleId + " // runs under its lock: schedule it in a maintenance window",
                SqlCallRewrite.SqlCode(call.Receiver, new[] { statementSql }, suppressTransaction ?? call.SuppressTransaction),
                "#pragma warning restore " + ruleId,
            });
    }
}
