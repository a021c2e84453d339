using System.Collections.Generic;

namespace SafeMigrations.Sql
{
    /// <summary>Knowledge of PostgreSQL expressions that decides whether a column default forces a table rewrite.</summary>
    public static class DefaultExpressions
    {
        /// <summary>
        /// Built-in pg_catalog functions whose volatility is IMMUTABLE or STABLE (PostgreSQL 12+). ADD COLUMN evaluates
        /// a non-volatile default once and stores it in the catalog ("fast default"), so these do not rewrite.
        /// Also lists SQL-standard value keywords and function-style casts (numeric(x), varchar(x) ...).
        /// </summary>
        private static readonly HashSet<string> NonVolatileFunctions = new HashSet<string>
        {
            // Date and time: stable (now() and friends are fixed for the transaction) or immutable.
            "now", "current_timestamp", "current_date", "current_time", "localtimestamp", "localtime",
            "transaction_timestamp", "statement_timestamp", "date_trunc", "date_part", "extract", "date_bin",
            "make_date", "make_time", "make_timestamp", "make_timestamptz", "make_interval", "to_timestamp", "to_date",
            "to_char", "to_number", "timezone", "justify_days", "justify_hours", "justify_interval", "isfinite", "age",
            // Session information: stable. txid_current()/pg_current_xact_id() are STABLE in pg_proc (one value per
            // transaction), so they take the fast-default path too.
            "current_user", "session_user", "user", "current_role", "current_catalog", "current_schema",
            "current_schemas", "current_database", "current_setting", "system_user", "version", "pg_backend_pid",
            "inet_client_addr", "inet_server_addr", "txid_current", "pg_current_xact_id",
            // Strings.
            "lower", "upper", "initcap", "length", "char_length", "character_length", "octet_length", "bit_length",
            "concat", "concat_ws", "format", "replace", "substr", "substring", "left", "right", "trim", "btrim",
            "ltrim", "rtrim", "lpad", "rpad", "repeat", "reverse", "split_part", "strpos", "position", "overlay",
            "translate", "md5", "sha224", "sha256", "sha384", "sha512", "encode", "decode", "quote_ident",
            "quote_literal", "quote_nullable", "regexp_replace", "chr", "ascii", "starts_with", "to_hex", "normalize",
            // Numbers.
            "abs", "round", "floor", "ceil", "ceiling", "trunc", "power", "pow", "sqrt", "cbrt", "exp", "ln", "log",
            "log10", "mod", "sign", "div", "pi", "degrees", "radians", "width_bucket", "gcd", "lcm",
            // Conditional expressions.
            "coalesce", "nullif", "greatest", "least",
            // JSON and arrays.
            "to_json", "to_jsonb", "json_build_object", "jsonb_build_object", "json_build_array", "jsonb_build_array",
            "json_object", "jsonb_object", "row_to_json", "array_to_json", "jsonb_set", "json_array", "jsonb_strip_nulls",
            "array_length", "cardinality", "array_fill", "array_append", "array_prepend", "array_cat", "array_remove",
            "array_replace", "string_to_array", "array_to_string", "array_lower", "array_upper", "array", "row",
            // Function-style casts and type constructors.
            "cast", "numeric", "decimal", "varchar", "char", "character", "bpchar", "text", "int", "int2", "int4",
            "int8", "integer", "bigint", "smallint", "float4", "float8", "real", "bool", "boolean", "date", "time",
            "timestamp", "timestamptz", "interval", "bit", "varbit", "uuid", "json", "jsonb", "inet", "cidr", "bytea",
            "money", "point", "daterange", "tsrange", "tstzrange", "int4range", "int8range", "numrange",
        };

        /// <summary>Functions known to be VOLATILE; listed for documentation: any function not in the list above counts as volatile.</summary>
        private static readonly HashSet<string> KnownVolatileFunctions = new HashSet<string>
        {
            "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4", "uuidv4", "uuidv7",
            "random", "random_normal", "setseed", "clock_timestamp", "timeofday", "nextval", "setval",
            "gen_random_bytes",
        };

