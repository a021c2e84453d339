using Microsoft.CodeAnalysis;

namespace SafeMigrations.CodeFixes.Infrastructure
{
    /// <summary>
    /// A second code action of a <see cref="MigrationFixer"/>, offered ahead of its own for the diagnostics it can
    /// rewrite (e.g. a one-line remedy that is valid only under a condition the title states). Fix All runs it by its
    /// equivalence key, on every document at once like the fixer's own action.
    /// </summary>
    internal abstract class AlternativeFix
    {
        public abstract string Title { get; }

        public abstract string EquivalenceKey { get; }

        /// <summary>True when this action can rewrite <paramref name="diagnostic"/> of the document.</summary>
        public abstract bool CanFix(DocumentFix fix, Diagnostic diagnostic);

        /// <summary>Rewrites the diagnostics of the document that <see cref="CanFix"/> accepted.</summary>
        public abstract void Fix(DocumentFix fix);
    }
}
