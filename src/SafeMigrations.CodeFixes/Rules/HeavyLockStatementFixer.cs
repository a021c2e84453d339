using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using SafeMigrations.Analyzers;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Rules;
using SafeMigrations.CodeFixes.Infrastructure;
using SafeMigrations.Sql;

namespace SafeMigrations.CodeFixes.Rules
{
    /// <summary>
    /// SM0016: the non-blocking alternative where PostgreSQL has one.
    /// <list type="bullet">
    /// <item><c>REINDEX INDEX|TABLE|SCHEMA|DATABASE</c> → <c>... CONCURRENTLY</c>, alone and outside the transaction (PostgreSQL 12+).</item>
    /// <item><c>REFRESH MATERIALIZED VIEW</c> → <c>... CONCURRENTLY</c>, alone and outside the transaction (needs a unique index on the view).</item>
    /// <item><c>VACUUM FULL</c> → <c>VACUUM (ANALYZE)</c>, alone and outside the transaction (space is reused, not returned: pg_repack for that).</item>
    /// <item><c>CLUSTER t USING i</c> → <c>ALTER TABLE t CLUSTER ON i</c> (records the order for pg_repack; no rewrite).</item>
    /// <item><c>TRUNCATE t</c> → a DELETE in batches of 10 000 rows, each committed, outside the transaction.</item>
    /// <item><c>LOCK TABLE</c> → removed: every statement takes the lock it needs, held only as long as it must be.</item>
    /// <item><c>DETACH PARTITION p</c> → <c>... CONCURRENTLY</c>, alone and outside the transaction (PostgreSQL 14+).</item>
    /// <item><c>VALIDATE CONSTRAINT</c> beside an ACCESS EXCLUSIVE subcommand → moved to its own call after the commit.</item>
    /// </list>
    /// Statements with no online form (<c>SET TABLESPACE</c>, <c>SET LOGGED|UNLOGGED</c>, <c>REINDEX SYSTEM</c>, REINDEX
    /// before PostgreSQL 12, <c>TRUNCATE ... CASCADE|RESTART IDENTITY</c>, <c>REFRESH ... WITH NO DATA</c>, DETACH PARTITION
    /// before PostgreSQL 14, ALTER DOMAIN constraint checks) are kept and
    /// acknowledged with a <c>#pragma</c> whose comment says why.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(HeavyLockStatementFixer)), Shared]
    public sealed class HeavyLockStatementFixer : MigrationFixer
    {
        /// <summary>Rows per committed DELETE batch of a TRUNCATE replacement.</summary>
        public const int DeleteBatchSize = 10_000;

        public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIdentifiers.HeavyLockStatement);

        protected override string Title => "Use the non-blocking form of the statement";

        protected override string EquivalenceKey => RuleIdentifiers.HeavyLockStatement;

        private protected override void Fix(DocumentFix fix)
        {
            var postgresVersion = MigrationOptions.Read(fix.Document.Project.AnalyzerOptions.AnalyzerConfigOptionsProvider.GetOptions(fix.Root.SyntaxTree)).PostgresVersion;
            fix.EditFlaggedStatements((call, statement) => Edit(call, statement, postgresVersion));
        }

