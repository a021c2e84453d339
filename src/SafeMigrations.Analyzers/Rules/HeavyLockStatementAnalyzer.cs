using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Infrastructure;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>
    /// SM0016: raw maintenance statements that lock a table for reads or writes for as long as they run or rewrite it:
    /// LOCK TABLE (SHARE or stronger), VACUUM FULL, CLUSTER, REINDEX without CONCURRENTLY, TRUNCATE,
    /// REFRESH MATERIALIZED VIEW without CONCURRENTLY, ALTER TABLE ... SET TABLESPACE / SET [UN]LOGGED, DETACH PARTITION
    /// without CONCURRENTLY, VALIDATE CONSTRAINT in one ALTER TABLE with an ACCESS EXCLUSIVE subcommand, and ALTER DOMAIN
    /// ADD CONSTRAINT / SET NOT NULL / VALIDATE CONSTRAINT (they check every column of the domain under SHARE locks).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class HeavyLockStatementAnalyzer : MigrationRuleAnalyzer
    {
        public static readonly DiagnosticDescriptor Rule = RuleDescriptors.Create(
            RuleIdentifiers.HeavyLockStatement,
            title: "Avoid statements that take heavy locks or rewrite tables",
            messageFormat: "{0} takes {1}, which blocks {2}; {3}",
            category: RuleCategories.Locking,
            description: "LOCK TABLE in SHARE mode or stronger, VACUUM FULL, CLUSTER, REINDEX without CONCURRENTLY, TRUNCATE, REFRESH MATERIALIZED VIEW without CONCURRENTLY, ALTER TABLE ... SET TABLESPACE / SET LOGGED / SET UNLOGGED / DETACH PARTITION without CONCURRENTLY, VALIDATE CONSTRAINT combined with an ACCESS EXCLUSIVE subcommand, and ALTER DOMAIN ... ADD CONSTRAINT / SET NOT NULL / VALIDATE CONSTRAINT hold a lock that blocks the application's writes (or all its queries) for as long as they run, and several rewrite the whole table. Use the concurrent form where there is one, an online tool such as pg_repack outside migrations, or batched DML.");

        private const string BlocksEverything = "every query on it, reads included, until it is released";

        private const string DomainLocks = "a SHARE lock on every table that has a column of the domain while it checks all their rows, held until the migration commits";

        private const string DomainBlocks = "every INSERT, UPDATE and DELETE on those tables (reads proceed)";

        private const string DomainInstead = "NOT VALID + VALIDATE does not help on a domain (ALTER DOMAIN ... VALIDATE CONSTRAINT scans under the same SHARE locks): add the domain constraint NOT VALID, which checks only new and updated values, and check the existing rows with a CHECK constraint on each table's column (ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT, which takes only SHARE UPDATE EXCLUSIVE)";

        // Modes that conflict with ROW EXCLUSIVE (INSERT/UPDATE/DELETE) or with ACCESS SHARE (SELECT).
        private static readonly Dictionary<string, string> BlockingLockModes = new Dictionary<string, string>
        {
            ["SHARE"] = "every INSERT, UPDATE and DELETE on it (reads proceed)",
            ["SHARE ROW EXCLUSIVE"] = "every INSERT, UPDATE and DELETE on it (reads proceed)",
            ["EXCLUSIVE"] = "every write and SELECT ... FOR UPDATE/SHARE on it (only plain reads proceed)",
            ["ACCESS EXCLUSIVE"] = "every query on it, reads included",
        };

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        protected override RuleExemptions Exemptions => RuleExemptions.LockHazard;

        protected override void Analyze(MigrationContext context)
        {
            foreach (var statement in context.Model.SqlStatements())
            {
                var sql = statement.Statement;
                switch (sql.Kind)
                {
                    case StatementKind.LockTable:
                        CheckLock(context, statement);
                        break;
                    case StatementKind.Vacuum when sql.Full:
                        ReportPerTable(
                            context,
                            statement,
                            tables => "VACUUM FULL of " + tables,
                            "VACUUM FULL of every table of the database",
                            "an ACCESS EXCLUSIVE lock on each table while it rewrites it",
                            BlocksEverything,
                            "reclaim space online with pg_repack, outside migrations, or let plain VACUUM (not FULL) run; VACUUM cannot run inside a transaction block anyway");
                        break;
                    case StatementKind.Cluster:
                        ReportPerTable(
                            context,
                            statement,
                            tables => "CLUSTER of " + tables,
                            "CLUSTER of every previously clustered table",
                            "an ACCESS EXCLUSIVE lock on the table while it rewrites it in index order",
                            BlocksEverything,
                            "reorder the table online with pg_repack, outside migrations");
                        break;
                    case StatementKind.Reindex when !sql.Concurrently && sql.ReindexTarget != null:
                        CheckReindex(context, statement);
                        break;
                    case StatementKind.Truncate when !TruncatesTablesUpCreated(context, sql):
                        ReportPerTable(
                            context,
                            statement,
                            tables => "TRUNCATE of " + tables + (sql.Cascade ? " CASCADE" : string.Empty),
                            null,
                            "an ACCESS EXCLUSIVE lock on the table" + (sql.Cascade ? " and on every table referencing it" : string.Empty) + " until the migration commits",
                            BlocksEverything,
                            "on a live table, delete the rows in keyset batches instead (DELETE ... WHERE id IN (SELECT id ... ORDER BY id LIMIT n)), each batch in its own transaction");
                        break;
                    case StatementKind.RefreshMaterializedView when !sql.Concurrently && !ViewCreatedBefore(context, statement):
                        ReportPerTable(
                            context,
                            statement,
                            view => "REFRESH MATERIALIZED VIEW " + view,
                            null,
                            "an ACCESS EXCLUSIVE lock on the view for the whole refresh",
                            "every read of the view until the refresh commits",
                            "use REFRESH MATERIALIZED VIEW CONCURRENTLY (it needs a unique index on the view, and a view that is already populated)");
                        break;
                    case StatementKind.AlterTable:
                        CheckAlterTable(context, statement);
                        break;
                    case StatementKind.AlterDomain:
                        CheckAlterDomain(context, statement);
                        break;
                }
            }
        }

        private static void CheckLock(MigrationContext context, StepStatement statement)
        {
            var mode = statement.Statement.LockMode ?? "ACCESS EXCLUSIVE";
            if (!BlockingLockModes.TryGetValue(mode, out var blocks))
            {
                // ACCESS SHARE, ROW SHARE, ROW EXCLUSIVE, SHARE UPDATE EXCLUSIVE (or a mode we cannot read) block neither reads nor writes.
                return;
            }

            ReportPerTable(
                context,
                statement,
                tables => "LOCK TABLE " + tables + " IN " + mode + " MODE",
                null,
                (mode[0] == 'A' || mode[0] == 'E' ? "an " : "a ") + mode + " lock on the table until the migration commits",
                blocks,
                "do not lock tables explicitly in a migration; if a step really needs the lock, keep it alone in a short transaction behind a lock_timeout");
        }

        private static void CheckReindex(MigrationContext context, StepStatement statement)
        {
            var sql = statement.Statement;
            var target = sql.ReindexTarget!;
            string what;
            string locks;
            switch (target)
            {
                case "INDEX":
                    what = "REINDEX INDEX '" + (sql.Index?.ToString() ?? "?") + "'";
                    locks = "a SHARE lock on the index's table and an ACCESS EXCLUSIVE lock on the index for the whole rebuild";
                    break;
                case "TABLE":
                    what = "REINDEX TABLE '" + (sql.Table?.ToString() ?? "?") + "'";
                    locks = "a SHARE lock on the table and an ACCESS EXCLUSIVE lock on each of its indexes for the whole rebuild";
                    break;
                default:
                    what = "REINDEX " + target + (sql.ObjectName is null ? string.Empty : " '" + sql.ObjectName + "'");
                    locks = "a SHARE lock on each table and an ACCESS EXCLUSIVE lock on each of its indexes while they are rebuilt";
                    break;
            }

            const string Blocks = "every write to the table and every query that would use the index";
            string instead;
            if (target == "SYSTEM")
            {
                instead = "REINDEX SYSTEM has no concurrent form: run it outside migrations, in a maintenance window";
            }
            else if (context.Options.PostgresVersion < 12)
            {
                instead = "PostgreSQL " + context.Options.PostgresVersion.ToString(CultureInfo.InvariantCulture)
                    + " (safe_migrations.postgres_version) has no REINDEX CONCURRENTLY, which needs PostgreSQL 12: create a replacement index CONCURRENTLY, drop the old one CONCURRENTLY and rename the new one";
            }
            else
            {
                instead = "use REINDEX " + target + " CONCURRENTLY, alone in migrationBuilder.Sql(\"...\", suppressTransaction: true)";
            }

            context.Report(Rule, statement, what, locks, Blocks, instead);
        }

        private static void CheckAlterTable(MigrationContext context, StepStatement statement)
        {
            var sql = statement.Statement;
            var table = "'" + (sql.Table?.ToString() ?? "?") + "'";
            var validatedUnderAdd = new HashSet<AlterTableAction>();
            if (sql.Actions.Count > 1)
            {
                foreach (var found in ValidationUnderAddLock.Find(context.Model))
                {
                    // SM0008/SM0009 already report a VALIDATE of a constraint added NOT VALID in the same transaction.
                    validatedUnderAdd.Add(found.ValidateAction);
                }
            }

            foreach (var action in sql.Actions)
            {
                if (action.Kind == AlterTableActionKind.SetTablespace)
                {
                    context.Report(
                        Rule,
                        statement,
                        action,
                        "ALTER TABLE " + table + " SET TABLESPACE",
                        "an ACCESS EXCLUSIVE lock on the table while it copies it to the new tablespace",
                        BlocksEverything,
                        "move it online with pg_repack --tablespace, outside migrations");
                }
                else if (action.Kind == AlterTableActionKind.SetLogged)
                {
                    context.Report(
                        Rule,
                        statement,
                        action,
                        "ALTER TABLE " + table + (action.Unlogged ? " SET UNLOGGED" : " SET LOGGED"),
                        "an ACCESS EXCLUSIVE lock on the table while it rewrites it" + (action.Unlogged ? string.Empty : " (and writes all of it to WAL)"),
                        BlocksEverything,
                        "there is no online form: create a new table with the wanted persistence, copy the rows in batches and swap, or do it in a maintenance window");
                }
                else if (action.Kind == AlterTableActionKind.DetachPartition && !action.Concurrently && !action.Finalize)
                {
                    context.Report(
                        Rule,
                        statement,
                        action,
                        "ALTER TABLE " + table + " DETACH PARTITION '" + (action.Partition?.ToString() ?? "?") + "'",
                        "an ACCESS EXCLUSIVE lock on the parent table and on the partition until the migration commits",
                        "every query on both, reads included, until it is released",
                        context.Options.PostgresVersion < 14
                            ? "PostgreSQL " + context.Options.PostgresVersion.ToString(CultureInfo.InvariantCulture) + " (safe_migrations.postgres_version) has no DETACH PARTITION CONCURRENTLY, which needs PostgreSQL 14: keep the detach alone in a short transaction behind a lock_timeout"
                            : "use DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+; SHARE UPDATE EXCLUSIVE on the parent; not possible while the parent has a default partition), alone in migrationBuilder.Sql(\"...\", suppressTransaction: true): it cannot run in a transaction block");
                }
                else if (action.Kind == AlterTableActionKind.ValidateConstraint && StrongestOtherAction(sql, action) is { } other
                         && !validatedUnderAdd.Contains(action))
                {
                    context.Report(
                        Rule,
                        statement,
                        action,
                        "ALTER TABLE " + table + " VALIDATE CONSTRAINT " + (action.Name ?? "?") + " in one statement with " + other,
                        "the statement's strongest lock, ACCESS EXCLUSIVE on the table, for the whole validation scan",
                        BlocksEverything,
                        "validate in its own statement after the other change has committed: ALTER TABLE " + (sql.Table?.ToString() ?? "?") + " VALIDATE CONSTRAINT " + (action.Name ?? "?") + " alone in migrationBuilder.Sql(\"...\", suppressTransaction: true), where it takes only SHARE UPDATE EXCLUSIVE");
                }
            }
        }

        /// <summary>
        /// Another action of the same ALTER TABLE that takes ACCESS EXCLUSIVE (the VALIDATE then scans under it), named
        /// the way it is written; null when every other action takes a weaker lock or is not understood.
        /// </summary>
        internal static string? StrongestOtherAction(SqlStatement sql, AlterTableAction validate)
        {
            foreach (var action in sql.Actions)
            {
                if (ReferenceEquals(action, validate))
                {
                    continue;
                }

                switch (action.Kind)
                {
                    case AlterTableActionKind.AddColumn: return "ADD COLUMN";
                    case AlterTableActionKind.DropColumn: return "DROP COLUMN";
                    case AlterTableActionKind.AlterColumnType: return "ALTER COLUMN ... TYPE";
                    case AlterTableActionKind.SetNotNull: return "SET NOT NULL";
                    case AlterTableActionKind.DropNotNull: return "DROP NOT NULL";
                    case AlterTableActionKind.SetDefault: return "SET DEFAULT";
                    case AlterTableActionKind.DropDefault: return "DROP DEFAULT";
                    case AlterTableActionKind.DropConstraint: return "DROP CONSTRAINT";
                    case AlterTableActionKind.RenameColumn: return "RENAME COLUMN";
                    case AlterTableActionKind.RenameTable: return "RENAME TO";
                    case AlterTableActionKind.SetSchema: return "SET SCHEMA";
                    case AlterTableActionKind.AddIdentity: return "ADD GENERATED ... AS IDENTITY";
                    case AlterTableActionKind.SetLogged: return action.Unlogged ? "SET UNLOGGED" : "SET LOGGED";
                    case AlterTableActionKind.SetTablespace: return "SET TABLESPACE";
                    // ADD FOREIGN KEY takes SHARE ROW EXCLUSIVE; every other table constraint ACCESS EXCLUSIVE.
                    case AlterTableActionKind.AddConstraint when action.Constraint != ConstraintKind.ForeignKey && action.Constraint != ConstraintKind.None:
                        return "ADD CONSTRAINT";
                }
            }

            return null;
        }

        private static void CheckAlterDomain(MigrationContext context, StepStatement statement)
        {
            var sql = statement.Statement;
            var domain = "ALTER DOMAIN '" + (sql.ObjectName?.ToString() ?? "?") + "'";
            foreach (var action in sql.Actions)
            {
                switch (action.Kind)
                {
                    case AlterTableActionKind.AddConstraint when !action.NotValid:
                        context.Report(Rule, statement, domain + " ADD " + (action.Constraint == ConstraintKind.NotNull ? "NOT NULL" : "CONSTRAINT") + Named(action), DomainLocks, DomainBlocks, DomainInstead);
                        break;
                    case AlterTableActionKind.SetNotNull:
                        context.Report(Rule, statement, domain + " SET NOT NULL", DomainLocks, DomainBlocks, DomainInstead.Replace("add the domain constraint NOT VALID", "add CHECK (VALUE IS NOT NULL) to the domain NOT VALID instead of SET NOT NULL"));
                        break;
                    case AlterTableActionKind.ValidateConstraint:
                        context.Report(
                            Rule,
                            statement,
                            domain + " VALIDATE CONSTRAINT " + (action.Name ?? "?"),
                            DomainLocks,
                            DomainBlocks,
                            "unlike a table's, a domain's VALIDATE CONSTRAINT blocks writes: leave the domain constraint NOT VALID (it already checks new and updated values) and check the existing rows with a CHECK constraint on each table's column (ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT, which takes only SHARE UPDATE EXCLUSIVE)");
                        break;
                }
            }
        }

        private static string Named(AlterTableAction action) => action.Name is null ? string.Empty : " " + action.Name;

        /// <summary>
        /// One diagnostic per statement naming each table that no exemption covers (TRUNCATE new_table, orders names
        /// orders only). A statement that names no table (VACUUM FULL; CLUSTER;) works on the whole database.
        /// </summary>
        private static void ReportPerTable(
            MigrationContext context,
            StepStatement statement,
            System.Func<string, string> what,
            string? whatWithoutTables,
            string locks,
            string blocks,
            string instead)
        {
            var sql = statement.Statement;
            if (sql.Table is null && sql.Tables.Count == 0)
            {
                if (whatWithoutTables != null)
                {
                    context.Report(Rule, statement, whatWithoutTables, locks, blocks, instead);
                }

                return;
            }

            var live = StatementTables.NotExempt(context, statement);
            if (live.Count == 0)
            {
                return;
            }

            var names = new List<string>();
            foreach (var (table, _) in live)
            {
                names.Add(table.ToString());
            }

            context.Report(Rule, live[0].Statement, what(StatementTables.Quote(names)), locks, blocks, instead);
        }

        /// <summary>In <c>Down</c>: TRUNCATE of tables that the same migration's <c>Up</c> created (emptying what Up made).</summary>
        private static bool TruncatesTablesUpCreated(MigrationContext context, SqlStatement truncate)
        {
            if (!context.IsDown || context.UpModel is null || truncate.Tables.Count == 0)
            {
                return false;
            }

            var created = new HashSet<TableName>(context.UpModel.CreatedTables);
            foreach (var name in truncate.Tables)
            {
                if (!created.Contains(new TableName(name.Schema, name.Name)))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>CREATE MATERIALIZED VIEW earlier in the same method: nothing reads the view yet.</summary>
        private static bool ViewCreatedBefore(MigrationContext context, StepStatement refresh)
        {
            if (TableName.From(refresh.Statement.Table) is not { } view)
            {
                return false;
            }

            foreach (var earlier in context.Model.SqlStatements())
            {
                if (earlier.Step.Index > refresh.Step.Index
                    || (earlier.Step.Index == refresh.Step.Index && earlier.StatementIndex >= refresh.StatementIndex))
                {
                    break;
                }

                if (earlier.Statement.Kind == StatementKind.CreateView && TableName.From(earlier.Statement.Table) == view)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
