using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using SafeMigrations.Analyzers;
using SafeMigrations.CodeFixes.Infrastructure;
using SafeMigrations.Sql;

namespace SafeMigrations.CodeFixes.Rules
{
    /// <summary>
    /// SM0010: the unique index is built concurrently outside the transaction, then attached with
    /// <c>ADD CONSTRAINT ... USING INDEX</c> (<c>AddUniqueConstraintUsingIndex</c> / <c>AddPrimaryKeyUsingIndex</c>).
    /// Raw <c>ADD [CONSTRAINT x] UNIQUE|PRIMARY KEY (cols)</c> and inline <c>ADD COLUMN ... UNIQUE|PRIMARY KEY</c> lose the
    /// constraint, which the step adds after the statement. <c>EXCLUDE</c> (and key clauses the step cannot express:
    /// INCLUDE, WITH, NULLS NOT DISTINCT, DEFERRABLE, USING INDEX TABLESPACE) has no index-first form: the statement is
    /// kept and acknowledged.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddUniqueOrPrimaryKeyUnderLockFixer)), Shared]
    public sealed class AddUniqueOrPrimaryKeyUnderLockFixer : MigrationFixer
    {
        private const string ExpandComment = "// Expand: build the unique index concurrently (outside the transaction), then attach it as the constraint: a brief lock, no build under it.";

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.AddUniqueOrPrimaryKeyUnderLock);

        protected override string Title => "Build the key's unique index concurrently and attach it USING INDEX";

        protected override string EquivalenceKey => RuleIdentifiers.AddUniqueOrPrimaryKeyUnderLock;

        private protected override void Fix(DocumentFix fix)
        {
            fix.EditFlaggedStatements(EditStatement);
            foreach (var builder in fix.BuilderCalls("AddUniqueConstraint", "AddPrimaryKey"))
            {
                // The steps take EF's parameters (name, table, column(s), schema) in EF's order.
                var safe = MigrationSyntax.MethodName(builder.Invocation) == "AddPrimaryKey" ? "AddPrimaryKeyUsingIndex" : "AddUniqueConstraintUsingIndex";
                fix.InsertCommentsBefore(builder.Statement, ExpandComment);
                fix.Add(builder.RenameMethod(safe));
            }
        }

        private static StatementEdit? EditStatement(SqlCallRewrite call, SqlStatement statement)
        {
            if (statement.Kind != StatementKind.AlterTable || statement.Table is not { } table)
            {
                return null;
            }

            var replacements = new Dictionary<int, string?>();
            var steps = new List<string>();
            for (var i = 0; i < statement.Actions.Count; i++)
            {
                var action = statement.Actions[i];
                if (action.Kind == AlterTableActionKind.AddConstraint && !action.UsingIndex
                    && (action.Constraint == ConstraintKind.Unique || action.Constraint == ConstraintKind.PrimaryKey || action.Constraint == ConstraintKind.Exclusion))
                {
                    if (!IsPlainKey(action))
                    {
                        return AcknowledgedStatement.Edit(
                            call,
                            statement.Text,
                            RuleIdentifiers.AddUniqueOrPrimaryKeyUnderLock,
                            action.Constraint == ConstraintKind.Exclusion
                                ? "an exclusion constraint cannot be attached to a prebuilt index; it builds its index under ACCESS EXCLUSIVE."
                                : "this key's options (INCLUDE, WITH, NULLS NOT DISTINCT, DEFERRABLE or its tablespace) cannot be expressed with a concurrently built index here; it builds its index under ACCESS EXCLUSIVE.");
                    }

                    var primary = action.Constraint == ConstraintKind.PrimaryKey;
                    var name = action.Name ?? SqlStatementEdits.DefaultConstraintName(table.Name, primary ? new string[0] : action.Columns, primary ? "pkey" : "key");
                    replacements[i] = null;
                    steps.Add(Step(call.Receiver, primary, name, table, action.Columns));
                }
                else if (action.Kind == AlterTableActionKind.AddColumn && action.Column != null
                         && (action.InlineConstraints.Contains(ConstraintKind.Unique) || action.InlineConstraints.Contains(ConstraintKind.PrimaryKey)))
                {
                    if (RemoveInlineKey(table.Name, action) is not { } split)
                    {
                        return null;
                    }

                    replacements[i] = split.Column;
                    steps.Add(Step(call.Receiver, split.Primary, split.Name, table, new[] { action.Column }));
                }
            }

            if (steps.Count == 0)
            {
                return null;
            }

            var sql = replacements.Count == statement.Actions.Count && replacements.Values.All(v => v is null)
                ? null
                : SqlStatementEdits.ReplaceActions(statement, replacements);
            var after = new List<string> { ExpandComment };
            after.AddRange(steps);
            return new StatementEdit(sql, null, after);
        }

