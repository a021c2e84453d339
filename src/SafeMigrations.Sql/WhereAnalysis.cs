using System;
using System.Collections.Generic;

namespace SafeMigrations.Sql
{
    /// <summary>
    /// Reads a WHERE clause as an AND of conjuncts and decides whether it bounds the rows touched: WHERE CURRENT OF,
    /// key IN/= ANY a LIMITed sub-select, a key range with both bounds, or key equality with constants.
    /// Any top-level OR disables range and equality reasoning (the other branch may match everything).
    /// </summary>
    internal sealed class WhereAnalysis
    {
        private readonly TokenCursor _c;
        private readonly int _start;
        private readonly int _end;
        private readonly Dictionary<string, int> _lowerBounds = new Dictionary<string, int>();
        private readonly Dictionary<string, int> _upperBounds = new Dictionary<string, int>();
        private readonly List<string> _equalityColumns = new List<string>();

        public WhereAnalysis(TokenCursor c, int start, int end)
        {
            _c = c;
            _start = start;
            _end = end;
        }

        public bool IsBatched { get; private set; }

        public bool TargetsSingleRow { get; private set; }

        public bool HasTopLevelOr { get; private set; }

        public IReadOnlyList<string> EqualityColumns => _equalityColumns;

        public void Run()
        {
            int start = _start;
            int end = _end;
            // WHERE (a AND b): look inside the outer parentheses.
            while (end - start >= 2 && _c.At(start).Kind == SqlTokenKind.OpenParen && _c.MatchingClose(start) == end - 1)
            {
                start++;
                end--;
            }

            if (start + 1 < end && _c.At(start).IsKeyword("current") && _c.At(start + 1).IsKeyword("of"))
            {
                IsBatched = true;
                return;
            }

            List<KeyValuePair<int, int>> conjuncts = SplitConjuncts(start, end);
            if (HasTopLevelOr)
                return;

            foreach (KeyValuePair<int, int> conjunct in conjuncts)
                AnalyzeConjunct(conjunct.Key, conjunct.Value);

            foreach (string column in _lowerBounds.Keys)
            {
                if (_upperBounds.ContainsKey(column))
                    IsBatched = true;
            }

            foreach (string column in _equalityColumns)
            {
                if (string.Equals(column, "id", StringComparison.OrdinalIgnoreCase) || column == "ctid")
                    TargetsSingleRow = true;
            }
        }

        private List<KeyValuePair<int, int>> SplitConjuncts(int start, int end)
        {
            var parts = new List<KeyValuePair<int, int>>();
            int depth = 0;
            int partStart = start;
            bool inBetween = false;
            for (int i = start; i < end; i++)
            {
                SqlToken t = _c.At(i);
                if (t.Kind == SqlTokenKind.OpenParen || t.Kind == SqlTokenKind.OpenBracket)
                    depth++;
                else if (t.Kind == SqlTokenKind.CloseParen || t.Kind == SqlTokenKind.CloseBracket)
                    depth--;
                else if (depth == 0)
                {
                    if (t.IsKeyword("between"))
                        inBetween = true;
                    else if (t.IsKeyword("and"))
                    {
                        if (inBetween)
                        {
                            inBetween = false;
                            continue;
                        }

                        parts.Add(new KeyValuePair<int, int>(partStart, i));
                        partStart = i + 1;
                    }
                    else if (t.IsKeyword("or"))
                        HasTopLevelOr = true;
                }
            }

            parts.Add(new KeyValuePair<int, int>(partStart, end));
            return parts;
        }

        private void AnalyzeConjunct(int start, int end)
        {
            if (start >= end)
                return;
            int depth = 0;
            for (int i = start; i < end; i++)
            {
                SqlToken t = _c.At(i);
                if (t.Kind == SqlTokenKind.OpenParen || t.Kind == SqlTokenKind.OpenBracket)
                {
                    depth++;
                    continue;
                }

                if (t.Kind == SqlTokenKind.CloseParen || t.Kind == SqlTokenKind.CloseBracket)
                {
                    depth--;
                    continue;
                }

                if (depth != 0)
                    continue;

                if (t.IsKeyword("between"))
                {
                    bool negated = i > start && _c.At(i - 1).IsKeyword("not");
                    string? column = ColumnName(start, negated ? i - 1 : i);
                    if (column != null && !negated)
                    {
                        _lowerBounds[column] = i;
                        _upperBounds[column] = i;
                    }

                    return;
                }

                if (t.IsKeyword("in"))
                {
                    bool negated = i > start && _c.At(i - 1).IsKeyword("not");
                    if (negated || i + 1 >= end || _c.At(i + 1).Kind != SqlTokenKind.OpenParen)
                        return;
                    if (DmlClassifier.IsLimitedSubselect(_c, i + 1))
                    {
                        IsBatched = true;
                        return;
                    }

                    string? column = ColumnName(start, i);
                    int close = _c.MatchingClose(i + 1);
                    if (column != null && close == end - 1 && IsConstantList(i + 2, close))
                        _equalityColumns.Add(column);
                    return;
                }

                if (t.Kind == SqlTokenKind.Operator && IsComparison(t.Text))
                {
                    AnalyzeComparison(start, i, end);
                    return;
                }
            }
        }

