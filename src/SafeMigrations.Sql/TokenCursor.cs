using System.Collections.Generic;

namespace SafeMigrations.Sql
{
    /// <summary>Forward reader over the significant tokens of one statement (or one part of it).</summary>
    internal sealed class TokenCursor
    {
        private readonly IReadOnlyList<SqlToken> _tokens;
        private readonly int _end;

        public TokenCursor(string source, IReadOnlyList<SqlToken> tokens, int start, int end)
        {
            Source = source;
            _tokens = tokens;
            Position = start;
            _end = end;
        }

        public TokenCursor(string source, IReadOnlyList<SqlToken> tokens)
            : this(source, tokens, 0, tokens.Count)
        {
        }

        public string Source { get; }

        /// <summary>A cursor over tokens [start, end) of the same token list.</summary>
        public TokenCursor Slice(int start, int end) => new TokenCursor(Source, _tokens, start, end);

        public int Position { get; set; }

        public int End => _end;

        public bool AtEnd => Position >= _end;

        public SqlToken? Peek(int ahead = 0)
        {
            int index = Position + ahead;
            return index < _end && index >= 0 ? _tokens[index] : null;
        }

        public SqlToken At(int index) => _tokens[index];

        public SqlToken? Next()
        {
            if (AtEnd)
                return null;
            return _tokens[Position++];
        }

        public bool IsKeyword(string keyword, int ahead = 0) => Peek(ahead)?.IsKeyword(keyword) == true;

        public bool IsKind(SqlTokenKind kind, int ahead = 0) => Peek(ahead)?.Kind == kind;

        /// <summary>Advances past <paramref name="keywords"/> when they all follow in order; otherwise stays put.</summary>
        public bool Accept(params string[] keywords)
        {
            for (int k = 0; k < keywords.Length; k++)
            {
                if (!IsKeyword(keywords[k], k))
                    return false;
            }

            Position += keywords.Length;
            return true;
        }

        public bool AcceptKind(SqlTokenKind kind)
        {
            if (!IsKind(kind))
                return false;
            Position++;
            return true;
        }

        /// <summary>Reads name[.name[.name]]; a three-part name keeps schema and name (the database part is dropped).</summary>
        public QualifiedName? ReadQualifiedName()
        {
            SqlToken? first = Peek();
            if (first is null || !first.IsName)
                return null;
            Position++;
            var parts = new List<string> { first.Value };
            while (IsKind(SqlTokenKind.Dot) && Peek(1)?.IsName == true)
            {
                parts.Add(Peek(1)!.Value);
                Position += 2;
            }

            return parts.Count == 1
                ? new QualifiedName(null, parts[0])
                : new QualifiedName(parts[parts.Count - 2], parts[parts.Count - 1]);
        }

        /// <summary>Reads a table name in a list position: [ONLY] name [*].</summary>
        public QualifiedName? ReadRelation(out bool only)
        {
            only = Accept("only");
            QualifiedName? name = ReadQualifiedName();
            if (Peek()?.IsOperator("*") == true)
                Position++;
            return name;
        }

        /// <summary>When at an opening parenthesis or bracket, moves past its matching close (or to the end).</summary>
        public bool SkipGroup()
        {
            SqlToken? t = Peek();
            if (t is null || (t.Kind != SqlTokenKind.OpenParen && t.Kind != SqlTokenKind.OpenBracket))
                return false;
            Position = MatchingClose(Position) + 1;
            if (Position > _end)
                Position = _end;
            return true;
        }

        /// <summary>Index of the token closing the group opened at <paramref name="open"/>, or End - 1 when it is never closed.</summary>
        public int MatchingClose(int open)
        {
            int depth = 0;
            for (int i = open; i < _end; i++)
            {
                SqlTokenKind kind = _tokens[i].Kind;
                if (kind == SqlTokenKind.OpenParen || kind == SqlTokenKind.OpenBracket)
                    depth++;
                else if (kind == SqlTokenKind.CloseParen || kind == SqlTokenKind.CloseBracket)
                {
                    depth--;
                    if (depth == 0)
                        return i;
                }
            }

            return _end - 1;
        }

        /// <summary>Skips tokens at parenthesis depth 0 until one of <paramref name="keywords"/> (not consumed); false at the end.</summary>
        public bool SkipUntilKeyword(params string[] keywords)
        {
            while (!AtEnd)
            {
                SqlToken t = Peek()!;
                foreach (string k in keywords)
                {
                    if (t.IsKeyword(k))
                        return true;
                }

                if (!SkipGroup())
                    Position++;
            }

            return false;
        }

        /// <summary>Index of the first depth-0 token in [from, End) that is <paramref name="keyword"/>, or -1.</summary>
        public int FindKeywordAtDepthZero(int from, string keyword)
        {
            int depth = 0;
            for (int i = from; i < _end; i++)
            {
                SqlToken t = _tokens[i];
                if (t.Kind == SqlTokenKind.OpenParen || t.Kind == SqlTokenKind.OpenBracket)
                    depth++;
                else if (t.Kind == SqlTokenKind.CloseParen || t.Kind == SqlTokenKind.CloseBracket)
                    depth--;
                else if (depth == 0 && t.IsKeyword(keyword))
                    return i;
            }

            return -1;
        }

        /// <summary>Source text from token <paramref name="first"/> through token <paramref name="last"/> (inclusive).</summary>
        public string TextOf(int first, int last)
        {
            if (first > last || first < 0 || last >= _tokens.Count)
                return string.Empty;
            int start = _tokens[first].Offset;
            return Source.Substring(start, _tokens[last].End - start);
        }
    }
}