        private static string Step(string receiver, bool primary, string name, QualifiedName table, IReadOnlyList<string> columns) =>
            BuilderCall.Call(
                receiver,
                primary ? "AddPrimaryKeyUsingIndex" : "AddUniqueConstraintUsingIndex",
                ("name", CSharpCode.String(name)),
                ("table", CSharpCode.String(table.Name)),
                columns.Count == 1 ? ("column", CSharpCode.String(columns[0])) : ("columns", CSharpCode.StringArray(columns)),
                ("schema", table.Schema is null ? null : CSharpCode.String(table.Schema)));

        /// <summary><c>ADD [CONSTRAINT n] UNIQUE|PRIMARY KEY (a, b)</c> and nothing else.</summary>
        private static bool IsPlainKey(AlterTableAction action)
        {
            if (action.Constraint == ConstraintKind.Exclusion || action.Columns.Count == 0)
            {
                return false;
            }

            var tokens = SqlStatementEdits.Tokens(action.Text);
            var i = 0;
            if (i < tokens.Count && tokens[i].IsKeyword("add"))
            {
                i++;
            }

            if (i + 1 < tokens.Count && tokens[i].IsKeyword("constraint"))
            {
                i += 2;
            }

            if (i < tokens.Count && tokens[i].IsKeyword("unique"))
            {
                i++;
            }
            else if (i + 1 < tokens.Count && tokens[i].IsKeyword("primary") && tokens[i + 1].IsKeyword("key"))
            {
                i += 2;
            }
            else
            {
                return false;
            }

            return SqlStatementEdits.SkipGroup(tokens, i) == tokens.Count && i < tokens.Count;
        }

        /// <summary>
        /// <c>ADD COLUMN c type [CONSTRAINT n] UNIQUE</c> → <c>ADD COLUMN c type</c>; an inline <c>PRIMARY KEY</c> leaves
        /// <c>NOT NULL</c> behind (what it implied). Null when the key has clauses the step cannot express.
        /// </summary>
        private static (string Column, string Name, bool Primary)? RemoveInlineKey(string table, AlterTableAction action)
        {
            var tokens = SqlStatementEdits.Tokens(action.Text);
            for (var i = 0; i < tokens.Count; i++)
            {
                var primary = i + 1 < tokens.Count && tokens[i].IsKeyword("primary") && tokens[i + 1].IsKeyword("key");
                if (!primary && !tokens[i].IsKeyword("unique"))
                {
                    continue;
                }

                var start = i;
                string? name = null;
                if (i >= 2 && tokens[i - 2].IsKeyword("constraint"))
                {
                    start = i - 2;
                    name = tokens[i - 1].Value;
                }

                var end = i + (primary ? 2 : 1);
                if (end < tokens.Count && (tokens[end].IsKeyword("nulls") || tokens[end].IsKeyword("include") || tokens[end].IsKeyword("with")
                                           || tokens[end].IsKeyword("using") || tokens[end].IsKeyword("deferrable") || tokens[end].IsKeyword("initially")))
                {
                    return null;
                }

                var before = action.Text.Substring(0, tokens[start].Offset).TrimEnd();
                var rest = action.Text.Substring(tokens[end - 1].End).Trim();
                var keepNotNull = primary && !action.Text.Substring(0, tokens[start].Offset).ToLowerInvariant().Contains("not null")
                                  && !rest.ToLowerInvariant().Contains("not null");
                var column = before + (keepNotNull ? " NOT NULL" : string.Empty) + (rest.Length > 0 ? " " + rest : string.Empty);
                name ??= primary
                    ? SqlStatementEdits.DefaultConstraintName(table, new string[0], "pkey")
                    : SqlStatementEdits.DefaultConstraintName(table, new[] { action.Column! }, "key");
                return (column, name, primary);
            }

            return null;
        }
    }
}
