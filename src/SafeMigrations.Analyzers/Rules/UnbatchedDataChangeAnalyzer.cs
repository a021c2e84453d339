using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>SM0015: a raw UPDATE or DELETE that changes every matching row of an existing table in one statement.</summary>
    /// <remarks>
    /// Only raw SQL is read: EF's UpdateData/DeleteData/InsertData are keyed by primary key, and the one-shot
    /// <c>UPDATE ... WHERE c IS NULL</c> that AlterColumn emits before SET NOT NULL is SM0006's to report.
    /// INSERT ... SELECT is not flagged: new rows are invisible to other transactions until commit and lock nothing
    /// that concurrent writers of existing rows need.
    /// </remarks>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class UnbatchedDataChangeAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.UnbatchedDataChange,
            title: "Update and delete rows of existing tables in batches",
            messageFormat: "{0} on '{1}' changes every matching row in one statement: it holds a row lock on each of them until the migration commits, blocking every concurrent UPDATE, DELETE and SELECT FOR UPDATE of those rows, and writes a burst of WAL and dead tuples; change the rows in keyset batches (WHERE id > @last ORDER BY id LIMIT n), each batch in its own transaction",
            category: RuleCategories.Data,
            description: "A single UPDATE or DELETE over many rows locks every row it touches until the migration's transaction commits; the application's writes to those rows wait for the whole migration. It also produces a burst of WAL (replication lag) and leaves as many dead tuples for vacuum. Process the rows in keyset batches of a few thousand, each in its own short transaction.");

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        protected override RuleExemptions Exemptions => RuleExemptions.LockHazard;

        protected override void Analyze(MigrationContext context)
        {
            foreach (var statement in context.Model.SqlStatements())
            {
                var sql = statement.Statement;
                if (sql.Kind == StatementKind.Update || sql.Kind == StatementKind.Delete)
                {
                    Check(context, statement, sql, inCte: false);
                }

                if (sql.HasDataModifyingCte)
                {
                    // WITH moved AS (DELETE FROM t ... RETURNING *) INSERT INTO archive SELECT * FROM moved:
                    // the statement's table is the main statement's; the CTE's target is read on its own.
                    foreach (var inner in DataModifyingCtes(sql))
                    {
                        Check(context, new StepStatement(statement.Step, inner, statement.StatementIndex), inner, inCte: true);
                    }
                }
            }
        }

        private static void Check(MigrationContext context, StepStatement statement, SqlStatement sql, bool inCte)
        {
            if ((sql.Kind != StatementKind.Update && sql.Kind != StatementKind.Delete)
                || sql.Table is null || sql.IsBatched || sql.TargetsSingleRow || TargetsConventionalKey(sql) || UndoesUp(context, sql))
            {
                return;
            }

            var what = (sql.Kind == StatementKind.Update ? "UPDATE" : "DELETE") + (inCte ? " (in a WITH clause)" : string.Empty);
            context.Report(Rule, statement, what, sql.Table.ToString());
        }

        /// <summary>
        /// In <c>Down</c>, the data counterpart of "Down undoing Up": a DELETE from or an UPDATE of a table the same
        /// migration's <c>Up</c> created, a DELETE of rows from a table <c>Up</c> inserted into (raw INSERT or
        /// InsertData: removing seed rows), an UPDATE of a table <c>Up</c> updated (reverting a data fix).
        /// </summary>
        private static bool UndoesUp(MigrationContext context, SqlStatement sql)
        {
            if (!context.IsDown || context.UpModel is null || TableName.From(sql.Table) is not { } table)
            {
                return false;
            }

            // safe_migrations.analyze_down: only removing what Up created (its tables' or its inserted rows) is exempt;
            // an UPDATE that reverts Up's data change rewrites rows of a live table on rollback.
            if (context.Options.AnalyzeDown && sql.Kind != StatementKind.Delete)
            {
                return false;
            }

            foreach (var created in context.UpModel.CreatedTables)
            {
                if (created == table)
                {
                    return true;
                }
            }

            var isDelete = sql.Kind == StatementKind.Delete;
            foreach (var step in context.UpModel.Steps)
            {
                if (step.MethodName == (isDelete ? "InsertData" : "UpdateData") && step.Table == table)
                {
                    return true;
                }
            }

            foreach (var statement in context.UpModel.SqlStatements())
            {
                var up = statement.Statement;
                if (up.Kind == (isDelete ? StatementKind.Insert : StatementKind.Update) && TableName.From(up.Table) == table)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// An AND-only WHERE that pins EF's conventional key column by constants: <c>"OrderId" = 5</c> on "Orders"
        /// (the scanner already knows <c>id</c>). Names compare case- and underscore-insensitively, so
        /// <c>order_id = 5</c> on orders matches too; a foreign key such as "OrderId" on "OrderLines" does not.
        /// </summary>
        private static bool TargetsConventionalKey(SqlStatement sql)
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
        private static List<SqlStatement> DataModifyingCtes(SqlStatement sql)
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
