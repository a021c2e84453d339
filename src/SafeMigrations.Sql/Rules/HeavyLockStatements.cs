using System;
using System.Collections.Generic;
using System.Globalization;

namespace SafeMigrations.Sql.Rules
{
    /// <summary>
    /// One SM0016 judgement of a statement, before the caller's exemptions: what it is, the lock it takes, what that
    /// blocks, what to do instead. Statements over a table list (LOCK, VACUUM FULL, CLUSTER, TRUNCATE, REFRESH) name
    /// their tables through <see cref="WhatOfTables"/>, so a caller can leave out tables it exempts.
    /// </summary>
    public sealed class HeavyLockJudgement
    {
        internal HeavyLockJudgement(string? what, Func<string, string>? whatOfTables, string? whatWithoutTables, AlterTableAction? action, string locks, string blocks, string instead)
        {
            What = what;
            WhatOfTables = whatOfTables;
            WhatWithoutTables = whatWithoutTables;
            Action = action;
            Locks = locks;
            Blocks = blocks;
            Instead = instead;
        }

        /// <summary>What the statement is, for a statement that is not judged per table; null otherwise.</summary>
        public string? What { get; }

        /// <summary>What the statement is, given its (quoted, comma-separated) tables; null when not judged per table.</summary>
        public Func<string, string>? WhatOfTables { get; }

        /// <summary>What a per-table statement naming no table is (VACUUM FULL; CLUSTER;), or null when such a form is fine.</summary>
        public string? WhatWithoutTables { get; }

        /// <summary>The ALTER TABLE action judged, or null.</summary>
        public AlterTableAction? Action { get; }

        public string Locks { get; }

        public string Blocks { get; }

        public string Instead { get; }
    }

