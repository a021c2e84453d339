namespace SafeMigrations.Sql
{
    public enum SqlTokenKind
    {
        /// <summary>Unquoted word (keyword or identifier); <see cref="SqlToken.Value"/> is folded to lower case.</summary>
        Identifier,
        /// <summary>"Quoted" or U&amp;"quoted" identifier; <see cref="SqlToken.Value"/> is unescaped with its case kept.</summary>
        QuotedIdentifier,
        /// <summary>'...', E'...', U&amp;'...', N'...', B'...', X'...'; <see cref="SqlToken.Value"/> is the unescaped content.</summary>
        String,
        /// <summary>$$...$$ or $tag$...$tag$; <see cref="SqlToken.Value"/> is the body.</summary>
        DollarString,
        Number,
        /// <summary>Positional parameter $1, or a client-side named parameter such as @p0 (as Dapper and hand-written Npgsql code write them).</summary>
        Parameter,
        /// <summary>Operator such as =, &lt;=, ::, ||, @&gt;.</summary>
        Operator,
        OpenParen,
        CloseParen,
        OpenBracket,
        CloseBracket,
        Comma,
        Semicolon,
        Dot,
        LineComment,
        BlockComment,
        /// <summary>A character PostgreSQL would reject (e.g. a stray backslash).</summary>
        Unknown,
    }

    /// <summary>One lexical token of PostgreSQL text.</summary>
    public sealed class SqlToken
    {
        public SqlToken(SqlTokenKind kind, string text, int offset, string value, bool isUnterminated = false)
        {
            Kind = kind;
            Text = text;
            Offset = offset;
            Value = value;
            IsUnterminated = isUnterminated;
        }

        public SqlTokenKind Kind { get; }

        /// <summary>The token exactly as written in the source.</summary>
        public string Text { get; }

        /// <summary>Offset of the token's first character in the tokenized input.</summary>
        public int Offset { get; }

        public int Length => Text.Length;

        public int End => Offset + Text.Length;

        /// <summary>
        /// Identifiers: the name PostgreSQL sees (unquoted ones folded to lower case, quoted ones unescaped with case kept).
        /// Strings: the unescaped content. Everything else: the text.
        /// </summary>
        public string Value { get; }

        /// <summary>A string, quoted identifier or comment that ran to the end of the input.</summary>
        public bool IsUnterminated { get; }

        public bool IsComment => Kind == SqlTokenKind.LineComment || Kind == SqlTokenKind.BlockComment;

        /// <summary>True for an unquoted word equal to <paramref name="keyword"/> (case-insensitive). Quoted identifiers are never keywords.</summary>
        public bool IsKeyword(string keyword) =>
            Kind == SqlTokenKind.Identifier && string.Equals(Value, keyword, System.StringComparison.OrdinalIgnoreCase);

        /// <summary>An identifier, quoted or not.</summary>
        public bool IsName => Kind == SqlTokenKind.Identifier || Kind == SqlTokenKind.QuotedIdentifier;

        public bool IsOperator(string op) => Kind == SqlTokenKind.Operator && Text == op;

        public override string ToString() => Kind + " " + Text;
    }
}
