using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using SafeMigrations.Sql;

namespace SafeMigrations.CodeFixes.Infrastructure
{
    /// <summary>SQL text helpers for fixes of raw SQL: quoting, ALTER TABLE action splitting, column definitions.</summary>
    internal static class SqlFix
    {
        private static readonly HashSet<string> ColumnConstraintWords = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "constraint", "not", "null", "default", "generated", "references", "check", "unique", "primary", "collate",
        };

        /// <summary>A quoted identifier: <c>"Name"</c>.</summary>
        public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

        /// <summary>A string literal: <c>'text'</c>.</summary>
        public static string Literal(string text) => "'" + text.Replace("'", "''") + "'";

        /// <summary><c>"schema"."table"</c> or <c>"table"</c>.</summary>
        public static string Qualify(string? schema, string table) => schema is null ? Quote(table) : Quote(schema) + "." + Quote(table);

        /// <summary>The text of an ALTER TABLE statement before its first action (<c>ALTER TABLE ONLY "t" </c>).</summary>
        public static string AlterTableHeader(SqlStatement statement)
        {
            var tokens = statement.Tokens;
            var i = 0;
            while (i < tokens.Count && (tokens[i].IsKeyword("alter") || tokens[i].IsKeyword("table") || tokens[i].IsKeyword("if")
                                        || tokens[i].IsKeyword("exists") || tokens[i].IsKeyword("only")))
            {
                i++;
            }

            // The table name: name [. name], then an optional *.
            i++;
            while (i + 1 < tokens.Count && tokens[i].Kind == SqlTokenKind.Dot)
            {
                i += 2;
            }

            if (i < tokens.Count && tokens[i].IsOperator("*"))
            {
                i++;
            }

            var start = i < tokens.Count ? tokens[i].Offset - statement.Start : statement.Text.Length;
            return statement.Text.Substring(0, Math.Max(0, Math.Min(start, statement.Text.Length)));
        }

        /// <summary>
        /// Rewrites the actions of an ALTER TABLE statement: <paramref name="rewrite"/> returns the code replacing an
        /// action, or null to keep it; kept neighbours stay together in one ALTER TABLE statement. Returns null when no
        /// action was rewritten.
        /// </summary>
        public static IReadOnlyList<string>? RewriteActions(SqlStatement statement, string receiver, bool suppressTransaction, Func<int, AlterTableAction, IReadOnlyList<string>?> rewrite)
        {
            var header = AlterTableHeader(statement);
            var lines = new List<string>();
            var kept = new List<string>();
            var changed = false;
            for (var i = 0; i < statement.Actions.Count; i++)
            {
                var replacement = rewrite(i, statement.Actions[i]);
                if (replacement is null)
                {
                    kept.Add(statement.Actions[i].Text);
                    continue;
                }

                changed = true;
                Flush();
                lines.AddRange(replacement);
            }

            Flush();
            return changed ? lines : null;

            void Flush()
            {
                if (kept.Count > 0)
                {
                    lines.Add(SqlCallRewrite.SqlCode(receiver, new[] { header + string.Join(", ", kept) }, suppressTransaction));
                    kept.Clear();
                }
            }
        }

