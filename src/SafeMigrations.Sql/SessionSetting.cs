using System;
using System.Collections.Generic;
using System.Linq;

namespace SafeMigrations.Sql
{
    /// <summary>
    /// One run-time parameter change: <c>SET [SESSION | LOCAL] name { TO | = } value</c>, <c>SET [LOCAL] TIME ZONE value</c>,
    /// <c>SET name TO DEFAULT</c>, <c>RESET name</c>, <c>RESET ALL</c>. Other SET forms (ROLE, SESSION AUTHORIZATION,
    /// TRANSACTION, CONSTRAINTS, ...) change something other than a parameter and are not read.
    /// </summary>
    public sealed class SessionSetting
    {
        /// <summary>The parameter <c>RESET ALL</c> names.</summary>
        public const string All = "all";

        // Zone names whose offset is 0 at every instant: PostgreSQL then converts timestamp <-> timestamptz without a
        // rewrite (checked on PostgreSQL 15). Zones that are UTC only today (Africa/Abidjan, Iceland) still rewrite.
        private static readonly HashSet<string> UtcZones = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "UTC", "Etc/UTC", "UCT", "Etc/UCT", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu",
            "GMT", "Etc/GMT", "GMT0", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "Greenwich", "Etc/Greenwich",
        };

        private SessionSetting(string parameter, string? value, bool isLocal, string text)
        {
            Parameter = parameter;
            Value = value;
            IsLocal = isLocal;
            Text = text;
        }

        /// <summary>The parameter, lower case (<c>timezone</c> for SET TIME ZONE; <see cref="All"/> for RESET ALL).</summary>
        public string Parameter { get; }

        /// <summary>The value as written after TO / = (quotes kept); null when the parameter returns to its default.</summary>
        public string? Value { get; }

        /// <summary>SET LOCAL: the setting ends with the transaction.</summary>
        public bool IsLocal { get; }

        /// <summary>RESET, SET ... TO DEFAULT, SET TIME ZONE LOCAL / DEFAULT: back to the session's default.</summary>
        public bool IsReset => Value is null;

        /// <summary>The statement as written.</summary>
        public string Text { get; }

        /// <summary>True when this sets <c>TimeZone</c> to a zone that is UTC at every instant.</summary>
        public bool SetsUtcTimeZone => Parameter == "timezone" && Value is { } value && IsUtcZone(value);

        /// <summary>The same setting for the whole session: <c>SET name = value</c> (LOCAL dropped), or <c>RESET name</c>.</summary>
        public string SessionStatement => Value is null
            ? "RESET " + (Parameter == All ? "ALL" : Name(Parameter))
            : Parameter == "timezone" ? "SET TIME ZONE " + Value : "SET " + Name(Parameter) + " = " + Value;

        /// <summary>Reads a <see cref="StatementKind.Set"/> statement; null for any other statement or SET form.</summary>
        public static SessionSetting? Parse(SqlStatement statement)
        {
            if (statement is null || statement.Kind != StatementKind.Set)
                return null;
            SqlToken[] tokens = statement.Tokens.Where(t => !t.IsComment).ToArray();
            if (tokens.Length < 2)
                return null;
            string text = statement.Text.Trim();
            if (tokens[0].IsKeyword("reset"))
            {
                if (tokens.Length != 2)
                    return null;
                if (tokens[1].IsKeyword("all"))
                    return new SessionSetting(All, null, false, text);
                return tokens[1].IsName ? new SessionSetting(tokens[1].Value.ToLowerInvariant(), null, false, text) : null;
            }

            int i = 1;
            bool isLocal = false;
            if (tokens[i].IsKeyword("local"))
            {
                isLocal = true;
                i++;
            }
            else if (tokens[i].IsKeyword("session") && i + 1 < tokens.Length && !tokens[i + 1].IsKeyword("authorization") && !tokens[i + 1].IsKeyword("characteristics"))
            {
                i++;
            }

            if (i + 1 < tokens.Length && tokens[i].IsKeyword("time") && tokens[i + 1].IsKeyword("zone"))
            {
                if (i + 2 >= tokens.Length)
                    return null;
                string zone = Rest(statement, tokens, i + 2);
                bool toDefault = tokens.Length == i + 3 && (tokens[i + 2].IsKeyword("local") || tokens[i + 2].IsKeyword("default"));
                return new SessionSetting("timezone", toDefault ? null : zone, isLocal, text);
            }

            if (i >= tokens.Length || !tokens[i].IsName || IsNotAParameter(tokens[i]))
                return null;
            // A parameter name may be qualified (myapp.tenant).
            string name = tokens[i].Value;
            i++;
            while (i + 1 < tokens.Length && tokens[i].Kind == SqlTokenKind.Dot && tokens[i + 1].IsName)
            {
                name += "." + tokens[i + 1].Value;
                i += 2;
            }

            if (i >= tokens.Length || !(tokens[i].IsKeyword("to") || tokens[i].IsOperator("=")) || i + 1 >= tokens.Length)
                return null;
            i++;
            bool isDefault = tokens.Length == i + 1 && tokens[i].IsKeyword("default");
            return new SessionSetting(name.ToLowerInvariant(), isDefault ? null : Rest(statement, tokens, i), isLocal, text);
        }

        /// <summary>
        /// True for a TimeZone value (as written in SET: quoted, unquoted, or a bare number) that is UTC at every instant.
        /// Deliberately conservative: offsets written as intervals, POSIX specs and zones that are UTC only today are not.
        /// </summary>
        public static bool IsUtcZone(string value)
        {
            IReadOnlyList<SqlToken> tokens = SqlLexer.Tokenize(value).Where(t => !t.IsComment).ToList();
            if (tokens.Count == 1 && (tokens[0].Kind == SqlTokenKind.String || tokens[0].Kind == SqlTokenKind.Identifier || tokens[0].Kind == SqlTokenKind.QuotedIdentifier))
                return UtcZones.Contains(tokens[0].Value);
            return tokens.Count == 1 && tokens[0].Kind == SqlTokenKind.Number && tokens[0].Text == "0";
        }

        public override string ToString() => Text;

        // SET ROLE, SET SESSION AUTHORIZATION, SET TRANSACTION, SET CONSTRAINTS change no parameter.
        private static bool IsNotAParameter(SqlToken token) =>
            token.Kind == SqlTokenKind.Identifier
            && (token.IsKeyword("role") || token.IsKeyword("session") || token.IsKeyword("transaction") || token.IsKeyword("constraints")
                || token.IsKeyword("authorization") || token.IsKeyword("characteristics"));

        private static string Name(string parameter) =>
            parameter.All(c => (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.') ? parameter : "\"" + parameter.Replace("\"", "\"\"") + "\"";

        private static string Rest(SqlStatement statement, SqlToken[] tokens, int from)
        {
            int start = tokens[from].Offset - statement.Start;
            int end = tokens[tokens.Length - 1].End - statement.Start;
            return statement.Text.Substring(start, end - start).Trim();
        }
    }
}
