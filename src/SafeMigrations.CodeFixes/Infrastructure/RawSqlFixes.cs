using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Sql;

namespace SafeMigrations.CodeFixes.Infrastructure
{
    /// <summary>The raw-SQL half of a fixer: rewrite each flagged statement, or each flagged ALTER TABLE action.</summary>
    internal static class RawSqlFixes
    {
        /// <summary>
        /// Rewrites every flagged statement of every <c>Sql(...)</c> call in <paramref name="diagnostics"/>;
        /// <paramref name="fix"/> returns the replacement code or null to keep the statement.
        /// </summary>
        public static List<TextChange> RewriteStatements(SyntaxNode root, SemanticModel model, SourceText text, IEnumerable<Diagnostic> diagnostics, Func<SqlCallRewrite, SqlStatement, IReadOnlyList<Diagnostic>, IReadOnlyList<string>?> fix, CancellationToken cancellationToken)
        {
            var changes = new List<TextChange>();
            foreach (var group in RawSqlDiagnostics.GroupBySqlCall(root, diagnostics, out _))
            {
                if (SqlCallRewrite.Read(model, group.Key, cancellationToken) is not { } call)
                {
                    continue;
                }

                var rewritten = false;
                var lines = call.Rewrite((index, statement) =>
                {
                    var own = group.Value.FindAll(d => DiagnosticProperties.ReadIndex(d.Properties, DiagnosticProperties.StatementIndex) == index);
                    var replacement = own.Count > 0 ? fix(call, statement, own) : null;
                    rewritten |= replacement != null;
                    return replacement;
                });
                if (rewritten)
                {
                    changes.Add(MigrationSyntax.ReplaceStatement(call.Statement, text, lines));
                }
            }

            return changes;
        }

        /// <summary>
        /// Rewrites every flagged ALTER TABLE action (<see cref="DiagnosticProperties.ActionIndex"/>); kept actions of the
        /// same statement stay together as SQL, in order.
        /// </summary>
        public static List<TextChange> RewriteActions(SyntaxNode root, SemanticModel model, SourceText text, IEnumerable<Diagnostic> diagnostics, Func<SqlCallRewrite, SqlStatement, AlterTableAction, IReadOnlyList<string>?> fix, CancellationToken cancellationToken)
        {
            return RewriteStatements(root, model, text, diagnostics, (call, statement, own) =>
            {
                var actions = new HashSet<int>();
                foreach (var diagnostic in own)
                {
                    actions.Add(DiagnosticProperties.ReadIndex(diagnostic.Properties, DiagnosticProperties.ActionIndex));
                }

                return statement.Table is null
                    ? null
                    : SqlFix.RewriteActions(statement, call.Receiver, call.SuppressTransaction,
                        (actionIndex, action) => actions.Contains(actionIndex) ? fix(call, statement, action) : null);
            }, cancellationToken);
        }

        /// <summary>C# code of the statement's table name and schema (null when unqualified).</summary>
        public static (string Table, string? Schema) TableCode(QualifiedName table) =>
            (CSharpCode.String(table.Name), table.Schema is null ? null : CSharpCode.String(table.Schema));
    }
}
