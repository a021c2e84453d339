using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SafeMigrations.Analyzers.Infrastructure;

namespace SafeMigrations.CodeFixes.Infrastructure
{
    /// <summary>Sorts a fixer's diagnostics into raw-SQL ones (grouped by their <c>Sql(...)</c> call) and builder-step ones.</summary>
    internal static class RawSqlDiagnostics
    {
        public static Dictionary<InvocationExpressionSyntax, List<Diagnostic>> GroupBySqlCall(SyntaxNode root, IEnumerable<Diagnostic> diagnostics, out List<Diagnostic> builderDiagnostics)
        {
            var groups = new Dictionary<InvocationExpressionSyntax, List<Diagnostic>>();
            builderDiagnostics = new List<Diagnostic>();
            foreach (var diagnostic in diagnostics)
            {
                if (!diagnostic.Properties.ContainsKey(DiagnosticProperties.StatementIndex))
                {
                    builderDiagnostics.Add(diagnostic);
                    continue;
                }

                if (MigrationSyntax.FindSqlInvocation(root, diagnostic) is { } invocation)
                {
                    if (!groups.TryGetValue(invocation, out var list))
                    {
                        groups[invocation] = list = new List<Diagnostic>();
                    }

                    list.Add(diagnostic);
                }
            }

            return groups;
        }
    }
}
