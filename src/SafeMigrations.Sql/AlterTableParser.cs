using System.Collections.Generic;

namespace SafeMigrations.Sql
{
    /// <summary>
    /// ALTER TABLE [IF EXISTS] [ONLY] name [*] action [, action ...] — actions are split at depth-0 commas and each is
    /// read on its own. Unrecognised actions become <see cref="AlterTableActionKind.Other"/>.
    /// </summary>
    internal static class AlterTableParser
    {
        // Words that end a column type and start a column constraint or option in ADD COLUMN.
        private static readonly HashSet<string> ColumnConstraintStarts = new HashSet<string>
        {
            "constraint", "not", "null", "default", "generated", "references", "check", "unique", "primary",
            "collate", "compression", "storage", "deferrable", "initially",
        };

        private static readonly HashSet<string> SerialTypes = new HashSet<string>
        {
            "serial", "serial4", "bigserial", "serial8", "smallserial", "serial2",
        };

        public static void Parse(SqlStatement s, TokenCursor c)
        {
            s.Kind = StatementKind.AlterTable;
            if (c.Accept("all", "in", "tablespace"))
            {
                s.Actions = new[] { new AlterTableAction { Kind = AlterTableActionKind.Other, Text = c.TextOf(c.Position, c.End - 1) } };
                return;
            }

            s.IfExists = c.Accept("if", "exists");
            s.Table = c.ReadRelation(out bool only);
            s.Only = only;

            var actions = new List<AlterTableAction>();
            int actionStart = c.Position;
            int depth = 0;
            for (int i = c.Position; i <= c.End; i++)
            {
                if (i < c.End)
                {
                    SqlTokenKind kind = c.At(i).Kind;
                    if (kind == SqlTokenKind.OpenParen || kind == SqlTokenKind.OpenBracket)
                        depth++;
                    else if (kind == SqlTokenKind.CloseParen || kind == SqlTokenKind.CloseBracket)
                        depth--;
                    if (kind != SqlTokenKind.Comma || depth != 0)
                        continue;
                }

                if (i > actionStart)
                    actions.Add(ParseAction(c.Slice(actionStart, i)));
                actionStart = i + 1;
            }

            s.Actions = actions;
            // DETACH PARTITION ... CONCURRENTLY is the one ALTER TABLE that cannot run in a transaction block.
            s.Concurrently = actions.Exists(a => a.Kind == AlterTableActionKind.DetachPartition && a.Concurrently);
        }

        private static AlterTableAction ParseAction(TokenCursor c)
        {
            var action = new AlterTableAction { Text = c.TextOf(c.Position, c.End - 1) };
            if (c.Accept("add"))
                ParseAdd(action, c);
            else if (c.Accept("drop"))
                ParseDrop(action, c);
            else if (c.Accept("alter"))
                ParseAlter(action, c);
            else if (c.Accept("validate", "constraint"))
            {
                action.Kind = AlterTableActionKind.ValidateConstraint;
                action.Name = c.Next()?.Value;
            }
            else if (c.Accept("rename"))
                ParseRename(action, c);
            else if (c.Accept("set"))
                ParseSet(action, c);
            else if (c.Accept("detach", "partition"))
            {
                action.Kind = AlterTableActionKind.DetachPartition;
                action.Partition = c.ReadQualifiedName();
                action.Concurrently = c.Accept("concurrently");
                action.Finalize = c.Accept("finalize");
            }
            else
                action.Kind = AlterTableActionKind.Other;
            return action;
        }

        private static bool IsTableConstraintStart(TokenCursor c) =>
            c.IsKeyword("constraint") || c.IsKeyword("check") || c.IsKeyword("unique") || c.IsKeyword("exclude") ||
            (c.IsKeyword("primary") && c.IsKeyword("key", 1)) || (c.IsKeyword("foreign") && c.IsKeyword("key", 1));

