using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace SafeMigrations.CodeFixes.Infrastructure
{
    /// <summary>
    /// Adds <c>using SafeMigrations;</c> to a fixed migration that calls the runtime's safe steps: files written by
    /// <c>dotnet ef migrations add</c> do not import the namespace, and without it the fixed code does not compile.
    /// </summary>
    internal static class SafeMigrationsImport
    {
        private const string Namespace = "SafeMigrations";

        /// <summary>The members of <c>SafeMigrationBuilderExtensions</c> and <c>PhaseExtensions</c> a fix may call.</summary>
        private static readonly HashSet<string> StepMethods = new HashSet<string>(StringComparer.Ordinal)
        {
            "CreateIndexConcurrently", "CreateExpressionIndexConcurrently", "DropIndexConcurrently", "AddForeignKeyNotValid",
            "AddCheckConstraintNotValid", "ValidateConstraint", "AddUniqueConstraintUsingIndex", "AddPrimaryKeyUsingIndex",
            "SetNotNullThroughCheck", "Backfill", "DeleteInBatches", "CreateSyncTrigger", "DropSyncTrigger", "SwapColumns",
            "CreateCompatibilityView", "DropCompatibilityView", "InContractPhase",
        };

        public static async Task<Document> EnsureAsync(Document document, CancellationToken cancellationToken)
        {
            if (!(await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false) is CompilationUnitSyntax root)
                || HasImport(root)
                || !root.DescendantNodes().OfType<MemberAccessExpressionSyntax>().Any(m => StepMethods.Contains(m.Name.Identifier.ValueText)))
            {
                return document;
            }

            var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
            var newLine = MigrationSyntax.DetectNewLine(text);
            var last = root.Usings.LastOrDefault();
            var change = last is null
                ? new TextChange(new TextSpan(root.Members.FirstOrDefault()?.GetFirstToken(includeZeroWidth: true).SpanStart ?? 0, 0), "using " + Namespace + ";" + newLine + newLine)
                : new TextChange(new TextSpan(last.Span.End, 0), newLine + "using " + Namespace + ";");
            return document.WithText(text.WithChanges(change));
        }

        private static bool HasImport(CompilationUnitSyntax root) =>
            root.DescendantNodes(n => !(n is ClassDeclarationSyntax)).OfType<UsingDirectiveSyntax>()
                .Any(u => u.Alias is null && u.StaticKeyword.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.None) && u.Name?.ToString() == Namespace)
            || root.DescendantNodes(n => !(n is ClassDeclarationSyntax)).OfType<BaseNamespaceDeclarationSyntax>()
                .Any(n => n.Name.ToString() == Namespace || n.Name.ToString().StartsWith(Namespace + ".", StringComparison.Ordinal));
    }
}
