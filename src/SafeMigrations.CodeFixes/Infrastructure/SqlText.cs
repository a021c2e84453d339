using SafeMigrations.Sql;

namespace SafeMigrations.CodeFixes.Infrastructure
{
    /// <summary>Token-aware edits of one SQL statement (never touches text inside strings, comments or quoted names).</summary>
    internal static class SqlText
    {
        /// <summary>Inserts <paramref name="words"/> right after the first occurrence of keyword <paramref name="after"/>; null when absent.</summary>
        public static string? InsertAfterKeyword(string statement, string after, string words)
        {
            foreach (var token in SqlLexer.Tokenize(statement))
            {
                if (token.IsKeyword(after))
                {
                    return statement.Substring(0, token.End) + " " + words + statement.Substring(token.End);
                }
            }

            return null;
        }
    }
}
