using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using SafeMigrations.Analyzers;
using SafeMigrations.CodeFixes.Infrastructure;
using SafeMigrations.Sql;

namespace SafeMigrations.CodeFixes.Rules
{
    /// <summary>
    /// SM0002: drop the index concurrently. <c>DropIndex(...)</c> becomes the runtime step
    /// <c>DropIndexConcurrently(...)</c> (same arguments); raw <c>DROP INDEX a, b</c> becomes one
    /// <c>DROP INDEX CONCURRENTLY</c> per index (PostgreSQL takes a single index there), each in its own
    /// <c>Sql(..., suppressTransaction: true)</c> call. CONCURRENTLY refuses CASCADE, so CASCADE is removed: a drop that
    /// needs it then fails loudly instead of silently dropping the dependent objects (drop those explicitly first).
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DropIndexNonConcurrentlyFixer)), Shared]
    public sealed class DropIndexNonConcurrentlyFixer : MigrationFixer
    {
        private const string Comment = "// Dropped concurrently, outside the migration's transaction: reads and writes continue during the drop.";

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.DropIndexNonConcurrently);

        protected override string Title => "Drop the index concurrently";

        protected override string EquivalenceKey => RuleIdentifiers.DropIndexNonConcurrently;

        private protected override void Fix(DocumentFix fix)
        {
            fix.RewriteFlaggedStatements((call, statement) => ConcurrentDrops(call.Receiver, statement));
            foreach (var (invocation, statement) in fix.BuilderStatements("DropIndex"))
            {
                if (invocation.Expression is MemberAccessExpressionSyntax member)
                {
                    fix.InsertCommentsBefore(statement, Comment);
                    fix.Add(new TextChange(member.Name.Span, "DropIndexConcurrently"));
                }
            }
        }

        /// <summary>One suppressed <c>DROP INDEX CONCURRENTLY [IF EXISTS] name</c> call per index the statement drops.</summary>
        private static IReadOnlyList<string>? ConcurrentDrops(string receiver, SqlStatement statement)
        {
            var tokens = SqlLexer.Tokenize(statement.Text).Where(t => !t.IsComment).ToList();
            var position = 0;
            if (!Accept("drop") || !Accept("index"))
            {
                return null;
            }

            Accept("concurrently");
            var ifExists = Accept("if") && Accept("exists");
            var names = new List<string>();
            var start = position;
            var cascade = false;
            for (; position <= tokens.Count; position++)
            {
                var end = position == tokens.Count || tokens[position].Kind == SqlTokenKind.Comma
                          || tokens[position].IsKeyword("cascade") || tokens[position].IsKeyword("restrict")
                          || tokens[position].Kind == SqlTokenKind.Semicolon;
                if (!end)
                {
                    continue;
                }

                if (position > start)
                {
                    names.Add(statement.Text.Substring(tokens[start].Offset, tokens[position - 1].End - tokens[start].Offset));
                }

                if (position == tokens.Count || tokens[position].Kind != SqlTokenKind.Comma)
                {
                    cascade = position < tokens.Count && tokens[position].IsKeyword("cascade");
                    break;
                }

                start = position + 1;
            }

            if (names.Count == 0)
            {
                return null;
            }

            var lines = new List<string> { Comment };
            if (cascade)
            {
                lines.Add("// CASCADE removed (DROP INDEX CONCURRENTLY refuses it): drop objects that depend on the index explicitly first.");
            }

            foreach (var name in names)
            {
                var drop = "DROP INDEX CONCURRENTLY " + (ifExists ? "IF EXISTS " : string.Empty) + name;
                lines.Add(SqlCallRewrite.SqlCode(receiver, new[] { drop }, suppressTransaction: true));
            }

            return lines;

            bool Accept(string keyword)
            {
                if (position < tokens.Count && tokens[position].IsKeyword(keyword))
                {
                    position++;
                    return true;
                }

                return false;
            }
        }
    }
}
