using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using SafeMigrations.Analyzers;
using SafeMigrations.CodeFixes.Infrastructure;
using SafeMigrations.Sql;

namespace SafeMigrations.CodeFixes.Rules
{
    /// <summary>
    /// SM0015: a raw <c>UPDATE t SET ... [WHERE p]</c> becomes <c>Backfill</c>, a raw <c>DELETE FROM t [WHERE p]</c>
    /// becomes <c>DeleteInBatches</c> (keyset batches in the engine, one statement under plain EF).
    /// <para>
    /// A backfill's <c>where</c> must turn false once a row is done (resume and verification rely on it). It is
    /// <c>(p) AND (a IS DISTINCT FROM (x) OR ...)</c> over the assignments <c>a = x</c>: after the update every
    /// assignment holds, so the row no longer matches, and rows that already had the values are skipped — the same
    /// end state. When an assigned value changes from one batch to the next (time, random or sequence functions,
    /// DEFAULT), that does not settle; <c>p</c> alone is used when it tests an assigned column for NULL
    /// (<c>SET c = now() WHERE c IS NULL</c>), otherwise the original predicate is kept with a review comment.
    /// </para>
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnbatchedDataChangeFixer)), Shared]
    public sealed class UnbatchedDataChangeFixer : MigrationFixer
    {
        private static readonly HashSet<string> ChangingFunctions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "now", "current_timestamp", "current_date", "current_time", "localtimestamp", "localtime", "clock_timestamp",
            "statement_timestamp", "transaction_timestamp", "timeofday", "random", "gen_random_uuid", "uuid_generate_v4",
            "uuid_generate_v1", "nextval", "txid_current", "pg_current_xact_id", "default",
        };

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.UnbatchedDataChange);

        protected override string Title => "Update or delete the rows in batches";

        protected override string EquivalenceKey => RuleIdentifiers.UnbatchedDataChange;

        private protected override void Fix(DocumentFix fix) =>
            fix.RewriteStatements((call, statement, _) =>
                statement.Kind == StatementKind.Update ? FixUpdate(call.Receiver, statement)
                : statement.Kind == StatementKind.Delete ? FixDelete(call.Receiver, statement)
                : null);

        private static IReadOnlyList<string>? FixUpdate(string receiver, SqlStatement statement)
        {
            var tokens = statement.Tokens;
            var i = 1;
            if (!ReadTarget(statement, ref i, out var alias, "set") || i >= tokens.Count || !tokens[i].IsKeyword("set"))
            {
                return null;
            }

            var setStart = ++i;
            var setEnd = SkipTo(tokens, i, "from", "where", "returning");
            if (setEnd == setStart)
            {
                return null;
            }

            string? from = null;
            var next = setEnd;
            if (next < tokens.Count && tokens[next].IsKeyword("from"))
            {
                next = SkipTo(tokens, next + 1, "where", "returning");
                from = Text(statement, setEnd + 1, next - 1, alias);
            }

            var where = ReadWhere(statement, next, alias);
            var assignments = Assignments(tokens, setStart, setEnd, statement, alias);
            if (where == string.Empty || from != null && assignments is null)
            {
                return null;
            }

            var set = Text(statement, setStart, setEnd - 1, alias);
            var (table, schema) = CSharpCode.TableAndSchema(statement.Table!);
            string settle;
            var review = false;
            if (from != null)
            {
                // UPDATE ... FROM: each value becomes a sub-select correlated by the WHERE (one matching row, as UPDATE ... FROM takes).
                var source = " FROM " + from + (where is null ? string.Empty : " WHERE " + where) + " LIMIT 1)";
                set = assignments!.Count == 1
                    ? assignments[0].Target + " = (SELECT " + assignments[0].Value + source
                    : "(" + string.Join(", ", assignments.Select(a => a.Target)) + ") = (SELECT " + string.Join(", ", assignments.Select(a => a.Value)) + source;
                var exists = "EXISTS (SELECT 1 FROM " + from + (where is null ? string.Empty : " WHERE " + where) + ")";
                review = assignments.Any(a => Changes(a.Value));
                settle = exists + (review ? string.Empty : " AND (" + string.Join(" OR ", assignments.Select(a => a.Target + " IS DISTINCT FROM (SELECT " + a.Value + source)) + ")");
            }
            else if (assignments != null && assignments.All(a => !Changes(a.Value)))
            {
                var distinct = string.Join(" OR ", assignments.Select(a => a.Target + " IS DISTINCT FROM (" + a.Value + ")"));
                settle = where is null ? distinct : "(" + where + ") AND (" + distinct + ")";
            }
            else if (where != null && assignments != null && assignments.Any(a => TestsForNull(where, a.Target) && !IsNullLiteral(a.Value)))
            {
                settle = where;
            }
            else
            {
                settle = where ?? "TRUE";
                review = true;
            }

            var lines = new List<string> { "// Backfill: the rows are updated in keyset batches, each its own short transaction; 'where' turns false once a row is done." };
            if (review)
            {
                lines.Add("// Review 'where': the engine verifies no row matches it afterwards, and these values change between batches.");
            }

            lines.Add(StepCall.RenderLine(receiver, "Backfill",
                ("table", table), ("set", CSharpCode.String(set)), ("where", CSharpCode.String(settle)), ("schema", schema)));
            return lines;
        }

        private static IReadOnlyList<string>? FixDelete(string receiver, SqlStatement statement)
        {
            var tokens = statement.Tokens;
            var i = 1;
            if (i < tokens.Count && tokens[i].IsKeyword("from"))
            {
                i++;
            }

            if (!ReadTarget(statement, ref i, out var alias, "where", "using", "returning"))
            {
                return null;
            }

            string? usingList = null;
            if (i < tokens.Count && tokens[i].IsKeyword("using"))
            {
                var end = SkipTo(tokens, i + 1, "where", "returning");
                usingList = Text(statement, i + 1, end - 1, alias);
                i = end;
            }

            var where = ReadWhere(statement, i, alias);
            if (where == string.Empty)
            {
                return null;
            }

            if (usingList != null)
            {
                // DELETE ... USING: the joined rows become an EXISTS over the same tables and condition.
                where = "EXISTS (SELECT 1 FROM " + usingList + (where is null ? string.Empty : " WHERE " + where) + ")";
            }

            var (table, schema) = CSharpCode.TableAndSchema(statement.Table!);
            return new[]
            {
                "// The rows are deleted in keyset batches, each its own short transaction.",
                StepCall.RenderLine(receiver, "DeleteInBatches", ("table", table), ("where", CSharpCode.String(where ?? "TRUE")), ("schema", schema)),
            };
        }

        /// <summary>
        /// Skips <c>[ONLY] name[.name] [*] [[AS] alias]</c>; false for a WITH statement or when none of
        /// <paramref name="next"/> follows. The alias is replaced by the table name in the step's SQL, which has none.
        /// </summary>
        private static bool ReadTarget(SqlStatement statement, ref int i, out string? alias, params string[] next)
        {
            alias = null;
            var tokens = statement.Tokens;
            if (statement.Table is null || tokens.Count == 0 || tokens[0].IsKeyword("with"))
            {
                return false;
            }

            if (i < tokens.Count && tokens[i].IsKeyword("only"))
            {
                i++;
            }

            i++;
            while (i + 1 < tokens.Count && tokens[i].Kind == SqlTokenKind.Dot)
            {
                i += 2;
            }

            if (i < tokens.Count && tokens[i].IsOperator("*"))
            {
                i++;
            }

            if (i + 1 < tokens.Count && tokens[i].IsKeyword("as") && tokens[i + 1].IsName)
            {
                alias = tokens[i + 1].Value;
                i += 2;
            }
            else if (i < tokens.Count && tokens[i].IsName && !next.Any(tokens[i].IsKeyword))
            {
                alias = tokens[i].Value;
                i++;
            }

            return i >= tokens.Count || next.Any(tokens[i].IsKeyword);
        }

        /// <summary>The WHERE predicate at token <paramref name="i"/> up to RETURNING (dropped: a migration discards its rows); null without WHERE, empty when unsupported.</summary>
        private static string? ReadWhere(SqlStatement statement, int i, string? alias)
        {
            var tokens = statement.Tokens;
            if (i >= tokens.Count || tokens[i].IsKeyword("returning"))
            {
                return null;
            }

            if (!tokens[i].IsKeyword("where") || i + 2 < tokens.Count && tokens[i + 1].IsKeyword("current") && tokens[i + 2].IsKeyword("of"))
            {
                return string.Empty;
            }

            var end = SkipTo(tokens, i + 1, "returning");
            return end == i + 1 ? string.Empty : Text(statement, i + 1, end - 1, alias);
        }

        /// <summary>The SET list as (target, value) pairs; null when a target is not a plain column or column list.</summary>
        private static List<(string Target, string Value)>? Assignments(IReadOnlyList<SqlToken> tokens, int start, int end, SqlStatement statement, string? alias)
        {
            var result = new List<(string, string)>();
            var itemStart = start;
            for (var i = start; i <= end; i++)
            {
                if (i < end && tokens[i].Kind == SqlTokenKind.OpenParen)
                {
                    i = Close(tokens, i);
                    continue;
                }

                if (i < end && tokens[i].Kind != SqlTokenKind.Comma)
                {
                    continue;
                }

                var equals = -1;
                for (var j = itemStart; j < i; j++)
                {
                    if (tokens[j].Kind == SqlTokenKind.OpenParen)
                    {
                        j = Close(tokens, j);
                    }
                    else if (tokens[j].IsOperator("="))
                    {
                        equals = j;
                        break;
                    }
                }

                if (equals < 0 || equals + 1 >= i)
                {
                    return null;
                }

                var target = Text(statement, itemStart, equals - 1, alias);
                var single = equals == itemStart + 1 && tokens[itemStart].IsName;
                var list = tokens[itemStart].Kind == SqlTokenKind.OpenParen && tokens[equals + 1].Kind == SqlTokenKind.OpenParen && !tokens[equals + 2].IsKeyword("select");
                if (!single && !list)
                {
                    return null;
                }

                result.Add((target, Text(statement, equals + 1, i - 1, alias)));
                itemStart = i + 1;
            }

            return result;
        }

        /// <summary>
        /// The value differs between two evaluations in different transactions: time, random and sequence functions, or
        /// DEFAULT. Other functions and sub-selects are taken as deterministic; if one is not, the engine's verification
        /// reports the rows that still match, and plain EF still updates every row once.
        /// </summary>
        private static bool Changes(string value) =>
            SqlLexer.Tokenize(value).Any(t => t.Kind == SqlTokenKind.Identifier && ChangingFunctions.Contains(t.Value));

        private static bool TestsForNull(string where, string target)
        {
            var tokens = SqlLexer.Tokenize(where);
            var name = SqlLexer.Tokenize(target).FirstOrDefault()?.Value;
            for (var i = 0; i + 2 < tokens.Count; i++)
            {
                if (tokens[i].IsName && tokens[i].Value == name && tokens[i + 1].IsKeyword("is") && tokens[i + 2].IsKeyword("null"))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsNullLiteral(string value) => string.Equals(value.Trim(), "null", StringComparison.OrdinalIgnoreCase);

        private static int SkipTo(IReadOnlyList<SqlToken> tokens, int i, params string[] keywords)
        {
            for (; i < tokens.Count; i++)
            {
                if (tokens[i].Kind == SqlTokenKind.OpenParen)
                {
                    i = Close(tokens, i);
                }
                else if (keywords.Any(tokens[i].IsKeyword))
                {
                    return i;
                }
            }

            return tokens.Count;
        }

        private static int Close(IReadOnlyList<SqlToken> tokens, int open)
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

            return tokens.Count - 1;
        }

        /// <summary>The text of tokens <paramref name="first"/>..<paramref name="last"/>, <c>alias.</c> references written with the table name.</summary>
        private static string Text(SqlStatement statement, int first, int last, string? alias)
        {
            var tokens = statement.Tokens;
            var builder = new System.Text.StringBuilder();
            var position = tokens[first].Offset - statement.Start;
            for (var i = first; alias != null && i <= last; i++)
            {
                if (tokens[i].IsName && tokens[i].Value == alias && i + 1 <= last && tokens[i + 1].Kind == SqlTokenKind.Dot
                    && (i == first || tokens[i - 1].Kind != SqlTokenKind.Dot))
                {
                    builder.Append(statement.Text, position, tokens[i].Offset - statement.Start - position).Append(SqlFix.Quote(statement.Table!.Name));
                    position = tokens[i].End - statement.Start;
                }
            }

            builder.Append(statement.Text, position, tokens[last].End - statement.Start - position);
            return builder.ToString().Trim();
        }
    }
}