    /// <summary>
    /// SM0016: raw maintenance statements that lock a table for reads or writes for as long as they run or rewrite it:
    /// LOCK TABLE (SHARE or stronger), VACUUM FULL, CLUSTER, REINDEX without CONCURRENTLY, TRUNCATE,
    /// REFRESH MATERIALIZED VIEW without CONCURRENTLY, ALTER TABLE ... SET TABLESPACE / SET [UN]LOGGED, DETACH PARTITION
    /// without CONCURRENTLY, VALIDATE CONSTRAINT in one ALTER TABLE with an ACCESS EXCLUSIVE subcommand, and ALTER DOMAIN
    /// ADD CONSTRAINT / SET NOT NULL / VALIDATE CONSTRAINT (they check every column of the domain under SHARE locks).
    /// </summary>
    public static class HeavyLockStatements
    {
        public static readonly StatementRule Rule = new StatementRule(
            "SM0016",
            title: "Avoid statements that take heavy locks or rewrite tables",
            messageFormat: "{0} takes {1}, which blocks {2}; {3}",
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

        /// <summary>Every SM0016 judgement of <paramref name="sql"/> for a server of <paramref name="postgresVersion"/> (major).</summary>
        public static IEnumerable<HeavyLockJudgement> Judge(SqlStatement sql, int postgresVersion)
        {
            switch (sql.Kind)
            {
                case StatementKind.LockTable:
                    var mode = sql.LockMode ?? "ACCESS EXCLUSIVE";
                    // ACCESS SHARE, ROW SHARE, ROW EXCLUSIVE, SHARE UPDATE EXCLUSIVE (or a mode we cannot read) block neither reads nor writes.
                    if (BlockingLockModes.TryGetValue(mode, out var blocks))
                    {
                        yield return PerTable(
                            tables => "LOCK TABLE " + tables + " IN " + mode + " MODE",
                            null,
                            (mode[0] == 'A' || mode[0] == 'E' ? "an " : "a ") + mode + " lock on the table until the migration commits",
                            blocks,
                            "do not lock tables explicitly in a migration; if a step really needs the lock, keep it alone in a short transaction behind a lock_timeout");
                    }

                    break;
                case StatementKind.Vacuum when sql.Full:
                    yield return PerTable(
                        tables => "VACUUM FULL of " + tables,
                        "VACUUM FULL of every table of the database",
                        "an ACCESS EXCLUSIVE lock on each table while it rewrites it",
                        BlocksEverything,
                        "reclaim space online with pg_repack, outside migrations, or let plain VACUUM (not FULL) run; VACUUM cannot run inside a transaction block anyway");
                    break;
                case StatementKind.Cluster:
                    yield return PerTable(
                        tables => "CLUSTER of " + tables,
                        "CLUSTER of every previously clustered table",
                        "an ACCESS EXCLUSIVE lock on the table while it rewrites it in index order",
                        BlocksEverything,
                        "reorder the table online with pg_repack, outside migrations");
                    break;
                case StatementKind.Reindex when !sql.Concurrently && sql.ReindexTarget != null:
                    yield return Reindex(sql, postgresVersion);
                    break;
                case StatementKind.Truncate:
                    yield return PerTable(
                        tables => "TRUNCATE of " + tables + (sql.Cascade ? " CASCADE" : string.Empty),
                        null,
                        "an ACCESS EXCLUSIVE lock on the table" + (sql.Cascade ? " and on every table referencing it" : string.Empty) + " until the migration commits",
                        BlocksEverything,
                        "on a live table, delete the rows in keyset batches instead (DELETE ... WHERE id IN (SELECT id ... ORDER BY id LIMIT n)), each batch in its own transaction");
                    break;
                case StatementKind.RefreshMaterializedView when !sql.Concurrently:
                    yield return PerTable(
                        view => "REFRESH MATERIALIZED VIEW " + view,
                        null,
                        "an ACCESS EXCLUSIVE lock on the view for the whole refresh",
                        "every read of the view until the refresh commits",
                        "use REFRESH MATERIALIZED VIEW CONCURRENTLY (it needs a unique index on the view, and a view that is already populated)");
                    break;
                case StatementKind.AlterTable:
                    foreach (var judgement in AlterTable(sql, postgresVersion))
                    {
                        yield return judgement;
                    }

                    break;
                case StatementKind.AlterDomain:
                    foreach (var judgement in AlterDomain(sql))
                    {
                        yield return judgement;
                    }

                    break;
            }
        }

        /// <summary>The judgement as a finding on the whole statement, naming all its tables (what the engine reports).</summary>
        public static StatementFinding ToFinding(SqlStatement sql, HeavyLockJudgement judgement)
        {
            var names = new List<string>();
            foreach (var table in sql.Tables.Count > 0 ? sql.Tables : sql.Table is null ? new QualifiedName[0] : new[] { sql.Table })
            {
                names.Add("'" + table + "'");
            }

            var what = judgement.What
                ?? (names.Count == 0 ? judgement.WhatWithoutTables ?? "?" : judgement.WhatOfTables!(string.Join(", ", names)));
            return new StatementFinding(Rule, sql, judgement.Action, SafeRewrite.None, what, judgement.Locks, judgement.Blocks, judgement.Instead);
        }

        private static HeavyLockJudgement PerTable(Func<string, string> what, string? whatWithoutTables, string locks, string blocks, string instead) =>
            new HeavyLockJudgement(null, what, whatWithoutTables, null, locks, blocks, instead);

        private static HeavyLockJudgement Reindex(SqlStatement sql, int postgresVersion)
        {
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
            else if (postgresVersion < 12)
            {
                instead = "PostgreSQL " + postgresVersion.ToString(CultureInfo.InvariantCulture)
                    + " (safe_migrations.postgres_version) has no REINDEX CONCURRENTLY, which needs PostgreSQL 12: create a replacement index CONCURRENTLY, drop the old one CONCURRENTLY and rename the new one";
            }
            else
            {
                instead = "use REINDEX " + target + " CONCURRENTLY, alone in migrationBuilder.Sql(\"...\", suppressTransaction: true)";
            }

            return new HeavyLockJudgement(what, null, null, null, locks, Blocks, instead);
        }

        private static IEnumerable<HeavyLockJudgement> AlterTable(SqlStatement sql, int postgresVersion)
        {
            var table = "'" + (sql.Table?.ToString() ?? "?") + "'";
            foreach (var action in sql.Actions)
            {
                if (action.Kind == AlterTableActionKind.SetTablespace)
                {
                    yield return new HeavyLockJudgement(
                        "ALTER TABLE " + table + " SET TABLESPACE",
                        null,
                        null,
                        action,
                        "an ACCESS EXCLUSIVE lock on the table while it copies it to the new tablespace",
                        BlocksEverything,
                        "move it online with pg_repack --tablespace, outside migrations");
                }
                else if (action.Kind == AlterTableActionKind.SetLogged)
                {
                    yield return new HeavyLockJudgement(
                        "ALTER TABLE " + table + (action.Unlogged ? " SET UNLOGGED" : " SET LOGGED"),
                        null,
                        null,
                        action,
                        "an ACCESS EXCLUSIVE lock on the table while it rewrites it" + (action.Unlogged ? string.Empty : " (and writes all of it to WAL)"),
                        BlocksEverything,
                        "there is no online form: create a new table with the wanted persistence, copy the rows in batches and swap, or do it in a maintenance window");
                }
                else if (action.Kind == AlterTableActionKind.DetachPartition && !action.Concurrently && !action.Finalize)
                {
                    yield return new HeavyLockJudgement(
                        "ALTER TABLE " + table + " DETACH PARTITION '" + (action.Partition?.ToString() ?? "?") + "'",
                        null,
                        null,
                        action,
                        "an ACCESS EXCLUSIVE lock on the parent table and on the partition until the migration commits",
                        "every query on both, reads included, until it is released",
                        postgresVersion < 14
                            ? "PostgreSQL " + postgresVersion.ToString(CultureInfo.InvariantCulture) + " (safe_migrations.postgres_version) has no DETACH PARTITION CONCURRENTLY, which needs PostgreSQL 14: keep the detach alone in a short transaction behind a lock_timeout"
                            : "use DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+; SHARE UPDATE EXCLUSIVE on the parent; not possible while the parent has a default partition), alone in migrationBuilder.Sql(\"...\", suppressTransaction: true): it cannot run in a transaction block");
                }
                else if (action.Kind == AlterTableActionKind.ValidateConstraint && StrongestOtherAction(sql, action) is { } other)
                {
                    yield return new HeavyLockJudgement(
                        "ALTER TABLE " + table + " VALIDATE CONSTRAINT " + (action.Name ?? "?") + " in one statement with " + other,
                        null,
                        null,
                        action,
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
        public static string? StrongestOtherAction(SqlStatement sql, AlterTableAction validate)
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

        private static IEnumerable<HeavyLockJudgement> AlterDomain(SqlStatement sql)
        {
            var domain = "ALTER DOMAIN '" + (sql.ObjectName?.ToString() ?? "?") + "'";
            foreach (var action in sql.Actions)
            {
                switch (action.Kind)
                {
                    case AlterTableActionKind.AddConstraint when !action.NotValid:
                        yield return new HeavyLockJudgement(domain + " ADD " + (action.Constraint == ConstraintKind.NotNull ? "NOT NULL" : "CONSTRAINT") + Named(action), null, null, null, DomainLocks, DomainBlocks, DomainInstead);
                        break;
                    case AlterTableActionKind.SetNotNull:
                        yield return new HeavyLockJudgement(domain + " SET NOT NULL", null, null, null, DomainLocks, DomainBlocks, DomainInstead.Replace("add the domain constraint NOT VALID", "add CHECK (VALUE IS NOT NULL) to the domain NOT VALID instead of SET NOT NULL"));
                        break;
                    case AlterTableActionKind.ValidateConstraint:
                        yield return new HeavyLockJudgement(
                            domain + " VALIDATE CONSTRAINT " + (action.Name ?? "?"),
                            null,
                            null,
                            null,
                            DomainLocks,
                            DomainBlocks,
                            "unlike a table's, a domain's VALIDATE CONSTRAINT blocks writes: leave the domain constraint NOT VALID (it already checks new and updated values) and check the existing rows with a CHECK constraint on each table's column (ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT, which takes only SHARE UPDATE EXCLUSIVE)");
                        break;
                }
            }
        }

        private static string Named(AlterTableAction action) => action.Name is null ? string.Empty : " " + action.Name;
    }
}
