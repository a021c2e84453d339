using System.Collections.Generic;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace SafeMigrations.CodeFixes.Infrastructure
{
    /// <summary>
    /// Replacements for single statements of <c>Sql(...)</c> calls outside the flagged ones (the undo in <c>Down</c>),
    /// collected first: several fixed renames may touch one call, and a call must be rewritten in one text change.
    /// </summary>
    internal sealed class SqlStatementReplacements
    {
        private readonly Dictionary<InvocationExpressionSyntax, (SqlCallRewrite Call, Dictionary<int, IReadOnlyList<string>> Lines)> _calls =
            new Dictionary<InvocationExpressionSyntax, (SqlCallRewrite, Dictionary<int, IReadOnlyList<string>>)>();

        /// <summary>Statement <paramref name="index"/> of <paramref name="call"/> becomes <paramref name="lines"/>.</summary>
        public void Replace(SqlCallRewrite call, int index, IReadOnlyList<string> lines)
        {
            if (!_calls.TryGetValue(call.Invocation, out var entry))
            {
                _calls[call.Invocation] = entry = (call, new Dictionary<int, IReadOnlyList<string>>());
            }

            entry.Lines[index] = lines;
        }

        /// <summary>One change per call: its replaced statements rewritten, the others kept as SQL.</summary>
        public IEnumerable<TextChange> Changes(SourceText text)
        {
            foreach (var (call, lines) in _calls.Values)
            {
                yield return MigrationSyntax.ReplaceStatement(call.Statement, text, call.Rewrite((index, _) => lines.TryGetValue(index, out var replacement) ? replacement : null));
            }
        }
    }
}
