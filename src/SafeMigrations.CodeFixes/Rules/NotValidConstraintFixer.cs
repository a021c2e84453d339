using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.CodeFixes.Infrastructure;
using SafeMigrations.Sql;

namespace SafeMigrations.CodeFixes.Rules
{
    /// <summary>
    /// Base of the SM0008 (foreign keys) and SM0009 (checks) fixers: add the constraint NOT VALID (brief lock, no scan),
    /// then <c>ValidateConstraint</c>, whose transaction is suppressed so EF commits the ADD first and the scan runs
    /// under SHARE UPDATE EXCLUSIVE.
    /// </summary>
    public abstract class NotValidConstraintFixer : MigrationFixer
    {
        private readonly ConstraintKind _kind;
        private readonly string _builderMethod;
        private readonly string _safeMethod;
        private readonly string _what;

        private protected NotValidConstraintFixer(ConstraintKind kind, string builderMethod, string safeMethod, string what)
        {
            _kind = kind;
            _builderMethod = builderMethod;
            _safeMethod = safeMethod;
            _what = what;
        }

        private string ExpandComment => "// Expand: add the " + _what + " NOT VALID: a brief lock and no scan; new and updated rows are checked at once.";

        private const string VerifyComment = "// Verify: validate the existing rows after the migration's transaction commits, under SHARE UPDATE EXCLUSIVE (reads and writes continue).";

        private protected sealed override void Fix(DocumentFix fix)
        {
            foreach (var (call, diagnostics) in fix.SqlCalls())
            {
                var flagged = FlaggedActions(diagnostics);
                fix.ReplaceStatement(call.Statement, SqlStatementEdits.Rewrite(call, (index, statement) =>
                    flagged.TryGetValue(index, out var actions) ? EditStatement(call.Receiver, statement, actions) : null));
            }

            foreach (var builder in fix.BuilderCalls(_builderMethod))
            {
                // The runtime step takes EF's parameters in EF's order: renaming the method keeps every argument.
                fix.InsertCommentsBefore(builder.Statement, ExpandComment);
                fix.Add(builder.RenameMethod(_safeMethod));
                fix.Add(builder.InsertAfter(fix.Text, new[]
                {
                    VerifyComment,
                    BuilderCall.Call(builder.Receiver, "ValidateConstraint", ("name", builder.Argument("name")), ("table", builder.Argument("table")), ("schema", builder.Argument("schema"))),
                }));
            }
        }

        private static Dictionary<int, HashSet<int>> FlaggedActions(IEnumerable<Diagnostic> diagnostics)
        {
            var flagged = new Dictionary<int, HashSet<int>>();
            foreach (var diagnostic in diagnostics)
            {
                var statement = DiagnosticProperties.ReadIndex(diagnostic.Properties, DiagnosticProperties.StatementIndex);
                var action = DiagnosticProperties.ReadIndex(diagnostic.Properties, DiagnosticProperties.ActionIndex);
                if (!flagged.TryGetValue(statement, out var actions))
                {
                    flagged[statement] = actions = new HashSet<int>();
                }

                actions.Add(action);
            }

            return flagged;
        }