        private static StatementEdit Edit(SqlCallRewrite call, SqlStatement statement, int postgresVersion)
        {
            switch (statement.Kind)
            {
                case StatementKind.Reindex when statement.ReindexTarget == "SYSTEM":
                    return Acknowledge(call, statement, "REINDEX SYSTEM has no concurrent form.");
                case StatementKind.Reindex when postgresVersion < 12:
                    return Acknowledge(call, statement, "REINDEX CONCURRENTLY needs PostgreSQL 12 (safe_migrations.postgres_version is " + postgresVersion + "); by hand: CREATE INDEX CONCURRENTLY a copy, DROP INDEX CONCURRENTLY the old one, rename the copy.");
                case StatementKind.Reindex when statement.ReindexTarget is { } target
                                                && SqlText.InsertAfterKeyword(statement.Text, target.ToLowerInvariant(), "CONCURRENTLY") is { } concurrent:
                    return Alone(call, concurrent, "// Rebuilt concurrently, outside the migration's transaction: reads and writes continue during the rebuild.");
                case StatementKind.RefreshMaterializedView when !HasWithNoData(statement)
                                                                && SqlText.InsertAfterKeyword(statement.Text, "view", "CONCURRENTLY") is { } concurrent:
                    return Alone(call, concurrent, "// Refreshed concurrently, outside the migration's transaction: reads of the view continue (needs a unique index on the view, and a populated view).");
                case StatementKind.Vacuum:
                    return Alone(call, PlainVacuum(statement), "// Plain VACUUM instead of VACUUM FULL, outside the transaction: dead rows become reusable without locking the table (the file does not shrink; use pg_repack outside migrations for that).");
                case StatementKind.Cluster:
                    return Cluster(statement);
                case StatementKind.Truncate when !statement.Cascade && !HasRestartIdentity(statement) && statement.Tables.Count > 0:
                    return BatchedDelete(call, statement);
                case StatementKind.LockTable:
                    return new StatementEdit(null, new[]
                    {
                        "// Removed " + Compact(statement.Text) + ": an explicit lock is held until the migration commits and blocks the application for all of it; each statement takes the lock it needs.",
                    });
                case StatementKind.AlterTable when statement.Actions.Any(a => a.Kind == AlterTableActionKind.SetTablespace):
                    return Acknowledge(call, statement, "SET TABLESPACE copies the table under ACCESS EXCLUSIVE; pg_repack --tablespace moves it online, outside migrations.");
                case StatementKind.AlterTable when statement.Actions.Any(a => a.Kind == AlterTableActionKind.SetLogged):
                    return Acknowledge(call, statement, "SET LOGGED/UNLOGGED rewrites the table under ACCESS EXCLUSIVE; the alternative is a new table, a batched copy and a swap.");
                case StatementKind.AlterTable when statement.Actions.Any(a => a.Kind == AlterTableActionKind.DetachPartition) && postgresVersion < 14:
                    return Acknowledge(call, statement, "DETACH PARTITION CONCURRENTLY needs PostgreSQL 14 (safe_migrations.postgres_version is " + postgresVersion + ").");
                case StatementKind.AlterTable when statement.Actions.Count == 1 && statement.Actions[0].Kind == AlterTableActionKind.DetachPartition:
                    return Alone(call, statement.Text.TrimEnd() + " CONCURRENTLY", "// Detached concurrently, outside the migration's transaction: SHARE UPDATE EXCLUSIVE on the parent instead of ACCESS EXCLUSIVE on both tables (not possible while the parent has a default partition).");
                case StatementKind.AlterTable when SplitValidations(call, statement) is { } split:
                    return split;
                case StatementKind.AlterDomain:
                    return Acknowledge(call, statement, "a domain's constraint check takes SHARE locks on every table using the domain and has no online form; NOT VALID + VALIDATE does not avoid it (check each column with a table CHECK constraint NOT VALID, then VALIDATE, instead).");
                case StatementKind.Truncate:
                    return Acknowledge(call, statement, "TRUNCATE ... CASCADE / RESTART IDENTITY has no batched equivalent that keeps its meaning.");
                default:
                    return Acknowledge(call, statement, "this statement takes a lock that blocks the application while it runs.");
            }
        }

        /// <summary>
        /// <c>ALTER TABLE t ADD COLUMN c ..., VALIDATE CONSTRAINT k</c> → the statement without its VALIDATEs, then each
        /// VALIDATE in a call of its own after the commit, where it scans under SHARE UPDATE EXCLUSIVE only. Null when
        /// no VALIDATE shares the statement with an ACCESS EXCLUSIVE subcommand or the actions cannot be located.
        /// </summary>
        private static StatementEdit? SplitValidations(SqlCallRewrite call, SqlStatement statement)
        {
            var removed = new Dictionary<int, string?>();
            var validations = new List<string>();
            for (var i = 0; i < statement.Actions.Count; i++)
            {
                var action = statement.Actions[i];
                if (action.Kind == AlterTableActionKind.ValidateConstraint && action.Name is { } name
                    && HeavyLockStatementAnalyzer.StrongestOtherAction(statement, action) != null)
                {
                    removed[i] = null;
                    validations.Add("ALTER TABLE " + (statement.Only ? "ONLY " : string.Empty) + SqlStatementEdits.Qualify(statement.Table) + " VALIDATE CONSTRAINT " + SqlStatementEdits.Quote(name));
                }
            }

            if (validations.Count == 0 || statement.Table is null || SqlStatementEdits.ReplaceActions(statement, removed) is not { } rest)
            {
                return null;
            }

            return new StatementEdit(rest, after: new[]
            {
                "// Validated after the change above has committed: alone, VALIDATE CONSTRAINT takes SHARE UPDATE EXCLUSIVE and reads and writes continue during the scan.",
                SqlCallRewrite.SqlCode(call.Receiver, validations, suppressTransaction: true),
            });
        }