        private static void ParseAdd(AlterTableAction a, TokenCursor c)
        {
            if (!c.IsKeyword("column") && IsTableConstraintStart(c))
            {
                ParseTableConstraint(a, c);
                return;
            }

            c.Accept("column");
            a.Kind = AlterTableActionKind.AddColumn;
            a.IfExists = c.Accept("if", "not", "exists");
            a.Column = c.Next()?.Value;

            int typeStart = c.Position;
            while (!c.AtEnd && !(c.Peek()!.Kind == SqlTokenKind.Identifier && ColumnConstraintStarts.Contains(c.Peek()!.Value)))
            {
                if (!c.SkipGroup())
                    c.Position++;
            }

            if (c.Position > typeStart)
            {
                a.DataType = c.TextOf(typeStart, c.Position - 1);
                a.Serial = SerialTypes.Contains(ColumnTypes.Normalize(a.DataType));
            }

            ParseColumnConstraints(a, c);
        }

        private static void ParseColumnConstraints(AlterTableAction a, TokenCursor c)
        {
            var inline = new List<ConstraintKind>();
            while (!c.AtEnd)
            {
                if (c.Accept("constraint"))
                {
                    c.Next();
                    continue;
                }

                if (c.Accept("not", "null"))
                {
                    a.NotNull = true;
                    continue;
                }

                if (c.Accept("not", "valid"))
                {
                    a.NotValid = true;
                    continue;
                }

                if (c.Accept("default"))
                {
                    int start = c.Position;
                    // The first token always belongs to the expression; then stop at the next constraint keyword.
                    if (!c.SkipGroup())
                        c.Position++;
                    while (!c.AtEnd && !IsConstraintKeywordAfterDefault(c))
                    {
                        if (!c.SkipGroup())
                            c.Position++;
                    }

                    if (c.Position > start)
                        a.DefaultExpression = c.TextOf(start, c.Position - 1);
                    continue;
                }

                if (c.Accept("generated"))
                {
                    c.Accept("always");
                    c.Accept("by", "default");
                    c.Accept("as");
                    if (c.Accept("identity"))
                    {
                        a.Identity = true;
                        c.SkipGroup();
                    }
                    else
                    {
                        c.SkipGroup();
                        // PostgreSQL 18 adds VIRTUAL (no rewrite); only STORED materialises values.
                        if (c.Accept("stored"))
                            a.GeneratedStored = true;
                        else
                            c.Accept("virtual");
                    }

                    continue;
                }

                if (c.Accept("references"))
                {
                    inline.Add(ConstraintKind.ForeignKey);
                    a.ReferencedTable = c.ReadQualifiedName();
                    c.SkipGroup();
                    continue;
                }

                if (c.Accept("check"))
                {
                    inline.Add(ConstraintKind.Check);
                    int open = c.Position;
                    if (c.SkipGroup())
                        a.CheckExpression = c.TextOf(open + 1, c.Position - 2);
                    continue;
                }

                if (c.Accept("unique"))
                {
                    inline.Add(ConstraintKind.Unique);
                    continue;
                }

                if (c.Accept("primary", "key"))
                {
                    inline.Add(ConstraintKind.PrimaryKey);
                    a.NotNull = true;
                    continue;
                }

                if (!c.SkipGroup())
                    c.Position++;
            }

            a.InlineConstraints = inline;
            a.InlineConstraint = inline.Count > 0 ? inline[0] : ConstraintKind.None;
        }

        private static bool IsConstraintKeywordAfterDefault(TokenCursor c)
        {
            SqlToken t = c.Peek()!;
            if (t.Kind != SqlTokenKind.Identifier)
                return false;
            if (t.Value == "not")
                return c.IsKeyword("null", 1) || c.IsKeyword("valid", 1);
            return ColumnConstraintStarts.Contains(t.Value);
        }