        private StatementEdit? EditStatement(string receiver, SqlStatement statement, HashSet<int> flagged)
        {
            if (statement.Table is not { } table)
            {
                return null;
            }

            var replacements = new Dictionary<int, string?>();
            var validations = new List<string>();
            var expands = false;
            for (var i = 0; i < statement.Actions.Count; i++)
            {
                var action = statement.Actions[i];

                // A light bulb passes one diagnostic; the statement's other unvalidated constraints of this kind are
                // fixed with it, so one click and Fix All give the same statement.
                if (!flagged.Contains(i) && !(action.Kind == AlterTableActionKind.AddConstraint && action.Constraint == _kind && !action.NotValid))
                {
                    continue;
                }

                string? name;
                switch (action.Kind)
                {
                    case AlterTableActionKind.AddConstraint:
                        name = action.Name ?? DefaultName(table.Name, action);
                        replacements[i] = (action.Name is null ? NameConstraint(action.Text, name) : action.Text) + " NOT VALID";
                        expands = true;
                        break;
                    case AlterTableActionKind.AddColumn when SplitInlineConstraint(table.Name, action) is { } split:
                        name = split.Name;
                        replacements[i] = split.Column + ", " + split.Constraint + " NOT VALID";
                        expands = true;
                        break;
                    case AlterTableActionKind.ValidateConstraint when action.Name != null:
                        // The ADD ... NOT VALID earlier in this transaction holds its lock until commit: validate after it.
                        name = action.Name;
                        replacements[i] = null;
                        break;
                    default:
                        continue;
                }

                validations.Add(BuilderCall.Call(
                    receiver,
                    "ValidateConstraint",
                    ("name", CSharpCode.String(name)),
                    ("table", CSharpCode.String(table.Name)),
                    ("schema", table.Schema is null ? null : CSharpCode.String(table.Schema))));
            }

            if (validations.Count == 0)
            {
                return null;
            }

            var sql = replacements.Count == statement.Actions.Count && replacements.Values.All(v => v is null)
                ? null
                : SqlStatementEdits.ReplaceActions(statement, replacements);
            var after = new List<string> { VerifyComment };
            after.AddRange(validations);
            return new StatementEdit(sql, expands ? new[] { ExpandComment } : null, after);
        }

        /// <summary><c>ADD CHECK (...)</c> → <c>ADD CONSTRAINT name CHECK (...)</c>: the validation needs the name.</summary>
        private static string NameConstraint(string actionText, string name)
        {
            var tokens = SqlStatementEdits.Tokens(actionText);
            var add = tokens.FirstOrDefault(t => t.IsKeyword("add"));
            return add is null ? actionText : actionText.Substring(0, add.End) + " CONSTRAINT " + SqlStatementEdits.Quote(name) + actionText.Substring(add.End);
        }

        private string DefaultName(string table, AlterTableAction action)
        {
            if (_kind == ConstraintKind.ForeignKey)
            {
                return SqlStatementEdits.DefaultConstraintName(table, action.Columns, "fkey");
            }

            // PostgreSQL names an unnamed table check after the column when the expression uses exactly one column reference.
            var columns = ColumnReferences(action.CheckExpression ?? string.Empty);
            return SqlStatementEdits.DefaultConstraintName(table, columns.Count == 1 ? columns : new List<string>(), "check");
        }

        /// <summary>Names in the expression that are column references: not keywords, not function names, not types after <c>::</c>.</summary>
        private static List<string> ColumnReferences(string expression)
        {
            var tokens = SqlStatementEdits.Tokens(expression);
            var columns = new List<string>();
            for (var i = 0; i < tokens.Count; i++)
            {
                var token = tokens[i];
                if (!token.IsName || (token.Kind == SqlTokenKind.Identifier && ExpressionKeywords.Contains(token.Value)))
                {
                    continue;
                }

                var isFunction = i + 1 < tokens.Count && tokens[i + 1].Kind == SqlTokenKind.OpenParen;
                var isType = i > 0 && tokens[i - 1].IsOperator("::");
                if (!isFunction && !isType)
                {
                    columns.Add(token.Value);
                }
            }

            return columns;
        }

        private static readonly HashSet<string> ExpressionKeywords = new HashSet<string>
        {
            "and", "or", "not", "is", "null", "true", "false", "in", "between", "like", "ilike", "similar", "to", "case",
            "when", "then", "else", "end", "distinct", "from", "any", "all", "some", "array", "cast", "as", "unknown",
            "current_date", "current_timestamp", "localtimestamp", "localtime", "current_time", "escape", "collate",
            "interval", "date", "time", "timestamp", "with", "without", "zone",
        };