        /// <summary>
        /// The ADD COLUMN action without what fills existing rows or requires a value: NOT NULL, NULL, DEFAULT ...,
        /// GENERATED ... (identity or stored expression); a serial type becomes its integer type. Other inline
        /// constraints (REFERENCES, CHECK, UNIQUE, COLLATE) are kept.
        /// </summary>
        public static string PlainAddColumn(AlterTableAction action)
        {
            var text = action.Text;
            var tokens = SqlLexer.Tokenize(text);
            var removed = new List<(int Start, int End)>();
            var i = 0;
            Accept("add");
            Accept("column");
            if (i + 2 < tokens.Count && tokens[i].IsKeyword("if") && tokens[i + 1].IsKeyword("not") && tokens[i + 2].IsKeyword("exists"))
            {
                i += 3;
            }

            i++; // the column name
            var typeStart = i;
            while (i < tokens.Count && !IsConstraintWord(tokens[i]))
            {
                i = Skip(i);
            }

            if (action.Serial && i > typeStart)
            {
                removed.Add((tokens[typeStart].Offset, tokens[i - 1].End));
            }

            var constraintStart = -1;
            while (i < tokens.Count)
            {
                var start = i;
                if (tokens[i].IsKeyword("constraint"))
                {
                    constraintStart = tokens[i].Offset;
                    i += 2;
                    continue;
                }

                var remove = false;
                if (tokens[i].IsKeyword("not") && i + 1 < tokens.Count && tokens[i + 1].IsKeyword("null"))
                {
                    i += 2;
                    remove = true;
                }
                else if (tokens[i].IsKeyword("null"))
                {
                    i++;
                    remove = true;
                }
                else if (tokens[i].IsKeyword("default"))
                {
                    i = Skip(i + 1);
                    while (i < tokens.Count && !IsConstraintWord(tokens[i]))
                    {
                        i = Skip(i);
                    }

                    remove = true;
                }
                else if (tokens[i].IsKeyword("generated"))
                {
                    i++;
                    while (i < tokens.Count && !tokens[i].IsKeyword("identity") && tokens[i].Kind != SqlTokenKind.OpenParen)
                    {
                        i++;
                    }

                    if (i < tokens.Count && tokens[i].IsKeyword("identity"))
                    {
                        i++;
                    }

                    if (i < tokens.Count && tokens[i].Kind == SqlTokenKind.OpenParen)
                    {
                        i = Skip(i);
                    }

                    if (i < tokens.Count && (tokens[i].IsKeyword("stored") || tokens[i].IsKeyword("virtual")))
                    {
                        i++;
                    }

                    remove = true;
                }
                else
                {
                    i = Skip(i);
                    while (i < tokens.Count && !IsConstraintWord(tokens[i]))
                    {
                        i = Skip(i);
                    }
                }

                if (remove)
                {
                    removed.Add((constraintStart >= 0 ? constraintStart : tokens[start].Offset, tokens[i - 1].End));
                }

                constraintStart = -1;
            }

            var builder = new StringBuilder();
            var position = 0;
            foreach (var range in removed.OrderBy(r => r.Start))
            {
                builder.Append(text, position, range.Start - position);
                if (action.Serial && range.Start == tokens[typeStart].Offset)
                {
                    builder.Append(SerialBaseType(action.DataType ?? "serial"));
                }

                position = range.End;
            }

            builder.Append(text, position, text.Length - position);
            return string.Join(" ", builder.ToString().Split(new[] { ' ', '\t', '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries));

            void Accept(string word)
            {
                if (i < tokens.Count && tokens[i].IsKeyword(word))
                {
                    i++;
                }
            }

            // Past a parenthesised group, or past one token.
            int Skip(int index) =>
                index < tokens.Count && tokens[index].Kind == SqlTokenKind.OpenParen ? SqlStatementEdits.SkipGroup(tokens, index) : index + 1;
        }

        /// <summary>The expression of <c>GENERATED ALWAYS AS (expression) STORED</c> in an ADD COLUMN action, or null.</summary>
        public static string? GeneratedExpression(AlterTableAction action)
        {
            var tokens = SqlLexer.Tokenize(action.Text);
            for (var i = 0; i + 1 < tokens.Count; i++)
            {
                if (!tokens[i].IsKeyword("generated"))
                {
                    continue;
                }

                var j = i + 1;
                while (j < tokens.Count && tokens[j].Kind != SqlTokenKind.OpenParen && !tokens[j].IsKeyword("identity"))
                {
                    j++;
                }

                if (j >= tokens.Count || tokens[j].Kind != SqlTokenKind.OpenParen)
                {
                    return null;
                }

                var depth = 0;
                for (var k = j; k < tokens.Count; k++)
                {
                    if (tokens[k].Kind == SqlTokenKind.OpenParen)
                    {
                        depth++;
                    }
                    else if (tokens[k].Kind == SqlTokenKind.CloseParen && --depth == 0)
                    {
                        return action.Text.Substring(tokens[j].End, tokens[k].Offset - tokens[j].End).Trim();
                    }
                }
            }

            return null;
        }

        /// <summary>The action says GENERATED ALWAYS AS IDENTITY (rather than BY DEFAULT).</summary>
        public static bool IsIdentityAlways(AlterTableAction action)
        {
            var tokens = SqlLexer.Tokenize(action.Text);
            for (var i = 0; i + 1 < tokens.Count; i++)
            {
                if (tokens[i].IsKeyword("generated") && tokens[i + 1].IsKeyword("always"))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>integer for serial, bigint for bigserial, smallint for smallserial.</summary>
        public static string SerialBaseType(string type)
        {
            var normalized = ColumnTypes.Normalize(type);
            return normalized == "bigserial" ? "bigint" : normalized == "smallserial" ? "smallint" : "integer";
        }

        /// <summary>The first quoted or unquoted column-like name in an expression (a name not followed by a parenthesis).</summary>
        public static string? FirstColumnName(string expression)
        {
            var tokens = SqlLexer.Tokenize(expression);
            for (var i = 0; i < tokens.Count; i++)
            {
                var isCall = i + 1 < tokens.Count && tokens[i + 1].Kind == SqlTokenKind.OpenParen;
                var afterCast = i > 0 && tokens[i - 1].IsOperator("::");
                if (tokens[i].Kind == SqlTokenKind.QuotedIdentifier && !isCall)
                {
                    return tokens[i].Value;
                }

                if (tokens[i].Kind == SqlTokenKind.Identifier && !isCall && !afterCast && !SqlWords.Contains(tokens[i].Value))
                {
                    return tokens[i].Value;
                }
            }

            return null;
        }

        /// <summary>
        /// A PL/pgSQL expression that evaluates <paramref name="expression"/> (written over the table's columns) for the
        /// row being written: the row's fields become the columns of a one-row sub-select.
        /// </summary>
        public static string OverNewRow(string expression) => "(SELECT " + expression.Trim() + " FROM (SELECT NEW.*) AS new_row)";

        private static readonly HashSet<string> SqlWords = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "and", "or", "not", "null", "true", "false", "case", "when", "then", "else", "end", "is", "in", "like", "ilike",
            "between", "distinct", "from", "as", "cast", "current_date", "current_timestamp", "localtimestamp", "interval",
        };

        private static bool IsConstraintWord(SqlToken token) => token.Kind == SqlTokenKind.Identifier && ColumnConstraintWords.Contains(token.Value);
    }
}
