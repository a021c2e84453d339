using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SafeMigrations.Analyzers;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Rules;
using SafeMigrations.CodeFixes.Infrastructure;
using SafeMigrations.Sql;

namespace SafeMigrations.CodeFixes.Rules
{
    /// <summary>
    /// SM0007's one-line remedy for timestamp ↔ timestamptz: <c>migrationBuilder.Sql("SET LOCAL TimeZone = 'UTC'")</c>
    /// before the change, which PostgreSQL 12+ then makes without a rewrite. One SET per migration method (EF runs the
    /// method in one transaction), another only after a command that commits it (suppressTransaction, a concurrent
    /// index, a SafeMigrations step). <c>Down</c>'s reverse change of the same columns gets one too, so a rollback does
    /// not shift the values back under another zone.
    /// </summary>
    internal sealed class UtcTimeZoneRemedy : AlternativeFix
    {
        public const string SetUtc = "SET LOCAL TimeZone = 'UTC'";

        public override string Title => "Run the type change with TimeZone set to UTC: no rewrite (valid only when the stored timestamps are UTC)";

        public override string EquivalenceKey => RuleIdentifiers.AlterColumnTypeRewritesTable + ".UtcTimeZone";

        /// <summary>The analyzer said the change is rewrite-free under UTC (version, types and precision checked there).</summary>
        public override bool CanFix(DocumentFix fix, Diagnostic diagnostic)
        {
            if (!diagnostic.GetMessage(CultureInfo.InvariantCulture).Contains(AlterColumnTypeRewritesTableAnalyzer.TimeZoneCondition))
            {
                return false;
            }

            // A SET LOCAL before a suppressed command is committed away before it runs.
            return !diagnostic.Properties.ContainsKey(DiagnosticProperties.StatementIndex)
                || (MigrationSyntax.FindSqlInvocation(fix.Root, diagnostic) is { } invocation
                    && SqlCallRewrite.Read(fix.Model, invocation, fix.CancellationToken) is { SuppressTransaction: false });
        }

        public override void Fix(DocumentFix fix)
        {
            var targets = new List<InvocationExpressionSyntax>();
            var columns = new HashSet<(string?, string, string)>();
            foreach (var diagnostic in fix.BuilderDiagnostics)
            {
                if (MigrationSyntax.FindInvocation(fix.Root, diagnostic) is { } invocation)
                {
                    targets.Add(invocation);
                    if (StepCall.Read(fix.Model, invocation, fix.CancellationToken) is { } call && call.String("table") is { } table && call.String("name") is { } name)
                    {
                        columns.Add((call.String("schema"), table, name));
                    }
                }
            }

            targets.AddRange(fix.SqlCalls().Select(c => c.Call.Invocation));
            targets.AddRange(ReverseChangesInDown(fix, columns));
            foreach (var method in targets.GroupBy(t => t.FirstAncestorOrSelf<MethodDeclarationSyntax>()))
            {
                InsertSets(fix, method.OrderBy(t => t.SpanStart).ToList());
            }
        }

        private static void InsertSets(DocumentFix fix, List<InvocationExpressionSyntax> targets)
        {
            int? lastSet = null;
            foreach (var target in targets)
            {
                if (!(MigrationSyntax.StatementOf(target) is { } statement) || !(statement.Parent is BlockSyntax block))
                {
                    continue;
                }

                if (lastSet is int from && !EndsTransactionBetween(fix, block, from, statement.SpanStart))
                {
                    continue;
                }

                fix.InsertCommentsBefore(statement,
                    "// Valid only when the stored timestamps are UTC: with TimeZone UTC, PostgreSQL 12+ changes timestamp <-> timestamptz without rewriting the table.",
                    MigrationSyntax.Receiver(target) + ".Sql(\"" + SetUtc + "\");");
                lastSet = statement.SpanStart;
            }
        }

        /// <summary>A statement between the two positions after which EF runs a command outside its transaction.</summary>
        private static bool EndsTransactionBetween(DocumentFix fix, BlockSyntax block, int from, int to)
        {
            foreach (var statement in block.Statements.Where(s => s.SpanStart >= from && s.SpanStart < to))
            {
                foreach (var invocation in statement.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>())
                {
                    var suppressed = invocation.ArgumentList.Arguments.Any(a => a.NameColon?.Name.Identifier.ValueText == "suppressTransaction" && !a.Expression.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.FalseLiteralExpression));
                    var method = fix.Model.GetSymbolInfo(invocation, fix.CancellationToken).Symbol as IMethodSymbol;
                    if (suppressed || method?.IsExtensionMethod == true || invocation.ToString().Contains("CreatedConcurrently"))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static IEnumerable<InvocationExpressionSyntax> ReverseChangesInDown(DocumentFix fix, HashSet<(string?, string, string)> columns)
        {
            if (columns.Count == 0
                || !(fix.Root.DescendantNodes().OfType<MethodDeclarationSyntax>().FirstOrDefault(m => m.Identifier.ValueText == "Down" && m.Body != null) is { } down))
            {
                yield break;
            }

            foreach (var invocation in down.Body!.DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (MigrationSyntax.MethodName(invocation) == "AlterColumn"
                    && StepCall.Read(fix.Model, invocation, fix.CancellationToken) is { } call
                    && columns.Contains((call.String("schema"), call.String("table") ?? string.Empty, call.String("name") ?? string.Empty))
                    && call.String("type") is { } type
                    && ColumnTypes.IsTimeZoneChange(call.String("oldType"), type))
                {
                    yield return invocation;
                }
            }
        }
    }
}
