using System;

namespace SafeMigrations.Engine
{
    /// <summary>Quotes identifiers for PostgreSQL SQL text. Every name the engine puts into SQL goes through here.</summary>
    public static class SqlIdentifier
    {
        /// <summary>
        /// Returns <paramref name="name"/> as a quoted identifier: wrapped in double quotes, embedded double quotes
        /// doubled. Quoting keeps the name's case, as EF Core's names need.
        /// </summary>
        /// <exception cref="ArgumentException">The name is empty or contains a NUL character.</exception>
        public static string Quote(string name)
        {
            if (name is null)
                throw new ArgumentNullException(nameof(name));
            if (name.Length == 0)
                throw new ArgumentException("An SQL identifier cannot be empty.", nameof(name));
            // PostgreSQL text cannot contain NUL; refusing it here beats a protocol error later.
            if (name.IndexOf('\0') >= 0)
                throw new ArgumentException("An SQL identifier cannot contain a NUL character.", nameof(name));
            return "\"" + name.Replace("\"", "\"\"") + "\"";
        }

        /// <summary>
        /// Returns <c>"schema"."name"</c>, or just <c>"name"</c> when <paramref name="schema"/> is null or empty
        /// (resolved through the search_path then).
        /// </summary>
        public static string Qualify(string? schema, string name)
        {
            return string.IsNullOrEmpty(schema) ? Quote(name) : Quote(schema!) + "." + Quote(name);
        }
    }
}
