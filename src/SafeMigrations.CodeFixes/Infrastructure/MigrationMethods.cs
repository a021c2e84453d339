using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace SafeMigrations.CodeFixes.Infrastructure
{
    /// <summary>The <c>Up</c>/<c>Down</c> methods around a node, and edits at the start or end of their bodies.</summary>
    internal static class MigrationMethods
    {
        /// <summary>The method (<c>Up</c>, <c>Down</c>) that contains <paramref name="node"/>.</summary>
        public static MethodDeclarationSyntax? ContainingMethod(SyntaxNode node) =>
            node.AncestorsAndSelf().OfType<MethodDeclarationSyntax>().FirstOrDefault();

        /// <summary>The migration class's <c>Down</c> method (with a block body) in the same file as <paramref name="node"/>.</summary>
        public static MethodDeclarationSyntax? Down(SyntaxNode node) => Sibling(node, "Down");

        /// <summary>The <c>Down</c> that undoes <paramref name="node"/>: null unless the node is in <c>Up</c>.</summary>
        public static MethodDeclarationSyntax? DownOfUp(SyntaxNode node) =>
            ContainingMethod(node)?.Identifier.ValueText == "Up" ? Down(node) : null;

        public static MethodDeclarationSyntax? Sibling(SyntaxNode node, string name)
        {
            var type = node.AncestorsAndSelf().OfType<ClassDeclarationSyntax>().FirstOrDefault();
            return type?.Members.OfType<MethodDeclarationSyntax>().FirstOrDefault(m => m.Identifier.ValueText == name && m.Body != null);
        }

        /// <summary>
        /// Lines (statements, comments) added at the end of a block body (<paramref name="atStart"/> false) or at its
        /// start, indented like the body's statements.
        /// </summary>
        public static TextChange Insert(MethodDeclarationSyntax method, SourceText text, IReadOnlyList<string> lines, bool atStart)
        {
            var body = method.Body!;
            var newLine = MigrationSyntax.DetectNewLine(text);
            var indent = body.Statements.Count > 0
                ? MigrationSyntax.Indentation(body.Statements[0], text)
                : MigrationSyntax.Indentation(body, text) + "    ";
            var rendered = string.Concat(lines.Select(l => indent + l.Replace("\r\n", "\n").Replace("\n", newLine + indent) + newLine));
            if (atStart)
            {
                // Right after the line of the opening brace.
                var line = text.Lines.GetLineFromPosition(body.OpenBraceToken.Span.End);
                return new TextChange(new TextSpan(line.EndIncludingLineBreak, 0), rendered);
            }

            // Before the line of the closing brace (no blank line: repeated insertions must read the same as one).
            var closeLine = text.Lines.GetLineFromPosition(body.CloseBraceToken.SpanStart);
            return new TextChange(new TextSpan(closeLine.Start, 0), rendered);
        }
    }
}