        private static void ParseTableConstraint(AlterTableAction a, TokenCursor c)
        {
            a.Kind = AlterTableActionKind.AddConstraint;
            if (c.Accept("constraint"))
                a.Name = c.Next()?.Value;

            if (c.Accept("check"))
            {
                a.Constraint = ConstraintKind.Check;
                int open = c.Position;
                if (c.SkipGroup())
                    a.CheckExpression = c.TextOf(open + 1, c.Position - 2);
            }
            else if (c.Accept("foreign", "key"))
            {
                a.Constraint = ConstraintKind.ForeignKey;
                a.Columns = ReadColumnList(c);
                if (c.Accept("references"))
                    a.ReferencedTable = c.ReadQualifiedName();
            }
            else if (c.Accept("unique") || c.Accept("primary", "key"))
            {
                a.Constraint = c.At(c.Position - 1).IsKeyword("unique") ? ConstraintKind.Unique : ConstraintKind.PrimaryKey;
                c.Accept("nulls", "not", "distinct");
                c.Accept("nulls", "distinct");
                if (c.Accept("using", "index"))
                {
                    a.UsingIndex = true;
                    a.IndexName = c.Next()?.Value;
                }
                else
                {
                    a.Columns = ReadColumnList(c);
                }
            }
            else if (c.Accept("exclude"))
            {
                a.Constraint = ConstraintKind.Exclusion;
            }
            else if (c.Accept("not", "null"))
            {
                // PostgreSQL 18: ADD CONSTRAINT name NOT NULL column.
                a.Constraint = ConstraintKind.NotNull;
                a.Column = c.Next()?.Value;
            }

            int notIndex = FindNotValid(c);
            a.NotValid = notIndex >= 0;
        }

        private static int FindNotValid(TokenCursor c)
        {
            int i = c.Position;
            while (true)
            {
                int not = c.FindKeywordAtDepthZero(i, "not");
                if (not < 0)
                    return -1;
                if (not + 1 < c.End && c.At(not + 1).IsKeyword("valid"))
                    return not;
                i = not + 1;
            }
        }

        private static IReadOnlyList<string> ReadColumnList(TokenCursor c)
        {
            var columns = new List<string>();
            if (!c.IsKind(SqlTokenKind.OpenParen))
                return columns;
            int open = c.Position;
            int close = c.MatchingClose(open);
            for (int i = open + 1; i < close; i++)
            {
                SqlToken t = c.At(i);
                if (t.IsName && (i == open + 1 || c.At(i - 1).Kind == SqlTokenKind.Comma))
                    columns.Add(t.Value);
            }

            c.Position = close + 1;
            return columns;
        }

        private static void ParseDrop(AlterTableAction a, TokenCursor c)
        {
            if (c.Accept("constraint"))
            {
                a.Kind = AlterTableActionKind.DropConstraint;
                a.IfExists = c.Accept("if", "exists");
                a.Name = c.Next()?.Value;
            }
            else
            {
                c.Accept("column");
                a.Kind = AlterTableActionKind.DropColumn;
                a.IfExists = c.Accept("if", "exists");
                a.Column = c.Next()?.Value;
            }

            a.Cascade = c.Accept("cascade");
        }

        private static void ParseAlter(AlterTableAction a, TokenCursor c)
        {
            if (c.Accept("constraint"))
            {
                a.Kind = AlterTableActionKind.Other;
                a.Name = c.Next()?.Value;
                return;
            }

            c.Accept("column");
            a.Column = c.Next()?.Value;

            if (c.Accept("set", "data", "type") || c.Accept("type"))
            {
                a.Kind = AlterTableActionKind.AlterColumnType;
                int typeStart = c.Position;
                while (!c.AtEnd && !c.IsKeyword("collate") && !c.IsKeyword("using"))
                {
                    if (!c.SkipGroup())
                        c.Position++;
                }

                if (c.Position > typeStart)
                    a.DataType = c.TextOf(typeStart, c.Position - 1);
                if (c.Accept("collate"))
                    c.ReadQualifiedName();
                if (c.Accept("using") && !c.AtEnd)
                {
                    a.UsingExpression = c.TextOf(c.Position, c.End - 1);
                    a.UsingIsPlainCast = IsPlainCast(c, a.Column, a.DataType);
                }
            }
            else if (c.Accept("set", "not", "null"))
            {
                a.Kind = AlterTableActionKind.SetNotNull;
                a.Constraint = ConstraintKind.NotNull;
            }
            else if (c.Accept("drop", "not", "null"))
            {
                a.Kind = AlterTableActionKind.DropNotNull;
                a.Constraint = ConstraintKind.NotNull;
            }
            else if (c.Accept("set", "default"))
            {
                a.Kind = AlterTableActionKind.SetDefault;
                if (!c.AtEnd)
                    a.DefaultExpression = c.TextOf(c.Position, c.End - 1);
            }
            else if (c.Accept("drop", "default"))
            {
                a.Kind = AlterTableActionKind.DropDefault;
            }
            else if (c.Accept("add", "generated"))
            {
                a.Kind = AlterTableActionKind.AddIdentity;
                a.Identity = true;
            }
            else
            {
                a.Kind = AlterTableActionKind.Other;
            }
        }

