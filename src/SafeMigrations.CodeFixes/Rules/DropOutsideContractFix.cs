using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using SafeMigrations.CodeFixes.Infrastructure;
using SafeMigrations.Sql;

namespace SafeMigrations.CodeFixes.Rules
{
    /// <summary>
    /// Shared rewrite of SM0013/SM0014: the drop moves to the contract phase. A builder drop gets <c>.InContractPhase()</c>;
    /// a raw drop statement goes into its own <c>Sql(...).InContractPhase()</c> call, and an ALTER TABLE that also does
    /// something else is split so that only its DROP COLUMN actions move.
    /// </summary>
    internal static class DropOutsideContractFix
    {
        public static async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string builderMethod, string what, CancellationToken cancellationToken)
        {
            var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
            if (root is null || model is null)
            {
                return document;
            }

            var comment = "// Contract: runs after every app instance stopped using the " + what + ".";
            var changes = new List<TextChange>();
            var sqlCalls = RawSqlDiagnostics.GroupBySqlCall(root, diagnostics, out var builderDiagnostics);
            foreach (var group in sqlCalls)
            {
                if (SqlCallRewrite.Read(model, group.Key, cancellationToken) is not { } call)
                {
                    continue;
                }

                var flagged = SqlCallRewrite.StatementIndexes(group.Value);
                var lines = call.Rewrite((index, statement) =>
                {
                    if (!flagged.Contains(index))
                    {
                        return null;
                    }

                    var result = new List<string>();
                    string contractSql = statement.Text;
                    if (statement.Kind == StatementKind.AlterTable && SplitDropColumns(statement) is { } split)
                    {
                        result.Add(SqlCallRewrite.SqlCode(call.Receiver, new[] { split.Remaining }, call.SuppressTransaction));
                        contractSql = split.Drops;
                    }

                    result.Add(comment);
                    result.Add(ContractSql(call.Receiver, contractSql, call.SuppressTransaction));
                    return result;
                });
                changes.Add(MigrationSyntax.ReplaceStatement(call.Statement, text, lines));
            }

            foreach (var diagnostic in builderDiagnostics)
            {
                if (MigrationSyntax.FindInvocation(root, diagnostic) is { } invocation
                    && MigrationSyntax.MethodName(invocation) == builderMethod
                    && MigrationSyntax.StatementOf(invocation) is { } statement)
                {
                    changes.Add(MigrationSyntax.InsertCommentsBefore(statement, text, new[] { comment }));
                    changes.Add(MigrationSyntax.AppendChainedCall(statement, text, ".InContractPhase()"));
                }
            }

            return await MigrationSyntax.ApplyAsync(document, changes, cancellationToken).ConfigureAwait(false);
        }

        /// <summary><c>migrationBuilder.Sql("...;").InContractPhase();</c></summary>
        public static string ContractSql(string receiver, string statement, bool suppressTransaction)
        {
            var code = SqlCallRewrite.SqlCode(receiver, new[] { statement }, suppressTransaction);
            return code.Substring(0, code.Length - 1) + ".InContractPhase();";
        }

        /// <summary>
        /// <c>ALTER TABLE t DROP COLUMN a, ADD COLUMN c int</c> → (<c>ALTER TABLE t ADD COLUMN c int</c>, <c>ALTER TABLE t
        /// DROP COLUMN a</c>); null when every action is a drop, or when another action names a dropped column (the
        /// statement then moves as a whole, keeping its order).
        /// </summary>
        private static (string Remaining, string Drops)? SplitDropColumns(SqlStatement statement)
        {
            var actions = statement.Actions;
            var drops = actions.Where(a => a.Kind == AlterTableActionKind.DropColumn).ToList();
            var rest = actions.Where(a => a.Kind != AlterTableActionKind.DropColumn).ToList();
            if (drops.Count == 0 || rest.Count == 0
                || rest.Any(a => a.Column != null && drops.Any(d => string.Equals(d.Column, a.Column, StringComparison.Ordinal))))
            {
                return null;
            }

            // The prefix (ALTER TABLE [IF EXISTS] [ONLY] name) is the text before the first action.
            var first = statement.Text.IndexOf(actions[0].Text, TableEnd(statement), StringComparison.Ordinal);
            if (first < 0)
            {
                return null;
            }

            var prefix = statement.Text.Substring(0, first);
            return (prefix + string.Join(", ", rest.Select(a => a.Text)), prefix + string.Join(", ", drops.Select(a => a.Text)));
        }

        /// <summary>Offset just after the TABLE keyword, where the search for the first action starts.</summary>
        private static int TableEnd(SqlStatement statement)
        {
            foreach (var token in SqlLexer.Tokenize(statement.Text))
            {
                if (token.IsKeyword("table"))
                {
                    return token.End;
                }
            }

            return 0;
        }
    }
}
