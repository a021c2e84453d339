using System;
using System.Collections.Generic;
using System.Linq;
using SafeMigrations.CodeFixes.Infrastructure;
using SafeMigrations.Sql;

namespace SafeMigrations.CodeFixes.Rules
{
    /// <summary>
    /// Base of the SM0013/SM0014 fixers: the drop moves to the contract phase. A builder drop gets <c>.InContractPhase()</c>;
    /// a raw drop statement goes into its own <c>Sql(...).InContractPhase()</c> call, and an ALTER TABLE that also does
    /// something else is split so that only its DROP COLUMN actions move.
    /// </summary>
    public abstract class DropOutsideContractFixer : MigrationFixer
    {
        private readonly string _builderMethod;
        private readonly string _comment;

        /// <param name="builderMethod">The EF step that drops (<c>DropColumn</c>).</param>
        /// <param name="what">What it drops, for the comment (<c>column</c>).</param>
        private protected DropOutsideContractFixer(string builderMethod, string what)
        {
            _builderMethod = builderMethod;
            _comment = "// Contract: runs after every app instance stopped using the " + what + ".";
        }

        private protected sealed override void Fix(DocumentFix fix)
        {
            fix.RewriteFlaggedStatements((call, statement) =>
            {
                var result = new List<string>();
                string contractSql = statement.Text;
                if (statement.Kind == StatementKind.AlterTable && SplitDropColumns(statement) is { } split)
                {
                    result.Add(SqlCallRewrite.SqlCode(call.Receiver, new[] { split.Remaining }, call.SuppressTransaction));
                    contractSql = split.Drops;
                }

                result.Add(_comment);
                result.Add(SqlCallRewrite.ContractSqlCode(call.Receiver, contractSql, call.SuppressTransaction));
                return result;
            });

            foreach (var (_, statement) in fix.BuilderStatements(_builderMethod))
            {
                fix.InsertCommentsBefore(statement, _comment);
                fix.Add(MigrationSyntax.AppendChainedCall(statement, fix.Text, ".InContractPhase()"));
            }
        }

        /// <summary>
        /// <c>ALTER TABLE t DROP COLUMN a, ADD COLUMN c int</c> → (<c>ALTER TABLE t ADD COLUMN c int</c>, <c>ALTER TABLE t
        /// DROP COLUMN a</c>); null when every action is a drop, or when another action names a dropped column (the
        /// statement then moves as a whole, keeping its order).
        /// </summary>
        private static (string Remaining, string Drops)? SplitDropColumns(SqlStatement statement)
        {
            var actions = statement.Actions;
            var drops = actions.Where(a => a.Kind == AlterTableActionKind.DropColumn).ToList();
            var rest = actions.Where(a => a.Kind != AlterTableActionKind.DropColumn).ToList();
            if (drops.Count == 0 || rest.Count == 0
                || rest.Any(a => a.Column != null && drops.Any(d => string.Equals(d.Column, a.Column, StringComparison.Ordinal))))
            {
                return null;
            }

            // The prefix (ALTER TABLE [IF EXISTS] [ONLY] name) is the text before the first action.
            var first = statement.Text.IndexOf(actions[0].Text, TableEnd(statement), StringComparison.Ordinal);
            if (first < 0)
            {
                return null;
            }

            var prefix = statement.Text.Substring(0, first);
            return (prefix + string.Join(", ", rest.Select(a => a.Text)), prefix + string.Join(", ", drops.Select(a => a.Text)));
        }

        /// <summary>Offset just after the TABLE keyword, where the search for the first action starts.</summary>
        private static int TableEnd(SqlStatement statement)
        {
            foreach (var token in SqlLexer.Tokenize(statement.Text))
            {
                if (token.IsKeyword("table"))
                {
                    return token.End;
                }
            }

            return 0;
        }
    }
}
