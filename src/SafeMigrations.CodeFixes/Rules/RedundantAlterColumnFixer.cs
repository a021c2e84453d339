using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using SafeMigrations.Analyzers;
using SafeMigrations.CodeFixes.Infrastructure;

namespace SafeMigrations.CodeFixes.Rules
{
    /// <summary>
    /// SM0018: removes the redundant <c>AlterColumn</c> from <c>Up</c>, and the <c>AlterColumn</c> of the same column in
    /// <c>Down</c>: undoing a change that never happened would alter the column on rollback.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RedundantAlterColumnFixer)), Shared]
    public sealed class RedundantAlterColumnFixer : MigrationFixer
    {
        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.RedundantAlterColumn);

        protected override string Title => "Remove the redundant AlterColumn";

        protected override string EquivalenceKey => RuleIdentifiers.RedundantAlterColumn;

        private protected override void Fix(DocumentFix fix)
        {
            foreach (var call in fix.StepCalls("AlterColumn"))
            {
                fix.Add(RemoveLines(call.Statement, fix.Text));
                if (MigrationMethods.DownOfUp(call.Invocation) is { Body: { } down })
                {
                    var undo = down.Statements.OfType<ExpressionStatementSyntax>().FirstOrDefault(s =>
                        s.Expression is InvocationExpressionSyntax invocation
                        && StepCall.Read(fix.Model, invocation, fix.CancellationToken) is { Method: "AlterColumn" } other
                        && other.Code("name") == call.Code("name") && other.Code("table") == call.Code("table") && other.Code("schema") == call.Code("schema"));
                    if (undo != null)
                    {
                        fix.Add(RemoveLines(undo, fix.Text));
                    }
                }
            }
        }

        /// <summary>The statement's lines, from the start of its first line through the line break after it.</summary>
        private static TextChange RemoveLines(StatementSyntax statement, SourceText text)
        {
            var start = text.Lines.GetLineFromPosition(statement.SpanStart).Start;
            var end = text.Lines.GetLineFromPosition(statement.Span.End).EndIncludingLineBreak;
            return new TextChange(TextSpan.FromBounds(start, end), string.Empty);
        }
    }
}
