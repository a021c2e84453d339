using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace SafeMigrations.Sql
{
    /// <summary>
    /// Recognises the statement forms that matter for migration safety from their leading keywords. Statements with a
    /// leading word it does not track are <see cref="StatementKind.Other"/>; statements that do not start with a word
    /// (or an opening parenthesis of a query) are <see cref="StatementKind.Unknown"/>. Details that cannot be read from
    /// malformed input stay null/false.
    /// </summary>
    internal static class StatementClassifier
    {
        public static SqlStatement Classify(string source, IReadOnlyList<SqlToken> tokens)
        {
            int start = tokens[0].Offset;
            string text = source.Substring(start, tokens[tokens.Count - 1].End - start);
            var statement = new SqlStatement(text, start) { Tokens = tokens.ToArray() };
            var cursor = new TokenCursor(source, tokens);
            ClassifyInto(statement, cursor);
            return statement;
        }

        private static void ClassifyInto(SqlStatement statement, TokenCursor c)
        {
            SqlToken? first = c.Peek();
            if (first is null)
            {
                statement.Kind = StatementKind.Empty;
                return;
            }

            if (first.Kind == SqlTokenKind.OpenParen)
            {
                // (SELECT ...) UNION ...
                statement.Kind = StatementKind.Select;
                return;
            }

            if (first.Kind != SqlTokenKind.Identifier)
            {
                statement.Kind = StatementKind.Unknown;
                return;
            }

            c.Position++;
            switch (first.Value)
            {
                case "create": ClassifyCreate(statement, c); break;
                case "drop": ClassifyDrop(statement, c); break;
                case "alter": ClassifyAlter(statement, c); break;
                case "reindex": ClassifyReindex(statement, c); break;
                case "vacuum": ClassifyVacuum(statement, c); break;
                case "cluster": ClassifyCluster(statement, c); break;
                case "refresh": ClassifyRefresh(statement, c); break;
                case "lock": ClassifyLock(statement, c); break;
                case "truncate": ClassifyTruncate(statement, c); break;
                case "insert":
                    statement.Kind = StatementKind.Insert;
                    c.Accept("into");
                    statement.Table = c.ReadQualifiedName();
                    break;
                case "update": DmlClassifier.ClassifyUpdate(statement, c, null); break;
                case "delete": DmlClassifier.ClassifyDelete(statement, c, null); break;
                case "with": DmlClassifier.ClassifyWith(statement, c); break;
                case "select":
                case "values":
                case "table":
                    statement.Kind = StatementKind.Select;
                    break;
                case "begin":
                case "start":
                case "savepoint":
                case "release":
                    statement.Kind = StatementKind.TransactionControl;
                    break;
                case "commit":
                case "end":
                case "abort":
                    statement.Kind = StatementKind.TransactionControl;
                    // COMMIT PREPARED 'id' finishes another, prepared transaction, not the current one.
                    statement.EndsTransaction = !c.IsKeyword("prepared");
                    break;
                case "rollback":
                    statement.Kind = StatementKind.TransactionControl;
                    statement.EndsTransaction = !c.IsKeyword("prepared") && c.FindKeywordAtDepthZero(c.Position, "to") < 0;
                    break;
                case "prepare":
                    statement.Kind = c.IsKeyword("transaction") ? StatementKind.TransactionControl : StatementKind.Other;
                    statement.EndsTransaction = statement.Kind == StatementKind.TransactionControl;
                    break;
                case "do":
                    statement.Kind = StatementKind.Do;
                    statement.Body = FindBody(c);
                    break;
                case "comment": statement.Kind = c.IsKeyword("on") ? StatementKind.Comment : StatementKind.Other; break;
                case "set":
                case "reset":
                    statement.Kind = StatementKind.Set;
                    break;
                default:
                    statement.Kind = StatementKind.Other;
                    break;
            }
        }

        private static void ClassifyCreate(SqlStatement s, TokenCursor c)
        {
            s.OrReplace = c.Accept("or", "replace");
            if (c.Accept("unique"))
            {
                s.Unique = true;
                if (!c.IsKeyword("index"))
                {
                    s.Kind = StatementKind.Other;
                    return;
                }
            }

            if (c.Accept("index"))
            {
                ClassifyCreateIndex(s, c);
                return;
            }

            bool temporaryOrUnlogged = false;
            if (c.Accept("global") || c.Accept("local"))
                temporaryOrUnlogged = true;
            if (c.Accept("temp") || c.Accept("temporary") || c.Accept("unlogged"))
                temporaryOrUnlogged = true;

            if (c.Accept("table"))
            {
                s.Kind = StatementKind.CreateTable;
                s.IfNotExists = c.Accept("if", "not", "exists");
                s.Table = c.ReadQualifiedName();
                return;
            }

            if (c.Accept("materialized", "view") || c.Accept("recursive", "view") || c.Accept("view"))
            {
                s.Kind = StatementKind.CreateView;
                s.IfNotExists = c.Accept("if", "not", "exists");
                s.Table = c.ReadQualifiedName();
                return;
            }

            if (temporaryOrUnlogged)
            {
                s.Kind = StatementKind.Other;
                return;
            }

            if (c.Accept("function") || c.Accept("procedure"))
            {
                s.Kind = StatementKind.CreateFunction;
                s.ObjectName = c.ReadQualifiedName();
                s.Body = FindBody(c);
                return;
            }

            if (c.Accept("constraint", "trigger") || c.Accept("trigger"))
            {
                s.Kind = StatementKind.CreateTrigger;
                s.ObjectName = c.ReadQualifiedName();
                if (c.SkipUntilKeyword("on"))
                {
                    c.Position++;
                    s.Table = c.ReadQualifiedName();
                }

                return;
            }

            s.Kind = StatementKind.Other;
        }

        /// <summary>The first string or dollar-quoted token at depth 0, or the text of a BEGIN ATOMIC ... END body.</summary>
        private static string? FindBody(TokenCursor c)
        {
            while (!c.AtEnd)
            {
                SqlToken t = c.Peek()!;
                if (t.Kind == SqlTokenKind.String || t.Kind == SqlTokenKind.DollarString)
                    return t.Value;
                if (t.IsKeyword("begin") && c.IsKeyword("atomic", 1))
                {
                    int first = c.Position + 2;
                    int last = c.End - 1;
                    if (c.At(last).IsKeyword("end"))
                        last--;
                    return first <= last ? c.TextOf(first, last) : string.Empty;
                }

                if (!c.SkipGroup())
                    c.Position++;
            }

            return null;
        }

        private static void ClassifyCreateIndex(SqlStatement s, TokenCursor c)
        {
            s.Kind = StatementKind.CreateIndex;
            s.Concurrently = c.Accept("concurrently");
            s.IfNotExists = c.Accept("if", "not", "exists");
            if (!c.IsKeyword("on"))
                s.Index = c.ReadQualifiedName();
            if (c.Accept("on"))
            {
                s.Table = c.ReadRelation(out bool only);
                s.Only = only;
            }
        }

        private static void ClassifyDrop(SqlStatement s, TokenCursor c)
        {
            if (c.Accept("index"))
            {
                s.Kind = StatementKind.DropIndex;
                s.Concurrently = c.Accept("concurrently");
                s.IfExists = c.Accept("if", "exists");
                s.Indexes = ReadNameList(c);
                s.Index = s.Indexes.FirstOrDefault();
                s.Cascade = c.IsKeyword("cascade");
                return;
            }

            if (c.Accept("table"))
            {
                s.Kind = StatementKind.DropTable;
                ReadDropRelations(s, c);
                return;
            }

            if (c.Accept("materialized", "view") || c.Accept("view"))
            {
                s.Kind = StatementKind.DropView;
                ReadDropRelations(s, c);
                return;
            }

            if (c.Accept("trigger"))
            {
                s.Kind = StatementKind.DropTrigger;
                s.IfExists = c.Accept("if", "exists");
                s.ObjectName = c.ReadQualifiedName();
                if (c.Accept("on"))
                    s.Table = c.ReadQualifiedName();
                s.Cascade = c.Accept("cascade");
                return;
            }

            s.Kind = StatementKind.Other;
        }

        private static void ReadDropRelations(SqlStatement s, TokenCursor c)
        {
            s.IfExists = c.Accept("if", "exists");
            s.Tables = ReadNameList(c);
            s.Table = s.Tables.FirstOrDefault();
            s.Cascade = c.IsKeyword("cascade");
        }

        private static List<QualifiedName> ReadNameList(TokenCursor c)
        {
            var names = new List<QualifiedName>();
            while (true)
            {
                QualifiedName? name = c.ReadQualifiedName();
                if (name is null)
                    break;
                names.Add(name);
                if (!c.AcceptKind(SqlTokenKind.Comma))
                    break;
            }

            return names;
        }

        private static void ClassifyAlter(SqlStatement s, TokenCursor c)
        {
            if (c.Accept("table"))
            {
                AlterTableParser.Parse(s, c);
                return;
            }

            if (c.Accept("domain"))
            {
                ParseAlterDomain(s, c);
                return;
            }

            if (c.Accept("index"))
            {
                s.Kind = StatementKind.AlterIndex;
                if (c.Accept("all", "in", "tablespace"))
                    return;
                s.IfExists = c.Accept("if", "exists");
                s.Index = c.ReadQualifiedName();
                return;
            }

            s.Kind = StatementKind.Other;
        }

        /// <summary>ALTER DOMAIN name action: one action, read into the same action model as ALTER TABLE's.</summary>
        private static void ParseAlterDomain(SqlStatement s, TokenCursor c)
        {
            s.Kind = StatementKind.AlterDomain;
            s.ObjectName = c.ReadQualifiedName();
            var action = new AlterTableAction { Text = c.AtEnd ? string.Empty : c.TextOf(c.Position, c.End - 1) };
            if (c.Accept("add"))
            {
                action.Kind = AlterTableActionKind.AddConstraint;
                if (c.Accept("constraint"))
                    action.Name = c.Next()?.Value;
                if (c.Accept("check"))
                    action.Constraint = ConstraintKind.Check;
                else if (c.Accept("not", "null"))
                    action.Constraint = ConstraintKind.NotNull;
                action.NotValid = c.End - c.Position >= 2 && c.At(c.End - 2).IsKeyword("not") && c.At(c.End - 1).IsKeyword("valid");
            }
            else if (c.Accept("set", "not", "null"))
            {
                action.Kind = AlterTableActionKind.SetNotNull;
                action.Constraint = ConstraintKind.NotNull;
            }
            else if (c.Accept("drop", "not", "null"))
            {
                action.Kind = AlterTableActionKind.DropNotNull;
            }
            else if (c.Accept("validate", "constraint"))
            {
                action.Kind = AlterTableActionKind.ValidateConstraint;
                action.Name = c.Next()?.Value;
            }
            else if (c.Accept("drop", "constraint"))
            {
                action.Kind = AlterTableActionKind.DropConstraint;
                action.IfExists = c.Accept("if", "exists");
                action.Name = c.Next()?.Value;
                action.Cascade = c.Accept("cascade");
            }
            else if (c.Accept("set", "default"))
            {
                action.Kind = AlterTableActionKind.SetDefault;
                if (!c.AtEnd)
                    action.DefaultExpression = c.TextOf(c.Position, c.End - 1);
            }
            else if (c.Accept("drop", "default"))
            {
                action.Kind = AlterTableActionKind.DropDefault;
            }
            else if (c.Accept("rename", "constraint"))
            {
                action.Kind = AlterTableActionKind.RenameConstraint;
                action.OldName = c.Next()?.Value;
                c.Accept("to");
                action.Name = c.Next()?.Value;
            }
            else
            {
                action.Kind = AlterTableActionKind.Other;
            }

            s.Actions = new[] { action };
        }

        private static void ClassifyReindex(SqlStatement s, TokenCursor c)
        {
            s.Kind = StatementKind.Reindex;
            if (c.IsKind(SqlTokenKind.OpenParen))
            {
                // PostgreSQL 14+ accepts CONCURRENTLY [boolean] in the option list as well as after the target kind.
                foreach (KeyValuePair<string, bool> option in ReadOptionList(c))
                {
                    if (option.Key == "concurrently" && option.Value)
                        s.Concurrently = true;
                }
            }

            SqlToken? target = c.Peek();
            if (target is null || target.Kind != SqlTokenKind.Identifier)
                return;
            string kind = target.Value;
            if (kind != "index" && kind != "table" && kind != "schema" && kind != "database" && kind != "system")
                return;
            c.Position++;
            s.ReindexTarget = kind.ToUpperInvariant();
            if (c.Accept("concurrently"))
                s.Concurrently = true;
            QualifiedName? name = c.ReadQualifiedName();
            if (kind == "index")
                s.Index = name;
            else if (kind == "table")
                s.Table = name;
            else
                s.ObjectName = name;
        }

        /// <summary>Reads "(name [value], ...)" and returns each option with its boolean value (absent value = true).</summary>
        private static List<KeyValuePair<string, bool>> ReadOptionList(TokenCursor c)
        {
            var options = new List<KeyValuePair<string, bool>>();
            int open = c.Position;
            int close = c.MatchingClose(open);
            int i = open + 1;
            while (i < close)
            {
                SqlToken name = c.At(i);
                bool value = true;
                int next = i + 1;
                if (next < close && c.At(next).Kind != SqlTokenKind.Comma)
                {
                    string v = c.At(next).Value.ToLowerInvariant();
                    if (v == "false" || v == "off" || v == "0" || v == "no")
                        value = false;
                }

                options.Add(new KeyValuePair<string, bool>(name.Value.ToLowerInvariant(), value));
                while (i < close && c.At(i).Kind != SqlTokenKind.Comma)
                    i++;
                i++;
            }

            c.Position = close + 1;
            return options;
        }

        private static void ClassifyVacuum(SqlStatement s, TokenCursor c)
        {
            s.Kind = StatementKind.Vacuum;
            if (c.IsKind(SqlTokenKind.OpenParen))
            {
                foreach (KeyValuePair<string, bool> option in ReadOptionList(c))
                {
                    if (option.Key == "full" && option.Value)
                        s.Full = true;
                }
            }
            else
            {
                while (true)
                {
                    if (c.Accept("full"))
                        s.Full = true;
                    else if (!(c.Accept("freeze") || c.Accept("verbose") || c.Accept("analyze") || c.Accept("analyse")))
                        break;
                }
            }

            var tables = new List<QualifiedName>();
            while (true)
            {
                QualifiedName? name = c.ReadRelation(out _);
                if (name is null)
                    break;
                tables.Add(name);
                c.SkipGroup();
                if (!c.AcceptKind(SqlTokenKind.Comma))
                    break;
            }

            s.Tables = tables;
            s.Table = tables.FirstOrDefault();
        }

        private static void ClassifyCluster(SqlStatement s, TokenCursor c)
        {
            s.Kind = StatementKind.Cluster;
            if (c.IsKind(SqlTokenKind.OpenParen))
                ReadOptionList(c);
            c.Accept("verbose");
            QualifiedName? name = c.ReadQualifiedName();
            if (c.Accept("on"))
            {
                // Pre-8.3 form: CLUSTER index ON table.
                s.Index = name;
                s.Table = c.ReadQualifiedName();
                return;
            }

            s.Table = name;
            if (c.Accept("using"))
                s.Index = c.ReadQualifiedName();
        }

        private static void ClassifyRefresh(SqlStatement s, TokenCursor c)
        {
            if (!c.Accept("materialized", "view"))
            {
                s.Kind = StatementKind.Other;
                return;
            }

            s.Kind = StatementKind.RefreshMaterializedView;
            s.Concurrently = c.Accept("concurrently");
            s.Table = c.ReadQualifiedName();
        }

        private static void ClassifyLock(SqlStatement s, TokenCursor c)
        {
            s.Kind = StatementKind.LockTable;
            c.Accept("table");
            ReadRelationList(s, c);
            s.LockMode = "ACCESS EXCLUSIVE";
            if (c.Accept("in"))
            {
                var mode = new StringBuilder();
                while (!c.AtEnd && !c.IsKeyword("mode"))
                {
                    if (mode.Length > 0)
                        mode.Append(' ');
                    mode.Append(c.Next()!.Value.ToUpperInvariant());
                }

                c.Accept("mode");
                if (mode.Length > 0)
                    s.LockMode = mode.ToString();
            }

            s.NoWait = c.Accept("nowait");
        }

        /// <summary>Reads <c>[ONLY] a, [ONLY] b, ...</c> (LOCK, TRUNCATE) into Tables and Table; Only follows the first.</summary>
        private static void ReadRelationList(SqlStatement s, TokenCursor c)
        {
            var tables = new List<QualifiedName>();
            while (true)
            {
                QualifiedName? name = c.ReadRelation(out bool only);
                if (name is null)
                    break;
                if (tables.Count == 0)
                    s.Only = only;
                tables.Add(name);
                if (!c.AcceptKind(SqlTokenKind.Comma))
                    break;
            }

            s.Tables = tables;
            s.Table = tables.FirstOrDefault();
        }

        private static void ClassifyTruncate(SqlStatement s, TokenCursor c)
        {
            s.Kind = StatementKind.Truncate;
            c.Accept("table");
            ReadRelationList(s, c);
            s.Cascade = c.FindKeywordAtDepthZero(c.Position, "cascade") >= 0;
        }
    }
}
