using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using SafeMigrations.Analyzers;
using SafeMigrations.Analyzers.Rules;
using SafeMigrations.CodeFixes.Infrastructure;

namespace SafeMigrations.CodeFixes.Rules
{
    /// <summary>
    /// SM0017: keep a brief step's lock out of a later long step. A drop nothing up to the long step needs is moved right
    /// after it (the migration stays one transaction; the lock is taken once the work is done). Otherwise the
    /// migration's transaction is ended before the long step with a suppressed no-op <c>Sql</c> call: EF commits the
    /// open transaction before a suppressed command and begins a new one for the next. <c>DO 'BEGIN END'</c> is a no-op
    /// in plain scripts and inside the <c>DO</c> blocks of idempotent scripts; the SafeMigrations engine runs every step
    /// in its own transaction anyway and plans the call as a no-op with nothing to undo (StatementFacts).
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BriefLockHeldDuringLongStepFixer)), Shared]
    public sealed class BriefLockHeldDuringLongStepFixer : MigrationFixer
    {
        private const string Comment =
            "// Commits the migration's transaction here (EF commits before a suppressed command): the locks taken above are not held during the step below.";

        private const string NoOp = "DO 'BEGIN END'";

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.BriefLockHeldDuringLongStep);

        protected override string Title => "Separate the brief lock from the long step";

        protected override string EquivalenceKey => RuleIdentifiers.BriefLockHeldDuringLongStep;

        private protected override void Fix(DocumentFix fix)
        {
            var moved = new Dictionary<ExpressionStatementSyntax, List<ExpressionStatementSyntax>>();
            var commitsBefore = new HashSet<ExpressionStatementSyntax>();
            foreach (var diagnostic in fix.BuilderDiagnostics)
            {
                if (diagnostic.AdditionalLocations.Count == 0
                    || !(MigrationSyntax.FindInvocation(fix.Root, diagnostic) is { } briefCall && MigrationSyntax.StatementOf(briefCall) is { } brief)
                    || !(fix.Root.FindNode(diagnostic.AdditionalLocations[0].SourceSpan, getInnermostNodeForTie: true) is { } targetNode
                         && MigrationSyntax.StatementOf(targetNode) is { } target))
                {
                    continue;
                }

                if (diagnostic.Properties.TryGetValue(BriefLockHeldDuringLongStepAnalyzer.SeparationKey, out var separation)
                    && separation == BriefLockHeldDuringLongStepAnalyzer.MoveAfter && brief.Parent == target.Parent)
                {
                    if (!moved.TryGetValue(target, out var briefs))
                    {
                        moved[target] = briefs = new List<ExpressionStatementSyntax>();
                    }

                    briefs.Add(brief);
                }
                else
                {
                    commitsBefore.Add(target);
                }
            }

            // Insertions first: a removal may start where an insertion goes (changes are applied in a stable order by position).
            var removals = new List<TextChange>();
            foreach (var pair in moved)
            {
                var inserted = new StringBuilder();
                foreach (var brief in pair.Value.Distinct().OrderBy(s => s.SpanStart))
                {
                    var (removal, lines, separated) = OwnLines(brief, fix.Text);
                    removals.Add(new TextChange(removal, string.Empty));
                    inserted.Append(separated ? MigrationSyntax.DetectNewLine(fix.Text) : string.Empty).Append(lines);
                }

                var after = fix.Text.Lines.GetLineFromPosition(pair.Key.Span.End).EndIncludingLineBreak;
                fix.Add(new TextChange(new TextSpan(after, 0), inserted.ToString()));
            }

            fix.AddRange(removals);

            foreach (var target in commitsBefore)
            {
                var receiver = target.Expression is InvocationExpressionSyntax call ? Receiver(call) : "migrationBuilder";
                fix.InsertCommentsBefore(target, Comment, receiver + ".Sql(" + CSharpCode.String(NoOp) + ", suppressTransaction: true);");
            }
        }

        /// <summary>
        /// The lines of <paramref name="statement"/> with the comments above it (what moves), the span to remove (those
        /// lines and one blank line next to them, so EF's one-blank-line layout is kept), and whether a blank line
        /// separated it from its neighbours.
        /// </summary>
        private static (TextSpan Removal, string Lines, bool Separated) OwnLines(StatementSyntax statement, SourceText text)
        {
            var first = statement.GetLeadingTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.SingleLineCommentTrivia) || t.IsKind(SyntaxKind.MultiLineCommentTrivia));
            var start = text.Lines.GetLineFromPosition(first == default ? statement.SpanStart : first.SpanStart).Start;
            var end = text.Lines.GetLineFromPosition(statement.Span.End).EndIncludingLineBreak;
            var lines = text.ToString(TextSpan.FromBounds(start, end));
            var lineAfter = text.Lines.GetLineFromPosition(end);
            if (end < text.Length && string.IsNullOrWhiteSpace(text.ToString(lineAfter.Span)))
            {
                return (TextSpan.FromBounds(start, lineAfter.EndIncludingLineBreak), lines, true);
            }

            var startLine = text.Lines.GetLineFromPosition(start).LineNumber;
            if (startLine > 0 && string.IsNullOrWhiteSpace(text.ToString(text.Lines[startLine - 1].Span)))
            {
                return (TextSpan.FromBounds(text.Lines[startLine - 1].Start, end), lines, true);
            }

            return (TextSpan.FromBounds(start, end), lines, false);
        }

        /// <summary>The receiver at the start of the fluent chain (<c>migrationBuilder.CreateIndex(...).Annotation(...)</c>).</summary>
        private static string Receiver(InvocationExpressionSyntax invocation)
        {
            var innermost = invocation;
            while (innermost.Expression is MemberAccessExpressionSyntax { Expression: InvocationExpressionSyntax inner })
            {
                innermost = inner;
            }

            return MigrationSyntax.Receiver(innermost);
        }
    }
}
