using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace SafeMigrations.CodeFixes.Infrastructure
{
    /// <summary>Finds the code a diagnostic points at, and edits migration statements as text (keeps EF's layout).</summary>
    internal static class MigrationSyntax
    {
        /// <summary>The builder invocation a step diagnostic is reported on (<c>migrationBuilder.CreateIndex(...)</c>).</summary>
        public static InvocationExpressionSyntax? FindInvocation(SyntaxNode root, Diagnostic diagnostic)
        {
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            return node.AncestorsAndSelf().OfType<InvocationExpressionSyntax>().FirstOrDefault(i => i.Span == diagnostic.Location.SourceSpan)
                   ?? node.AncestorsAndSelf().OfType<InvocationExpressionSyntax>().FirstOrDefault();
        }

        /// <summary>The <c>Sql(...)</c> invocation whose SQL argument a raw-SQL diagnostic is reported on.</summary>
        public static InvocationExpressionSyntax? FindSqlInvocation(SyntaxNode root, Diagnostic diagnostic)
        {
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            var argument = node.AncestorsAndSelf().OfType<ArgumentSyntax>().FirstOrDefault();
            return argument?.Parent?.Parent as InvocationExpressionSyntax;
        }

        /// <summary>The statement that holds <paramref name="node"/> (the whole fluent chain of a builder call).</summary>
        public static ExpressionStatementSyntax? StatementOf(SyntaxNode node) =>
            node.AncestorsAndSelf().OfType<ExpressionStatementSyntax>().FirstOrDefault();

        /// <summary>The name of the invoked member: <c>CreateIndex</c> for <c>migrationBuilder.CreateIndex(...)</c>.</summary>
        public static string? MethodName(InvocationExpressionSyntax invocation) => invocation.Expression switch
        {
            MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
            IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
            _ => null,
        };

        /// <summary>Source text of the receiver (<c>migrationBuilder</c>), so generated calls use the same variable.</summary>
        public static string Receiver(InvocationExpressionSyntax invocation) =>
            invocation.Expression is MemberAccessExpressionSyntax member ? member.Expression.ToString() : "migrationBuilder";

        /// <summary>The whitespace that indents the line <paramref name="node"/> starts on.</summary>
        public static string Indentation(SyntaxNode node, SourceText text)
        {
            var line = text.Lines.GetLineFromPosition(node.SpanStart);
            var builder = new StringBuilder();
            for (var i = line.Start; i < node.SpanStart && char.IsWhiteSpace(text[i]); i++)
            {
                builder.Append(text[i]);
            }

            return builder.ToString();
        }

        /// <summary>
        /// Replaces <paramref name="statement"/> by <paramref name="lines"/> (statements and comments, each may span
        /// lines), indented like the original statement.
        /// </summary>
        public static TextChange ReplaceStatement(ExpressionStatementSyntax statement, SourceText text, IEnumerable<string> lines)
        {
            var indent = Indentation(statement, text);
            var newLine = DetectNewLine(text);
            var rendered = string.Join(newLine + indent, lines.Select(l => l.Replace("\r\n", "\n").Replace("\n", newLine + indent)));
            return new TextChange(statement.Span, rendered);
        }

        /// <summary>Inserts comment lines above <paramref name="statement"/>.</summary>
        public static TextChange InsertCommentsBefore(StatementSyntax statement, SourceText text, IEnumerable<string> comments)
        {
            var indent = Indentation(statement, text);
            var newLine = DetectNewLine(text);
            var inserted = string.Concat(comments.Select(c => c + newLine + indent));
            return new TextChange(new TextSpan(statement.SpanStart, 0), inserted);
        }

        /// <summary>Appends <c>.Call(...)</c> on its own line to the end of the statement's fluent chain.</summary>
        public static TextChange AppendChainedCall(ExpressionStatementSyntax statement, SourceText text, string call)
        {
            var indent = Indentation(statement, text) + "    ";
            return new TextChange(new TextSpan(statement.Expression.Span.End, 0), DetectNewLine(text) + indent + call);
        }

        /// <summary>Sets a named argument (adds it, or replaces the value of an existing one with that name).</summary>
        public static TextChange SetNamedArgument(InvocationExpressionSyntax invocation, string name, string valueCode)
        {
            var existing = invocation.ArgumentList.Arguments.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == name);
            if (existing != null)
            {
                return new TextChange(existing.Expression.Span, valueCode);
            }

            var close = invocation.ArgumentList.CloseParenToken;
            var prefix = invocation.ArgumentList.Arguments.Count == 0 ? string.Empty : ", ";
            return new TextChange(new TextSpan(close.SpanStart, 0), prefix + name + ": " + valueCode);
        }

        /// <summary>Applies non-overlapping text changes to the document.</summary>
        public static async Task<Document> ApplyAsync(Document document, IEnumerable<TextChange> changes, CancellationToken cancellationToken)
        {
            var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
            var ordered = changes.Distinct().OrderBy(c => c.Span.Start).ToList();
            return document.WithText(text.WithChanges(ordered));
        }

        public static string DetectNewLine(SourceText text)
        {
            var content = text.ToString();
            return content.IndexOf("\r\n", StringComparison.Ordinal) >= 0 ? "\r\n" : "\n";
        }
    }
}
