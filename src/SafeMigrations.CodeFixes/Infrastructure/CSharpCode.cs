using Microsoft.CodeAnalysis.CSharp;

namespace SafeMigrations.CodeFixes.Infrastructure
{
    /// <summary>Renders values as C# source for generated migration code.</summary>
    internal static class CSharpCode
    {
        /// <summary>A string literal: verbatim (<c>@"..."</c>) when the text spans lines or holds quotes, so SQL stays readable.</summary>
        public static string String(string text)
        {
            if (text.IndexOf('\n') >= 0 || text.IndexOf('"') >= 0 || text.IndexOf('\\') >= 0)
            {
                return "@\"" + text.Replace("\"", "\"\"") + "\"";
            }

            return SymbolDisplay.FormatLiteral(text, quote: true);
        }

        /// <summary><c>null</c> or a string literal.</summary>
        public static string StringOrNull(string? text) => text is null ? "null" : String(text);

        /// <summary>A <c>new[] { "a", "b" }</c> array literal.</summary>
        public static string StringArray(System.Collections.Generic.IEnumerable<string> items)
        {
            var parts = new System.Collections.Generic.List<string>();
            foreach (var item in items)
            {
                parts.Add(String(item));
            }

            return "new[] { " + string.Join(", ", parts) + " }";
        }
    }
}