        // Words that continue a multi-word type name after its first word (double precision, timestamp with time zone).
        private static readonly HashSet<string> TypeNameContinuations = new HashSet<string>
        {
            "precision", "varying", "with", "without", "time", "zone", "day", "hour", "minute", "second", "year",
            "month", "to",
        };

        /// <summary>
        /// True when adding a column with this DEFAULT rewrites the table: a volatile function (gen_random_uuid(),
        /// random(), clock_timestamp(), nextval(...), timeofday()...) or a function we do not know (PostgreSQL's default
        /// volatility is VOLATILE). Constants, casts of constants, and stable functions (now(), CURRENT_TIMESTAMP,
        /// statement_timestamp()...) are safe. A function qualified with a schema other than pg_catalog is a user or
        /// extension function, hence treated as volatile. A sub-select counts as volatile. Empty text is not volatile.
        /// </summary>
        public static bool IsVolatile(string expression)
        {
            IReadOnlyList<SqlToken> tokens = SqlLexer.Tokenize(expression ?? string.Empty);
            int i = 0;
            while (i < tokens.Count)
            {
                SqlToken t = tokens[i];
                if (t.IsKeyword("select"))
                    return true;

                if (t.IsOperator("::") || t.IsKeyword("as"))
                {
                    i = SkipTypeName(tokens, i + 1);
                    continue;
                }

                if (!t.IsName)
                {
                    i++;
                    continue;
                }

                var parts = new List<string> { t.Value };
                int j = i;
                while (j + 2 < tokens.Count && tokens[j + 1].Kind == SqlTokenKind.Dot && tokens[j + 2].IsName)
                {
                    parts.Add(tokens[j + 2].Value);
                    j += 2;
                }

                if (j + 1 < tokens.Count && tokens[j + 1].Kind == SqlTokenKind.OpenParen)
                {
                    string function = parts[parts.Count - 1].ToLowerInvariant();
                    string? schema = parts.Count > 1 ? parts[parts.Count - 2].ToLowerInvariant() : null;
                    if (schema != null && schema != "pg_catalog")
                        return true;
                    if (KnownVolatileFunctions.Contains(function) || !NonVolatileFunctions.Contains(function))
                        return true;
                }

                i = j + 1;
            }

            return false;
        }

        /// <summary>Skips a type name after :: or AS: words (with known continuations), dots, (modifiers), [] and ARRAY.</summary>
        private static int SkipTypeName(IReadOnlyList<SqlToken> tokens, int i)
        {
            if (i >= tokens.Count || !tokens[i].IsName)
                return i;
            i++;
            while (i < tokens.Count)
            {
                SqlToken t = tokens[i];
                if (t.Kind == SqlTokenKind.Dot && i + 1 < tokens.Count && tokens[i + 1].IsName)
                    i += 2;
                else if (t.Kind == SqlTokenKind.Identifier && TypeNameContinuations.Contains(t.Value))
                    i++;
                else if (t.Kind == SqlTokenKind.OpenParen || t.Kind == SqlTokenKind.OpenBracket)
                    i = SkipGroup(tokens, i);
                else if (t.IsKeyword("array"))
                    i++;
                else
                    break;
            }

            return i;
        }

        private static int SkipGroup(IReadOnlyList<SqlToken> tokens, int open)
        {
            int depth = 0;
            for (int i = open; i < tokens.Count; i++)
            {
                SqlTokenKind kind = tokens[i].Kind;
                if (kind == SqlTokenKind.OpenParen || kind == SqlTokenKind.OpenBracket)
                    depth++;
                else if (kind == SqlTokenKind.CloseParen || kind == SqlTokenKind.CloseBracket)
                {
                    depth--;
                    if (depth == 0)
                        return i + 1;
                }
            }

            return tokens.Count;
        }
    }
}
