using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace SafeMigrations.Sql
{
    /// <summary>
    /// PostgreSQL lexer (standard_conforming_strings = on, the default since 9.1). Never throws: anything it cannot make
    /// sense of becomes an <see cref="SqlTokenKind.Unknown"/> token, and unterminated strings, quoted identifiers and
    /// comments run to the end of the input.
    /// </summary>
    public static class SqlLexer
    {
        private const string OperatorChars = "+-*/<>=~!@#%^&|`?";

        // A multi-character operator may end in + or - only if it contains one of these (PostgreSQL lexer rule).
        private const string OperatorCharsAllowingTrailingSign = "~!@#%^&|`?";

        /// <summary>Tokenizes <paramref name="sql"/>. Whitespace is dropped; comments are kept only when asked for.</summary>
        public static IReadOnlyList<SqlToken> Tokenize(string sql, bool includeComments = false)
        {
            var tokens = new List<SqlToken>();
            if (string.IsNullOrEmpty(sql))
                return tokens;

            int i = 0;
            while (i < sql.Length)
            {
                char c = sql[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                    continue;
                }

                SqlToken token = ReadToken(sql, i);
                if (!token.IsComment || includeComments)
                    tokens.Add(token);
                i = token.End;
            }

            return tokens;
        }

        private static SqlToken ReadToken(string s, int i)
        {
            char c = s[i];
            char next = i + 1 < s.Length ? s[i + 1] : '\0';

            if (c == '-' && next == '-')
            {
                int end = s.IndexOf('\n', i);
                if (end < 0) end = s.Length;
                return Make(SqlTokenKind.LineComment, s, i, end);
            }

            if (c == '/' && next == '*')
                return ReadBlockComment(s, i);

            if (c == '\'')
                return ReadStandardString(s, i, i);

            if (c == '"')
                return ReadQuotedIdentifier(s, i, i, unicode: false);

            if (IsIdentifierStart(c))
            {
                if ((c == 'e' || c == 'E') && next == '\'')
                    return ReadEscapeString(s, i);
                if ((c == 'b' || c == 'B' || c == 'x' || c == 'X' || c == 'n' || c == 'N') && next == '\'')
                    return ReadStandardString(s, i, i + 1);
                if ((c == 'u' || c == 'U') && next == '&' && i + 2 < s.Length)
                {
                    if (s[i + 2] == '\'')
                    {
                        SqlToken raw = ReadStandardString(s, i, i + 2);
                        return new SqlToken(SqlTokenKind.String, raw.Text, i, DecodeUnicodeEscapes(raw.Value), raw.IsUnterminated);
                    }

                    if (s[i + 2] == '"')
                        return ReadQuotedIdentifier(s, i, i + 2, unicode: true);
                }

                int end = i + 1;
                while (end < s.Length && IsIdentifierPart(s[end]))
                    end++;
                string text = s.Substring(i, end - i);
                return new SqlToken(SqlTokenKind.Identifier, text, i, FoldCase(text));
            }

            if (char.IsDigit(c) || (c == '.' && char.IsDigit(next)))
                return ReadNumber(s, i);

            if (c == '$')
                return ReadDollar(s, i);

            switch (c)
            {
                case '(': return Make(SqlTokenKind.OpenParen, s, i, i + 1);
                case ')': return Make(SqlTokenKind.CloseParen, s, i, i + 1);
                case '[': return Make(SqlTokenKind.OpenBracket, s, i, i + 1);
                case ']': return Make(SqlTokenKind.CloseBracket, s, i, i + 1);
                case ',': return Make(SqlTokenKind.Comma, s, i, i + 1);
                case ';': return Make(SqlTokenKind.Semicolon, s, i, i + 1);
                case '.': return Make(SqlTokenKind.Dot, s, i, i + 1);
                case ':':
                    return Make(SqlTokenKind.Operator, s, i, next == ':' ? i + 2 : (next == '=' ? i + 2 : i + 1));
            }

            if (c == '@' && IsIdentifierStart(next))
            {
                int end = i + 1;
                while (end < s.Length && IsIdentifierPart(s[end]))
                    end++;
                return Make(SqlTokenKind.Parameter, s, i, end);
            }

            if (OperatorChars.IndexOf(c) >= 0)
                return ReadOperator(s, i);

            return Make(SqlTokenKind.Unknown, s, i, i + 1);
        }

        private static SqlToken Make(SqlTokenKind kind, string s, int start, int end)
        {
            string text = s.Substring(start, end - start);
            return new SqlToken(kind, text, start, text);
        }

        private static SqlToken ReadBlockComment(string s, int start)
        {
            // PostgreSQL block comments nest.
            int depth = 0;
            int i = start;
            while (i < s.Length)
            {
                if (s[i] == '/' && i + 1 < s.Length && s[i + 1] == '*')
                {
                    depth++;
                    i += 2;
                }
                else if (s[i] == '*' && i + 1 < s.Length && s[i + 1] == '/')
                {
                    depth--;
                    i += 2;
                    if (depth == 0)
                        return Make(SqlTokenKind.BlockComment, s, start, i);
                }
                else
                {
                    i++;
                }
            }

            string text = s.Substring(start);
            return new SqlToken(SqlTokenKind.BlockComment, text, start, text, isUnterminated: true);
        }

        /// <summary>'...' with '' as the only escape; <paramref name="quote"/> is the opening quote (after any prefix).</summary>
        private static SqlToken ReadStandardString(string s, int start, int quote)
        {
            var value = new StringBuilder();
            int i = quote + 1;
            while (i < s.Length)
            {
                if (s[i] == '\'')
                {
                    if (i + 1 < s.Length && s[i + 1] == '\'')
                    {
                        value.Append('\'');
                        i += 2;
                        continue;
                    }

                    return new SqlToken(SqlTokenKind.String, s.Substring(start, i + 1 - start), start, value.ToString());
                }

                value.Append(s[i]);
                i++;
            }

            return new SqlToken(SqlTokenKind.String, s.Substring(start), start, value.ToString(), isUnterminated: true);
        }

        private static SqlToken ReadEscapeString(string s, int start)
        {
            var value = new StringBuilder();
            int i = start + 2;
            while (i < s.Length)
            {
                char c = s[i];
                if (c == '\'')
                {
                    if (i + 1 < s.Length && s[i + 1] == '\'')
                    {
                        value.Append('\'');
                        i += 2;
                        continue;
                    }

                    return new SqlToken(SqlTokenKind.String, s.Substring(start, i + 1 - start), start, value.ToString());
                }

                if (c == '\\' && i + 1 < s.Length)
                {
                    i = ReadBackslashEscape(s, i + 1, value);
                    continue;
                }

                value.Append(c);
                i++;
            }

            return new SqlToken(SqlTokenKind.String, s.Substring(start), start, value.ToString(), isUnterminated: true);
        }

        /// <summary>Decodes the escape after a backslash at <paramref name="i"/>; returns the index after it.</summary>
        private static int ReadBackslashEscape(string s, int i, StringBuilder value)
        {
            char e = s[i];
            switch (e)
            {
                case 'b': value.Append('\b'); return i + 1;
                case 'f': value.Append('\f'); return i + 1;
                case 'n': value.Append('\n'); return i + 1;
                case 'r': value.Append('\r'); return i + 1;
                case 't': value.Append('\t'); return i + 1;
                case 'x':
                    {
                        int end = i + 1;
                        while (end < s.Length && end < i + 3 && IsHex(s[end])) end++;
                        if (end == i + 1)
                        {
                            value.Append('x');
                            return i + 1;
                        }

                        value.Append((char)int.Parse(s.Substring(i + 1, end - i - 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        return end;
                    }
                case 'u':
                case 'U':
                    {
                        int digits = e == 'u' ? 4 : 8;
                        if (TryReadHex(s, i + 1, digits, out int code))
                        {
                            AppendCodePoint(value, code);
                            return i + 1 + digits;
                        }

                        value.Append(e);
                        return i + 1;
                    }
            }

            if (e >= '0' && e <= '7')
            {
                int end = i;
                int code = 0;
                while (end < s.Length && end < i + 3 && s[end] >= '0' && s[end] <= '7')
                {
                    code = code * 8 + (s[end] - '0');
                    end++;
                }

                value.Append((char)(code & 0xFF));
                return end;
            }

            // \\, \' and any other character stand for themselves.
            value.Append(e);
            return i + 1;
        }

        private static string DecodeUnicodeEscapes(string raw)
        {
            // U&'...' with the default escape character; a UESCAPE clause is not interpreted.
            if (raw.IndexOf('\\') < 0)
                return raw;
            var value = new StringBuilder();
            int i = 0;
            while (i < raw.Length)
            {
                if (raw[i] == '\\' && i + 1 < raw.Length)
                {
                    if (raw[i + 1] == '\\')
                    {
                        value.Append('\\');
                        i += 2;
                        continue;
                    }

                    if (raw[i + 1] == '+' && TryReadHex(raw, i + 2, 6, out int wide))
                    {
                        AppendCodePoint(value, wide);
                        i += 8;
                        continue;
                    }

                    if (TryReadHex(raw, i + 1, 4, out int code))
                    {
                        AppendCodePoint(value, code);
                        i += 5;
                        continue;
                    }
                }

                value.Append(raw[i]);
                i++;
            }

            return value.ToString();
        }

        private static bool TryReadHex(string s, int start, int digits, out int code)
        {
            code = 0;
            if (start + digits > s.Length)
                return false;
            for (int k = start; k < start + digits; k++)
            {
                if (!IsHex(s[k]))
                    return false;
            }

            code = int.Parse(s.Substring(start, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            return true;
        }

        private static void AppendCodePoint(StringBuilder value, int code)
        {
            if (code >= 0 && code <= 0x10FFFF && (code < 0xD800 || code > 0xDFFF))
                value.Append(char.ConvertFromUtf32(code));
            else
                value.Append('\uFFFD');
        }

        private static bool IsHex(char c) => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');

        private static SqlToken ReadQuotedIdentifier(string s, int start, int quote, bool unicode)
        {
            var value = new StringBuilder();
            int i = quote + 1;
            while (i < s.Length)
            {
                if (s[i] == '"')
                {
                    if (i + 1 < s.Length && s[i + 1] == '"')
                    {
                        value.Append('"');
                        i += 2;
                        continue;
                    }

                    string name = unicode ? DecodeUnicodeEscapes(value.ToString()) : value.ToString();
                    return new SqlToken(SqlTokenKind.QuotedIdentifier, s.Substring(start, i + 1 - start), start, name);
                }

                value.Append(s[i]);
                i++;
            }

            string partial = unicode ? DecodeUnicodeEscapes(value.ToString()) : value.ToString();
            return new SqlToken(SqlTokenKind.QuotedIdentifier, s.Substring(start), start, partial, isUnterminated: true);
        }

        private static SqlToken ReadNumber(string s, int start)
        {
            int i = start;
            if (s[i] == '0' && i + 1 < s.Length && "xXoObB".IndexOf(s[i + 1]) >= 0)
            {
                // PostgreSQL 16 non-decimal integer literals: 0x1F, 0o17, 0b101.
                i += 2;
                while (i < s.Length && (IsHex(s[i]) || s[i] == '_')) i++;
                return Make(SqlTokenKind.Number, s, start, i);
            }

            while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '_')) i++;
            // "1..10" is an integer followed by "..", not a decimal.
            if (i < s.Length && s[i] == '.' && !(i + 1 < s.Length && s[i + 1] == '.'))
            {
                i++;
                while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '_')) i++;
            }

            if (i < s.Length && (s[i] == 'e' || s[i] == 'E'))
            {
                int e = i + 1;
                if (e < s.Length && (s[e] == '+' || s[e] == '-')) e++;
                if (e < s.Length && char.IsDigit(s[e]))
                {
                    i = e;
                    while (i < s.Length && char.IsDigit(s[i])) i++;
                }
            }

            return Make(SqlTokenKind.Number, s, start, i);
        }

        private static SqlToken ReadDollar(string s, int start)
        {
            int i = start + 1;
            if (i < s.Length && char.IsDigit(s[i]))
            {
                while (i < s.Length && char.IsDigit(s[i])) i++;
                return Make(SqlTokenKind.Parameter, s, start, i);
            }

            // $tag$: the tag follows identifier rules but cannot contain '$'.
            int tagEnd = i;
            if (tagEnd < s.Length && IsIdentifierStart(s[tagEnd]))
            {
                tagEnd++;
                while (tagEnd < s.Length && IsIdentifierPart(s[tagEnd]) && s[tagEnd] != '$') tagEnd++;
            }

            if (tagEnd >= s.Length || s[tagEnd] != '$')
                return Make(SqlTokenKind.Unknown, s, start, start + 1);

            string delimiter = s.Substring(start, tagEnd + 1 - start);
            int bodyStart = tagEnd + 1;
            int close = s.IndexOf(delimiter, bodyStart, System.StringComparison.Ordinal);
            if (close < 0)
                return new SqlToken(SqlTokenKind.DollarString, s.Substring(start), start, s.Substring(bodyStart), isUnterminated: true);

            int end = close + delimiter.Length;
            return new SqlToken(SqlTokenKind.DollarString, s.Substring(start, end - start), start, s.Substring(bodyStart, close - bodyStart));
        }

        private static SqlToken ReadOperator(string s, int start)
        {
            int i = start;
            while (i < s.Length && OperatorChars.IndexOf(s[i]) >= 0)
            {
                // A comment start ends the operator.
                if (i > start && ((s[i] == '-' && i + 1 < s.Length && s[i + 1] == '-') || (s[i] == '/' && i + 1 < s.Length && s[i + 1] == '*')))
                    break;
                i++;
            }

            int end = i;
            if (end - start > 1)
            {
                bool allowsTrailingSign = false;
                for (int k = start; k < end; k++)
                {
                    if (OperatorCharsAllowingTrailingSign.IndexOf(s[k]) >= 0)
                    {
                        allowsTrailingSign = true;
                        break;
                    }
                }

                if (!allowsTrailingSign)
                {
                    while (end - start > 1 && (s[end - 1] == '+' || s[end - 1] == '-'))
                        end--;
                }
            }

            return Make(SqlTokenKind.Operator, s, start, end);
        }

        internal static bool IsIdentifierStart(char c) => c == '_' || (c < 128 ? char.IsLetter(c) : true);

        internal static bool IsIdentifierPart(char c) => c == '_' || c == '$' || (c < 128 ? char.IsLetterOrDigit(c) : true);

        /// <summary>PostgreSQL folds unquoted identifiers to lower case (ASCII letters only, as in UTF-8 databases).</summary>
        public static string FoldCase(string identifier)
        {
            char[]? chars = null;
            for (int i = 0; i < identifier.Length; i++)
            {
                char c = identifier[i];
                if (c >= 'A' && c <= 'Z')
                {
                    chars ??= identifier.ToCharArray();
                    chars[i] = (char)(c + 32);
                }
            }

            return chars is null ? identifier : new string(chars);
        }
    }
}
