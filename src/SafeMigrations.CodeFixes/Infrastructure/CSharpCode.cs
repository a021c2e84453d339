using Microsoft.CodeAnalysis.CSharp;
using SafeMigrations.Sql;

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

        /// <summary><c>, schema: "s"</c>, or nothing for the default schema: the optional last argument of a step call.</summary>
        public static string SchemaArgument(string? schema) => schema is null ? string.Empty : ", schema: " + String(schema);

        /// <summary>C# code of a SQL table name and its schema (null when unqualified).</summary>
        public static (string Table, string? Schema) TableAndSchema(QualifiedName table) =>
            (String(table.Name), table.Schema is null ? null : String(table.Schema));
    }
}
