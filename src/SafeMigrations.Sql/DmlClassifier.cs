using System.Collections.Generic;

namespace SafeMigrations.Sql
{
    /// <summary>
    /// UPDATE, DELETE and WITH ... (main statement): target table, WHERE presence, and whether the statement is
    /// bounded to a batch or to single rows.
    /// </summary>
    internal static class DmlClassifier
    {
        public static void ClassifyUpdate(SqlStatement s, TokenCursor c, ICollection<string>? limitedCtes)
        {
            s.Kind = StatementKind.Update;
            s.Only = c.Accept("only");
            s.Table = c.ReadQualifiedName();
            if (c.Peek()?.IsOperator("*") == true)
                c.Position++;
            AnalyzeClauses(s, c, c.Position, "from", limitedCtes);
        }

        public static void ClassifyDelete(SqlStatement s, TokenCursor c, ICollection<string>? limitedCtes)
        {
            s.Kind = StatementKind.Delete;
            c.Accept("from");
            s.Only = c.Accept("only");
            s.Table = c.ReadQualifiedName();
            if (c.Peek()?.IsOperator("*") == true)
                c.Position++;
            AnalyzeClauses(s, c, c.Position, "using", limitedCtes);
        }

        public static void ClassifyWith(SqlStatement s, TokenCursor c)
        {
            c.Accept("recursive");
            var limitedCtes = new List<string>();
            while (!c.AtEnd)
            {
                SqlToken? name = c.Peek();
                if (name is null || !name.IsName)
                    break;
                c.Position++;
                if (c.IsKind(SqlTokenKind.OpenParen))
                    c.SkipGroup();
                c.Accept("as");
                c.Accept("not");
                c.Accept("materialized");
                if (c.IsKind(SqlTokenKind.OpenParen))
                {
                    int open = c.Position;
                    SqlToken? inner = c.Peek(1);
                    if (inner != null && (inner.IsKeyword("update") || inner.IsKeyword("delete") || inner.IsKeyword("insert") || inner.IsKeyword("merge")))
                        s.HasDataModifyingCte = true;
                    if (IsLimitedSubselect(c, open))
                        limitedCtes.Add(name.Value);
                    c.SkipGroup();
                }

                // SEARCH / CYCLE clauses of recursive CTEs run up to the next comma or the main statement.
                while (!c.AtEnd && !c.IsKind(SqlTokenKind.Comma) && !IsMainStatementStart(c.Peek()!))
                {
                    if (!c.SkipGroup())
                        c.Position++;
                }

                if (!c.AcceptKind(SqlTokenKind.Comma))
                    break;
            }

            SqlToken? main = c.Next();
            if (main is null)
            {
                s.Kind = StatementKind.Other;
                return;
            }

            if (main.IsKeyword("update"))
                ClassifyUpdate(s, c, limitedCtes);
            else if (main.IsKeyword("delete"))
                ClassifyDelete(s, c, limitedCtes);
            else if (main.IsKeyword("insert"))
            {
                s.Kind = StatementKind.Insert;
                c.Accept("into");
                s.Table = c.ReadQualifiedName();
            }
            else if (main.IsKeyword("select") || main.IsKeyword("values") || main.IsKeyword("table") || main.Kind == SqlTokenKind.OpenParen)
                s.Kind = StatementKind.Select;
            else
                s.Kind = StatementKind.Other;
        }

        private static bool IsMainStatementStart(SqlToken t) =>
            t.IsKeyword("select") || t.IsKeyword("insert") || t.IsKeyword("update") || t.IsKeyword("delete") ||
            t.IsKeyword("merge") || t.IsKeyword("values") || t.IsKeyword("table") || t.Kind == SqlTokenKind.OpenParen;

        private static void AnalyzeClauses(SqlStatement s, TokenCursor c, int afterTarget, string sourceClauseKeyword, ICollection<string>? limitedCtes)
        {
            int where = c.FindKeywordAtDepthZero(afterTarget, "where");
            int returning = c.FindKeywordAtDepthZero(afterTarget, "returning");
            int end = returning >= 0 ? returning : c.End;
            if (where > end)
                where = -1;
            int source = c.FindKeywordAtDepthZero(afterTarget, sourceClauseKeyword);
            int sourceEnd = where >= 0 ? where : end;
            if (source > sourceEnd)
                source = -1;

            if (where < 0)
                return;
            s.HasWhere = true;

            var analysis = new WhereAnalysis(c, where + 1, end);
            analysis.Run();
            s.WhereEqualityColumns = analysis.EqualityColumns;
            s.TargetsSingleRow = analysis.TargetsSingleRow;
            bool batched = analysis.IsBatched || analysis.TargetsSingleRow;

            // UPDATE t SET ... FROM (SELECT ... LIMIT n) b WHERE t.id = b.id, or a LIMITed CTE joined in FROM/USING/WHERE.
            if (!batched && source >= 0)
                batched = ContainsLimitedSubselect(c, source + 1, sourceEnd) || ReferencesAny(c, source + 1, sourceEnd, limitedCtes);
            if (!batched && !analysis.HasTopLevelOr)
                batched = ReferencesAny(c, where + 1, end, limitedCtes);
            s.IsBatched = batched;
        }

        private static bool ReferencesAny(TokenCursor c, int from, int to, ICollection<string>? names)
        {
            if (names is null || names.Count == 0)
                return false;
            for (int i = from; i < to; i++)
            {
                SqlToken t = c.At(i);
                if (t.IsName && names.Contains(t.Value))
                    return true;
            }

            return false;
        }

        internal static bool ContainsLimitedSubselect(TokenCursor c, int from, int to)
        {
            for (int i = from; i < to; i++)
            {
                if (c.At(i).Kind == SqlTokenKind.OpenParen && IsLimitedSubselect(c, i))
                    return true;
            }

            return false;
        }

        /// <summary>A parenthesised SELECT (or VALUES/WITH query) with its own LIMIT or FETCH FIRST.</summary>
        internal static bool IsLimitedSubselect(TokenCursor c, int open)
        {
            if (open + 1 >= c.End)
                return false;
            SqlToken first = c.At(open + 1);
            if (!first.IsKeyword("select") && !first.IsKeyword("with") && first.Kind != SqlTokenKind.OpenParen)
                return false;
            int close = c.MatchingClose(open);
            int depth = 0;
            for (int i = open + 1; i < close; i++)
            {
                SqlToken t = c.At(i);
                if (t.Kind == SqlTokenKind.OpenParen || t.Kind == SqlTokenKind.OpenBracket)
                    depth++;
                else if (t.Kind == SqlTokenKind.CloseParen || t.Kind == SqlTokenKind.CloseBracket)
                    depth--;
                else if ((depth == 0 || (depth == 1 && first.Kind == SqlTokenKind.OpenParen)) && (t.IsKeyword("limit") || t.IsKeyword("fetch")))
                    return !IsLimitAll(c, i, close);
            }

            return false;
        }

        private static bool IsLimitAll(TokenCursor c, int limit, int close) =>
            c.At(limit).IsKeyword("limit") && limit + 1 < close && (c.At(limit + 1).IsKeyword("all") || c.At(limit + 1).IsKeyword("null"));
    }
}