        private static StatementEdit Acknowledge(SqlCallRewrite call, SqlStatement statement, string reason) =>
            AcknowledgedStatement.Edit(call, statement.Text, RuleIdentifiers.HeavyLockStatement, reason);

        /// <summary>The statement alone in its own call, outside the migration's transaction.</summary>
        private static StatementEdit Alone(SqlCallRewrite call, string sql, string comment) =>
            new StatementEdit(null, new[] { comment, SqlCallRewrite.SqlCode(call.Receiver, new[] { sql }, suppressTransaction: true) });

        /// <summary><c>VACUUM FULL [options] t</c> → <c>VACUUM (ANALYZE) t</c>: the FULL/FREEZE/VERBOSE/ANALYZE words or the option list are replaced.</summary>
        private static string PlainVacuum(SqlStatement statement)
        {
            var tokens = SqlStatementEdits.Tokens(statement.Text);
            var i = 1;
            if (i < tokens.Count && tokens[i].Kind == SqlTokenKind.OpenParen)
            {
                i = SqlStatementEdits.SkipGroup(tokens, i);
            }
            else
            {
                while (i < tokens.Count && (tokens[i].IsKeyword("full") || tokens[i].IsKeyword("freeze") || tokens[i].IsKeyword("verbose")
                                            || tokens[i].IsKeyword("analyze") || tokens[i].IsKeyword("analyse")))
                {
                    i++;
                }
            }

            var rest = i < tokens.Count ? statement.Text.Substring(tokens[i].Offset).Trim() : string.Empty;
            return "VACUUM (ANALYZE)" + (rest.Length > 0 ? " " + rest : string.Empty);
        }

        /// <summary>
        /// <c>CLUSTER t USING i</c> → <c>ALTER TABLE t CLUSTER ON i</c>: records the index to order by (what CLUSTER also
        /// records), under SHARE UPDATE EXCLUSIVE and without the rewrite. Without an index, nothing is left to keep.
        /// </summary>
        private static StatementEdit Cluster(SqlStatement statement)
        {
            const string Why = "// CLUSTER rewrites the table under ACCESS EXCLUSIVE; reorder it online with pg_repack, outside migrations.";
            if (statement.Table is { } table && statement.Index is { } index)
            {
                return new StatementEdit("ALTER TABLE " + SqlStatementEdits.Qualify(table) + " CLUSTER ON " + SqlStatementEdits.Quote(index.Name), new[] { Why });
            }

            return new StatementEdit(null, new[] { Why + " (Removed " + Compact(statement.Text) + ".)" });
        }

        /// <summary>
        /// <c>TRUNCATE a, b</c> → per table a DO block that deletes <see cref="DeleteBatchSize"/> rows at a time and commits
        /// each batch; outside the migration's transaction (a DO block may commit only there). Same rows left (none); DELETE
        /// triggers fire, where TRUNCATE fires TRUNCATE triggers.
        /// </summary>
        private static StatementEdit BatchedDelete(SqlCallRewrite call, SqlStatement statement)
        {
            var lines = new List<string> { "// Backfill: delete the rows in committed batches instead of TRUNCATE's ACCESS EXCLUSIVE lock; reads and writes continue." };
            foreach (var table in statement.Tables)
            {
                var name = (statement.Only ? "ONLY " : string.Empty) + SqlStatementEdits.Qualify(table);
                var sql = "DO $batches$\nBEGIN\n    LOOP\n        DELETE FROM " + name + " WHERE ctid = ANY (ARRAY(SELECT ctid FROM " + name + " LIMIT "
                          + DeleteBatchSize + "));\n        EXIT WHEN NOT FOUND;\n        COMMIT;\n    END LOOP;\nEND\n$batches$";
                lines.Add(SqlCallRewrite.SqlCode(call.Receiver, new[] { sql }, suppressTransaction: true));
            }

            return new StatementEdit(null, lines);
        }

        private static bool HasRestartIdentity(SqlStatement statement) =>
            SqlStatementEdits.Tokens(statement.Text).Any(t => t.IsKeyword("restart"));

        private static bool HasWithNoData(SqlStatement statement)
        {
            var tokens = SqlStatementEdits.Tokens(statement.Text);
            for (var i = 0; i + 1 < tokens.Count; i++)
            {
                if (tokens[i].IsKeyword("no") && tokens[i + 1].IsKeyword("data"))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The statement on one line, for a comment.</summary>
        private static string Compact(string sql) => string.Join(" ", sql.Split(new[] { ' ', '\t', '\r', '\n' }, System.StringSplitOptions.RemoveEmptyEntries));
    }
}