        /// <summary>
        /// The USING expression at the cursor is <c>col</c>, <c>col::type</c> or <c>CAST(col AS type)</c> (optionally in
        /// parentheses) with <c>col</c> the altered column and <c>type</c> the new type: PostgreSQL converts exactly as
        /// without USING, so a binary-coercible change stays free.
        /// </summary>
        private static bool IsPlainCast(TokenCursor c, string? column, string? newType)
        {
            if (column is null || newType is null)
                return false;
            int first = c.Position;
            int last = c.End - 1;
            while (last > first && c.At(first).Kind == SqlTokenKind.OpenParen && c.MatchingClose(first) == last)
            {
                first++;
                last--;
            }

            string? castType;
            if (c.At(first).IsKeyword("cast") && first + 1 < last && c.At(first + 1).Kind == SqlTokenKind.OpenParen && c.MatchingClose(first + 1) == last)
            {
                // CAST ( col AS type )
                if (first + 4 > last - 1 || !c.At(first + 3).IsKeyword("as"))
                    return false;
                if (!IsColumn(c.At(first + 2), column))
                    return false;
                if (!IsTypeName(c, first + 4, last - 1))
                    return false;
                castType = c.TextOf(first + 4, last - 1);
            }
            else
            {
                if (!IsColumn(c.At(first), column))
                    return false;
                if (first == last)
                    return true;
                if (!c.At(first + 1).IsOperator("::") || first + 2 > last || !IsTypeName(c, first + 2, last))
                    return false;
                castType = c.TextOf(first + 2, last);
            }

            return ColumnTypes.Normalize(castType) == ColumnTypes.Normalize(newType);
        }

        /// <summary>Tokens [first, last] can only be a type name: words, dots, numbers, commas, parentheses, brackets.</summary>
        private static bool IsTypeName(TokenCursor c, int first, int last)
        {
            for (int i = first; i <= last; i++)
            {
                switch (c.At(i).Kind)
                {
                    case SqlTokenKind.Identifier:
                    case SqlTokenKind.QuotedIdentifier:
                    case SqlTokenKind.Number:
                    case SqlTokenKind.Dot:
                    case SqlTokenKind.Comma:
                    case SqlTokenKind.OpenParen:
                    case SqlTokenKind.CloseParen:
                    case SqlTokenKind.OpenBracket:
                    case SqlTokenKind.CloseBracket:
                        continue;
                    default:
                        return false;
                }
            }

            return true;
        }

        private static bool IsColumn(SqlToken token, string column) => token.IsName && token.Value == column;

        private static void ParseRename(AlterTableAction a, TokenCursor c)
        {
            if (c.Accept("to"))
            {
                a.Kind = AlterTableActionKind.RenameTable;
                a.Name = c.Next()?.Value;
                return;
            }

            if (c.Accept("constraint"))
            {
                a.Kind = AlterTableActionKind.RenameConstraint;
                a.OldName = c.Next()?.Value;
                c.Accept("to");
                a.Name = c.Next()?.Value;
                return;
            }

            c.Accept("column");
            a.Kind = AlterTableActionKind.RenameColumn;
            a.Column = c.Next()?.Value;
            a.OldName = a.Column;
            c.Accept("to");
            a.Name = c.Next()?.Value;
        }

        private static void ParseSet(AlterTableAction a, TokenCursor c)
        {
            if (c.Accept("schema"))
            {
                a.Kind = AlterTableActionKind.SetSchema;
                a.Name = c.Next()?.Value;
            }
            else if (c.Accept("logged"))
            {
                a.Kind = AlterTableActionKind.SetLogged;
            }
            else if (c.Accept("unlogged"))
            {
                a.Kind = AlterTableActionKind.SetLogged;
                a.Unlogged = true;
            }
            else if (c.Accept("tablespace"))
            {
                a.Kind = AlterTableActionKind.SetTablespace;
                a.Name = c.Next()?.Value;
            }
            else
            {
                a.Kind = AlterTableActionKind.Other;
            }
        }
    }
}