        private void AnalyzeComparison(int start, int op, int end)
        {
            string comparison = _c.At(op).Text;
            if (op + 1 < end && (_c.At(op + 1).IsKeyword("any") || _c.At(op + 1).IsKeyword("some")))
            {
                // ctid = ANY(ARRAY(SELECT ctid ... LIMIT n)), id = ANY(SELECT ... LIMIT n)
                if (comparison == "=" && DmlClassifier.ContainsLimitedSubselect(_c, op + 2, end))
                    IsBatched = true;
                return;
            }

            string? left = ColumnName(start, op);
            string? right = ColumnName(op + 1, end);
            if (left != null && IsConstant(op + 1, end))
                Record(left, comparison);
            else if (right != null && IsConstant(start, op))
                Record(right, Flip(comparison));
        }

        private void Record(string column, string comparison)
        {
            switch (comparison)
            {
                case "=":
                    _equalityColumns.Add(column);
                    break;
                case ">":
                case ">=":
                    _lowerBounds[column] = 1;
                    break;
                case "<":
                case "<=":
                    _upperBounds[column] = 1;
                    break;
            }
        }

        private static string Flip(string comparison)
        {
            switch (comparison)
            {
                case ">": return "<";
                case ">=": return "<=";
                case "<": return ">";
                case "<=": return ">=";
                default: return comparison;
            }
        }

        private static bool IsComparison(string op) => op == "=" || op == "<" || op == "<=" || op == ">" || op == ">=";

        /// <summary>A column reference name[.name...] filling [start, end) exactly; returns its last part.</summary>
        private string? ColumnName(int start, int end)
        {
            if (start >= end)
                return null;
            int i = start;
            string? last = null;
            while (i < end)
            {
                SqlToken t = _c.At(i);
                if (!t.IsName || IsValueKeyword(t))
                    return null;
                last = t.Value;
                i++;
                if (i == end)
                    return last;
                if (_c.At(i).Kind != SqlTokenKind.Dot)
                    return null;
                i++;
            }

            return null;
        }

        /// <summary>Literals, parameters, casts and arithmetic of them.</summary>
        private bool IsConstant(int start, int end)
        {
            if (start >= end)
                return false;
            bool afterCast = false;
            for (int i = start; i < end; i++)
            {
                SqlToken t = _c.At(i);
                switch (t.Kind)
                {
                    case SqlTokenKind.Number:
                    case SqlTokenKind.String:
                    case SqlTokenKind.DollarString:
                    case SqlTokenKind.Parameter:
                    case SqlTokenKind.OpenParen:
                    case SqlTokenKind.CloseParen:
                        afterCast = false;
                        continue;
                    case SqlTokenKind.Operator:
                        if (t.Text == "::")
                        {
                            afterCast = true;
                            continue;
                        }

                        if (t.Text == "+" || t.Text == "-" || t.Text == "*" || t.Text == "/" || t.Text == "||")
                            continue;
                        return false;
                    case SqlTokenKind.Identifier:
                        // Type names after ::, possibly several words (double precision, timestamp with time zone).
                        if (afterCast || IsValueKeyword(t))
                            continue;
                        return false;
                    case SqlTokenKind.QuotedIdentifier:
                        if (afterCast)
                            continue;
                        return false;
                    default:
                        return false;
                }
            }

            return true;
        }

        private bool IsConstantList(int start, int end)
        {
            if (start >= end)
                return false;
            int itemStart = start;
            for (int i = start; i <= end; i++)
            {
                if (i == end || _c.At(i).Kind == SqlTokenKind.Comma)
                {
                    if (!IsConstant(itemStart, i))
                        return false;
                    itemStart = i + 1;
                }
            }

            return true;
        }

        private static bool IsValueKeyword(SqlToken t) =>
            t.IsKeyword("true") || t.IsKeyword("false") || t.IsKeyword("null");
    }
}