        /// <summary>
        /// <c>ADD COLUMN c type ... [CONSTRAINT n] REFERENCES p (k) ...</c> (or <c>CHECK (...)</c>) → the column without
        /// the inline constraint, and the equivalent table constraint (added in the same statement, after the column).
        /// </summary>
        private (string Column, string Constraint, string Name)? SplitInlineConstraint(string table, AlterTableAction action)
        {
            if (action.Column is null)
            {
                return null;
            }

            var tokens = SqlStatementEdits.Tokens(action.Text);
            var keyword = _kind == ConstraintKind.ForeignKey ? "references" : "check";
            var at = -1;
            for (var i = 0; i < tokens.Count; i++)
            {
                if (tokens[i].IsKeyword(keyword) && !(i > 0 && tokens[i - 1].IsKeyword("no")))
                {
                    at = i;
                    break;
                }
            }

            if (at < 0)
            {
                return null;
            }

            var start = at;
            string? name = null;
            if (at >= 2 && tokens[at - 2].IsKeyword("constraint"))
            {
                start = at - 2;
                name = tokens[at - 1].Value;
            }

            var end = _kind == ConstraintKind.ForeignKey ? EndOfReferences(tokens, at + 1) : EndOfCheck(tokens, at + 1);
            if (end <= at)
            {
                return null;
            }

            var column = SqlStatementEdits.Quote(action.Column);
            var clause = action.Text.Substring(tokens[at + 1].Offset, tokens[end - 1].End - tokens[at + 1].Offset);
            var columnText = (action.Text.Substring(0, tokens[start].Offset).TrimEnd() + " "
                              + action.Text.Substring(tokens[end - 1].End).TrimStart()).TrimEnd();
            var suffix = _kind == ConstraintKind.ForeignKey ? "fkey" : "check";
            name ??= SqlStatementEdits.DefaultConstraintName(table, new[] { action.Column }, suffix);
            var constraint = "ADD CONSTRAINT " + SqlStatementEdits.Quote(name)
                             + (_kind == ConstraintKind.ForeignKey ? " FOREIGN KEY (" + column + ") REFERENCES " : " CHECK ")
                             + clause;
            return (columnText, constraint, name);
        }

        /// <summary>Index after <c>REFERENCES t [(cols)] [MATCH x] [ON DELETE|UPDATE action]... [[NOT] DEFERRABLE] [INITIALLY x]</c>.</summary>
        private static int EndOfReferences(IReadOnlyList<SqlToken> tokens, int i)
        {
            if (i >= tokens.Count || !tokens[i].IsName)
            {
                return -1;
            }

            i++;
            while (i + 1 < tokens.Count && tokens[i].Kind == SqlTokenKind.Dot)
            {
                i += 2;
            }

            i = SqlStatementEdits.SkipGroup(tokens, i);
            while (i < tokens.Count)
            {
                if (tokens[i].IsKeyword("match") && i + 1 < tokens.Count)
                {
                    i += 2;
                }
                else if (tokens[i].IsKeyword("on") && i + 2 < tokens.Count)
                {
                    i += 2;
                    if (tokens[i].IsKeyword("no") || tokens[i].IsKeyword("set"))
                    {
                        i += 2;
                        i = SqlStatementEdits.SkipGroup(tokens, i);
                    }
                    else
                    {
                        i++;
                    }
                }
                else if (tokens[i].IsKeyword("deferrable"))
                {
                    i++;
                }
                else if (tokens[i].IsKeyword("not") && i + 1 < tokens.Count && tokens[i + 1].IsKeyword("deferrable"))
                {
                    i += 2;
                }
                else if (tokens[i].IsKeyword("initially") && i + 1 < tokens.Count)
                {
                    i += 2;
                }
                else
                {
                    break;
                }
            }

            return System.Math.Min(i, tokens.Count);
        }

        /// <summary>Index after <c>CHECK (expr) [NO INHERIT]</c>.</summary>
        private static int EndOfCheck(IReadOnlyList<SqlToken> tokens, int i)
        {
            var after = SqlStatementEdits.SkipGroup(tokens, i);
            if (after == i)
            {
                return -1;
            }

            if (after + 1 < tokens.Count && tokens[after].IsKeyword("no") && tokens[after + 1].IsKeyword("inherit"))
            {
                after += 2;
            }

            return after;
        }
    }
}
