using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace SafeMigrations.Sql
{
    public enum TypeChangeSafety
    {
        /// <summary>No rewrite and no scan (same type, varchar widening, varchar to text, numeric precision increase...).</summary>
        Safe,
        /// <summary>Rewrites the table and its indexes under ACCESS EXCLUSIVE.</summary>
        Rewrite,
    }

    /// <summary>Decides whether ALTER COLUMN TYPE from one type to another rewrites the table.</summary>
    public static class ColumnTypes
    {
        // Spellings of built-in types and PostgreSQL's canonical name for each (format_type output).
        private static readonly Dictionary<string, string> Aliases = new Dictionary<string, string>
        {
            ["int"] = "integer", ["int4"] = "integer", ["integer"] = "integer",
            ["int8"] = "bigint", ["bigint"] = "bigint",
            ["int2"] = "smallint", ["smallint"] = "smallint",
            ["float8"] = "double precision", ["double precision"] = "double precision",
            ["float4"] = "real", ["real"] = "real",
            ["bool"] = "boolean", ["boolean"] = "boolean",
            ["varchar"] = "character varying", ["character varying"] = "character varying", ["char varying"] = "character varying",
            ["char"] = "character", ["character"] = "character", ["bpchar"] = "bpchar",
            ["nchar"] = "character", ["national character"] = "character", ["national char"] = "character",
            ["national character varying"] = "character varying", ["national char varying"] = "character varying",
            ["decimal"] = "numeric", ["numeric"] = "numeric", ["dec"] = "numeric",
            ["varbit"] = "bit varying", ["bit varying"] = "bit varying", ["bit"] = "bit",
            ["timestamptz"] = "timestamp with time zone", ["timestamp with time zone"] = "timestamp with time zone",
            ["timestamp"] = "timestamp without time zone", ["timestamp without time zone"] = "timestamp without time zone",
            ["timetz"] = "time with time zone", ["time with time zone"] = "time with time zone",
            ["time"] = "time without time zone", ["time without time zone"] = "time without time zone",
            ["serial4"] = "serial", ["serial"] = "serial", ["serial8"] = "bigserial", ["bigserial"] = "bigserial",
            ["serial2"] = "smallserial", ["smallserial"] = "smallserial",
            ["text"] = "text", ["uuid"] = "uuid", ["json"] = "json", ["jsonb"] = "jsonb", ["bytea"] = "bytea",
            ["date"] = "date", ["interval"] = "interval", ["money"] = "money", ["inet"] = "inet", ["cidr"] = "cidr",
            ["macaddr"] = "macaddr", ["macaddr8"] = "macaddr8", ["xml"] = "xml", ["oid"] = "oid",
            ["tsvector"] = "tsvector", ["tsquery"] = "tsquery", ["name"] = "name",
        };

        // Internal array names (_int4) accepted only for these element spellings.
        private static readonly HashSet<string> ArrayElementNames = new HashSet<string>
        {
            "int2", "int4", "int8", "float4", "float8", "bool", "varchar", "bpchar", "text", "numeric", "timestamp",
            "timestamptz", "time", "timetz", "date", "interval", "uuid", "json", "jsonb", "bytea", "bit", "varbit",
            "inet", "cidr", "macaddr", "money", "char", "oid", "name", "xml",
        };

        /// <summary>
        /// Classifies a type change. Type names are as EF/Npgsql write them or as written in SQL ("integer", "int4",
        /// "character varying(100)", "varchar(100)", "numeric(10,2)", "timestamp with time zone", "text[]", ...).
        /// A null or empty <paramref name="oldType"/> means "unknown": the result is Rewrite.
        /// Safe: same type after normalization; varchar(n) to varchar(m &gt;= n) or unlimited varchar or text; text to
        /// unlimited varchar; numeric(p,s) to numeric(p2 &gt;= p, s) or unconstrained numeric; bit varying widening;
        /// cidr to inet; timestamp/timestamptz/time precision increase. Everything else is Rewrite (including changes
        /// that only scan, such as a length decrease, which hold ACCESS EXCLUSIVE for the scan).
        /// <paramref name="postgresMajorVersion"/> is accepted for version-dependent knowledge; every rule above holds
        /// on 12+, and the PostgreSQL 12 timestamp-to-timestamptz shortcut (UTC sessions only) is not assumed.
        /// </summary>
        public static TypeChangeSafety Classify(string? oldType, string newType, int postgresMajorVersion = 12)
        {
            if (string.IsNullOrWhiteSpace(oldType) || string.IsNullOrWhiteSpace(newType))
                return TypeChangeSafety.Rewrite;

            ParsedType from = Parse(Normalize(oldType!));
            ParsedType to = Parse(Normalize(newType));
            from = WithoutSerial(from);
            to = WithoutSerial(to);

            if (from.Equals(to))
                return TypeChangeSafety.Safe;
            // Element-wise array coercions are not proven here.
            if (from.IsArray || to.IsArray)
                return TypeChangeSafety.Rewrite;

            switch (from.Base)
            {
                case "character varying":
                    if (to.Base == "text")
                        return TypeChangeSafety.Safe;
                    if (to.Base == "character varying" && (to.Modifiers.Count == 0 || (from.Modifiers.Count == 1 && to.Modifiers.Count == 1 && to.Modifiers[0] >= from.Modifiers[0])))
                        return TypeChangeSafety.Safe;
                    break;
                case "text":
                    if (to.Base == "character varying" && to.Modifiers.Count == 0)
                        return TypeChangeSafety.Safe;
                    break;
                case "numeric":
                    if (to.Base == "numeric")
                    {
                        if (to.Modifiers.Count == 0)
                            return TypeChangeSafety.Safe;
                        if (from.Modifiers.Count == 2 && to.Modifiers.Count == 2 && to.Modifiers[1] == from.Modifiers[1] && to.Modifiers[0] >= from.Modifiers[0])
                            return TypeChangeSafety.Safe;
                    }

                    break;
                case "bit varying":
                    if (to.Base == "bit varying" && (to.Modifiers.Count == 0 || (from.Modifiers.Count == 1 && to.Modifiers.Count == 1 && to.Modifiers[0] >= from.Modifiers[0])))
                        return TypeChangeSafety.Safe;
                    break;
                case "cidr":
                    if (to.Base == "inet" && to.Modifiers.Count == 0)
                        return TypeChangeSafety.Safe;
                    break;
                case "timestamp without time zone":
                case "timestamp with time zone":
                case "time without time zone":
                    // The types' support functions make a precision increase a no-op; no modifier means 6 (the maximum).
                    if (to.Base == from.Base)
                    {
                        int fromPrecision = from.Modifiers.Count == 1 ? from.Modifiers[0] : 6;
                        int toPrecision = to.Modifiers.Count == 1 ? to.Modifiers[0] : 6;
                        if (toPrecision >= fromPrecision)
                            return TypeChangeSafety.Safe;
                    }

                    break;
            }

            return TypeChangeSafety.Rewrite;
        }

        /// <summary>
        /// True for <c>timestamp</c> ↔ <c>timestamptz</c> in either direction (any precision, not arrays): since
        /// PostgreSQL 12 binary-coercible when the session TimeZone is UTC, a rewrite shifting every value otherwise.
        /// </summary>
        public static bool IsTimeZoneChange(string? oldType, string newType)
        {
            if (string.IsNullOrWhiteSpace(oldType) || string.IsNullOrWhiteSpace(newType))
                return false;
            ParsedType from = Parse(Normalize(oldType!));
            ParsedType to = Parse(Normalize(newType));
            return !from.IsArray && !to.IsArray && IsTimestamp(from.Base) && IsTimestamp(to.Base) && from.Base != to.Base;
        }

        /// <summary>
        /// True when a <see cref="IsTimeZoneChange"/> needs no rewrite under a UTC session on this server version: PostgreSQL
        /// 12+ and a target precision of 6 or none. A smaller target precision (timestamp(3) with time zone) rewrites even
        /// under UTC: the cast's result has no precision for the rounding to be proven a no-op (checked on PostgreSQL 15).
        /// </summary>
        public static bool IsRewriteFreeUnderUtc(string? oldType, string newType, int postgresMajorVersion = 12)
            => postgresMajorVersion >= 12 && IsTimeZoneChange(oldType, newType) && IsFullPrecisionTimestamp(newType);

        /// <summary>A <c>timestamp</c> or <c>timestamptz</c> type of precision 6 or none (the target a UTC session converts to without a rewrite).</summary>
        public static bool IsFullPrecisionTimestamp(string type)
        {
            if (string.IsNullOrWhiteSpace(type))
                return false;
            ParsedType parsed = Parse(Normalize(type));
            return !parsed.IsArray && IsTimestamp(parsed.Base) && (parsed.Modifiers.Count == 0 || (parsed.Modifiers.Count == 1 && parsed.Modifiers[0] >= 6));
        }

        private static bool IsTimestamp(string baseName) => baseName == "timestamp without time zone" || baseName == "timestamp with time zone";

        /// <summary>
        /// Normalizes a type name to PostgreSQL's canonical spelling, e.g. "int4" to "integer", "varchar(10)" to
        /// "character varying(10)", "TIMESTAMPTZ(3)" to "timestamp(3) with time zone", "_text" and "text ARRAY" to
        /// "text[]", "numeric(10)" to "numeric(10,0)", "char" to "character(1)". The quoted type "char" stays "\"char\"".
        /// Unknown names are lower-cased (unless quoted) with whitespace collapsed; a pg_catalog. prefix is dropped.
        /// </summary>
        public static string Normalize(string type)
        {
            if (string.IsNullOrWhiteSpace(type))
                return string.Empty;
            return Parse(type).ToString();
        }

        private static ParsedType WithoutSerial(ParsedType t)
        {
            switch (t.Base)
            {
                case "serial": return new ParsedType("integer", t.Modifiers, t.IsArray, t.ModifierText);
                case "bigserial": return new ParsedType("bigint", t.Modifiers, t.IsArray, t.ModifierText);
                case "smallserial": return new ParsedType("smallint", t.Modifiers, t.IsArray, t.ModifierText);
                default: return t;
            }
        }

        private static ParsedType Parse(string type)
        {
            IReadOnlyList<SqlToken> tokens = SqlLexer.Tokenize(type);
            var words = new List<string>();
            var modifiers = new List<int>();
            string? modifierText = null;
            bool isArray = false;
            bool quoted = false;
            int i = 0;
            while (i < tokens.Count)
            {
                SqlToken t = tokens[i];
                if (t.Kind == SqlTokenKind.OpenParen)
                {
                    int close = i + 1;
                    var text = new StringBuilder();
                    bool allNumeric = true;
                    while (close < tokens.Count && tokens[close].Kind != SqlTokenKind.CloseParen)
                    {
                        SqlToken m = tokens[close];
                        if (m.Kind == SqlTokenKind.Number && int.TryParse(m.Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
                            modifiers.Add(value);
                        else if (m.Kind != SqlTokenKind.Comma)
                            allNumeric = false;
                        text.Append(m.Kind == SqlTokenKind.Comma ? "," : m.Value);
                        close++;
                    }

                    // Non-numeric modifiers (geometry(Point,4326)) are compared as text.
                    if (!allNumeric)
                        modifiers.Clear();
                    modifierText = text.ToString();
                    i = close + 1;
                    continue;
                }

                if (t.Kind == SqlTokenKind.OpenBracket)
                {
                    isArray = true;
                    while (i < tokens.Count && tokens[i].Kind != SqlTokenKind.CloseBracket)
                        i++;
                    i++;
                    continue;
                }

                if (t.IsKeyword("array"))
                {
                    isArray = true;
                    i++;
                    if (i < tokens.Count && tokens[i].Kind == SqlTokenKind.OpenBracket)
                    {
                        while (i < tokens.Count && tokens[i].Kind != SqlTokenKind.CloseBracket)
                            i++;
                        i++;
                    }

                    continue;
                }

                if (t.Kind == SqlTokenKind.Dot)
                {
                    // Schema qualification: pg_catalog.int4 is int4; other schemas stay part of the name.
                    if (words.Count == 1 && words[0] == "pg_catalog")
                        words.Clear();
                    else if (words.Count > 0)
                        words[words.Count - 1] += ".";
                    i++;
                    continue;
                }

                if (t.IsName)
                {
                    string word = t.Kind == SqlTokenKind.QuotedIdentifier ? t.Value : t.Value.ToLowerInvariant();
                    if (t.Kind == SqlTokenKind.QuotedIdentifier)
                    {
                        quoted = true;
                        word = "\"" + t.Value.Replace("\"", "\"\"") + "\"";
                    }

                    if (words.Count > 0 && words[words.Count - 1].EndsWith(".", System.StringComparison.Ordinal))
                        words[words.Count - 1] += word;
                    else
                        words.Add(word);
                }

                i++;
            }

            string name = string.Join(" ", words);
            if (quoted && name == "\"char\"")
                return new ParsedType(name, modifiers, isArray, modifierText);
            if (quoted)
                name = StripQuotesOfBuiltin(name);

            // _int4 is the array type of int4.
            if (name.Length > 1 && name[0] == '_' && ArrayElementNames.Contains(name.Substring(1)))
            {
                name = name.Substring(1);
                isArray = true;
            }

            if (Aliases.TryGetValue(name, out string? canonical))
                name = canonical;

            switch (name)
            {
                case "character":
                case "bit":
                    // char and bit without a length mean length 1.
                    if (modifiers.Count == 0)
                        modifiers.Add(1);
                    break;
                case "bpchar":
                    // bpchar(n) is character(n); bare bpchar is blank-padded with no limit.
                    if (modifiers.Count > 0)
                        name = "character";
                    break;
                case "numeric":
                    if (modifiers.Count == 1)
                        modifiers.Add(0);
                    break;
                case "float":
                case "double":
                    name = modifiers.Count == 1 && modifiers[0] <= 24 ? "real" : "double precision";
                    modifiers.Clear();
                    modifierText = null;
                    break;
            }

            return new ParsedType(name, modifiers, isArray, modifierText);
        }

        private static string StripQuotesOfBuiltin(string name)
        {
            // "integer" quoted is still the integer type; keep quotes on names that are not built-in types.
            string inner = name.Length > 2 && name[0] == '"' && name[name.Length - 1] == '"' ? name.Substring(1, name.Length - 2) : name;
            return Aliases.ContainsKey(inner) ? inner : name;
        }

        private sealed class ParsedType
        {
            public ParsedType(string baseName, List<int> modifiers, bool isArray, string? modifierText)
            {
                Base = baseName;
                Modifiers = modifiers;
                IsArray = isArray;
                ModifierText = modifierText;
            }

            public string Base { get; }

            /// <summary>Numeric type modifiers: length, precision, scale.</summary>
            public List<int> Modifiers { get; }

            public bool IsArray { get; }

            /// <summary>Modifier text when it is not numeric (e.g. geometry(Point,4326)).</summary>
            public string? ModifierText { get; }

            public override string ToString()
            {
                string modifiers = Modifiers.Count > 0
                    ? "(" + string.Join(",", Modifiers) + ")"
                    : (string.IsNullOrEmpty(ModifierText) ? string.Empty : "(" + ModifierText + ")");
                string text;
                if (modifiers.Length > 0 && Base.EndsWith(" time zone", System.StringComparison.Ordinal))
                {
                    // timestamp(3) with time zone: the precision goes after the first word.
                    int space = Base.IndexOf(' ');
                    text = Base.Substring(0, space) + modifiers + Base.Substring(space);
                }
                else
                {
                    text = Base + modifiers;
                }

                return IsArray ? text + "[]" : text;
            }

            public bool Equals(ParsedType other) => ToString() == other.ToString();
        }
    }
}
