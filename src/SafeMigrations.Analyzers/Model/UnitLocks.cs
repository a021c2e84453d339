using System;
using System.Collections.Generic;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Model
{
    /// <summary>PostgreSQL's table lock modes, weakest first.</summary>
    public enum LockMode
    {
        None,
        AccessShare,
        RowShare,
        RowExclusive,
        ShareUpdateExclusive,
        Share,
        ShareRowExclusive,
        Exclusive,
        AccessExclusive,
    }

    /// <summary>What a table lock keeps the application from doing.</summary>
    public enum LockImpact
    {
        /// <summary>Reads and writes go on (ROW EXCLUSIVE, SHARE UPDATE EXCLUSIVE and weaker block only DDL).</summary>
        None,

        /// <summary>Writes wait (SHARE, SHARE ROW EXCLUSIVE, EXCLUSIVE).</summary>
        Writes,

        /// <summary>Reads and writes wait (ACCESS EXCLUSIVE).</summary>
        Reads,
    }

    /// <summary>
    /// The table locks one builder step or one raw statement takes, as measured on PostgreSQL 15 for the SQL Npgsql
    /// generates (docs/transaction-locks.md), and whether it is a long step (scan, build, validation, data change).
    /// Only what is known is listed: an unknown table or statement takes no lock here, so nothing is reported from a guess.
    /// </summary>
    public sealed class UnitLocks
    {
        private static readonly UnitLocks NoLocks = new UnitLocks(Array.Empty<(TableName, LockMode)>(), null, false);

        private UnitLocks(IReadOnlyList<(TableName Table, LockMode Mode)> locks, string? longWork, bool endsTransaction)
        {
            Locks = locks;
            LongWork = longWork;
            EndsTransaction = endsTransaction;
        }

        /// <summary>Each table once, with the strongest mode the unit takes on it.</summary>
        public IReadOnlyList<(TableName Table, LockMode Mode)> Locks { get; }

        /// <summary>What takes long ("index build", "validation scan", "update"...); null for a brief unit.</summary>
        public string? LongWork { get; }

        /// <summary>COMMIT, END or ROLLBACK: the locks taken so far are released after it.</summary>
        public bool EndsTransaction { get; }

        public LockMode ModeOn(TableName table)
        {
            foreach (var (locked, mode) in Locks)
            {
                if (locked == table)
                {
                    return mode;
                }
            }

            return LockMode.None;
        }

        public static LockImpact ImpactOf(LockMode mode) =>
            mode == LockMode.AccessExclusive ? LockImpact.Reads
            : mode >= LockMode.Share ? LockImpact.Writes
            : LockImpact.None;

        /// <summary>ACCESS EXCLUSIVE, SHARE ROW EXCLUSIVE... as PostgreSQL's documentation writes them.</summary>
        public static string Describe(LockMode mode)
        {
            switch (mode)
            {
                case LockMode.AccessShare: return "ACCESS SHARE";
                case LockMode.RowShare: return "ROW SHARE";
                case LockMode.RowExclusive: return "ROW EXCLUSIVE";
                case LockMode.ShareUpdateExclusive: return "SHARE UPDATE EXCLUSIVE";
                case LockMode.Share: return "SHARE";
                case LockMode.ShareRowExclusive: return "SHARE ROW EXCLUSIVE";
                case LockMode.Exclusive: return "EXCLUSIVE";
                case LockMode.AccessExclusive: return "ACCESS EXCLUSIVE";
                default: return "no lock";
            }
        }

        /// <summary>The locks of a builder step that runs in the migration's transaction; <paramref name="principalOf"/> gives the principal table of a foreign key dropped by name, when known.</summary>
        internal static UnitLocks Of(MigrationStep step, Func<MigrationStep, TableName?> principalOf)
        {
            var table = step.Table;
            if (table is null)
            {
                return NoLocks;
            }

            var t = table.Value;
            switch (step.MethodName)
            {
                case "AddColumn":
                case "AlterColumn":
                case "DropColumn":
                case "RenameColumn":
                case "DropIndex":
                case "DropCheckConstraint":
                case "DropPrimaryKey":
                case "DropUniqueConstraint":
                case "DropTable":
                    return Brief((t, LockMode.AccessExclusive));
                case "RenameTable":
                    // Later steps name the table by its new name.
                    var renamed = step.GetString("newName") is { } newName ? new TableName(step.GetString("newSchema") ?? t.Schema, newName) : t;
                    return Brief((t, LockMode.AccessExclusive), (renamed, LockMode.AccessExclusive));
                case "DropForeignKey":
                    // Dropping the constraint drops its triggers on the principal table too: ACCESS EXCLUSIVE on both.
                    return principalOf(step) is { } principal
                        ? Brief((t, LockMode.AccessExclusive), (principal, LockMode.AccessExclusive))
                        : Brief((t, LockMode.AccessExclusive));
                case "AddForeignKey":
                    var locks = new List<(TableName, LockMode)> { (t, LockMode.ShareRowExclusive) };
                    if (step.GetString("principalTable") is { } principalName)
                    {
                        Add(locks, new TableName(step.GetString("principalSchema"), principalName), LockMode.ShareRowExclusive);
                    }

                    return new UnitLocks(locks, "validation scan", false);
                case "AddCheckConstraint":
                    return new UnitLocks(new[] { (t, LockMode.AccessExclusive) }, "validation scan", false);
                case "AddPrimaryKey":
                case "AddUniqueConstraint":
                    return new UnitLocks(new[] { (t, LockMode.AccessExclusive) }, "index build", false);
                case "CreateIndex":
                    return new UnitLocks(new[] { (t, LockMode.Share) }, "index build", false);
                default:
                    return NoLocks;
            }
        }

        /// <summary>The locks of one raw statement (run in a transaction: CONCURRENTLY forms are the caller's concern).</summary>
        internal static UnitLocks Of(SqlStatement statement)
        {
            if (statement.EndsTransaction)
            {
                return new UnitLocks(Array.Empty<(TableName, LockMode)>(), null, true);
            }

            var table = TableName.From(statement.Table);
            switch (statement.Kind)
            {
                case StatementKind.CreateIndex when table is { } indexed && !statement.Concurrently:
                    return new UnitLocks(new[] { (indexed, LockMode.Share) }, "index build", false);
                case StatementKind.Update when table is { } updated && !statement.IsBatched && !statement.TargetsSingleRow:
                    return new UnitLocks(new[] { (updated, LockMode.RowExclusive) }, "update of every matching row", false);
                case StatementKind.Delete when table is { } deleted && !statement.IsBatched && !statement.TargetsSingleRow:
                    return new UnitLocks(new[] { (deleted, LockMode.RowExclusive) }, "delete of every matching row", false);
                case StatementKind.AlterTable when table is { } altered:
                    return OfAlterTable(statement, altered);
                case StatementKind.Truncate:
                case StatementKind.DropTable:
                    return OnEach(statement, LockMode.AccessExclusive, null);
                case StatementKind.Vacuum when statement.Full:
                    return OnEach(statement, LockMode.AccessExclusive, "rewrite");
                case StatementKind.Cluster:
                    return OnEach(statement, LockMode.AccessExclusive, "rewrite");
                case StatementKind.Reindex when !statement.Concurrently:
                    return OnEach(statement, LockMode.Share, "index build");
                case StatementKind.RefreshMaterializedView:
                    return OnEach(statement, statement.Concurrently ? LockMode.Exclusive : LockMode.AccessExclusive, "refresh");
                case StatementKind.LockTable:
                    return OnEach(statement, ParseLockMode(statement.LockMode), null);
                default:
                    return NoLocks;
            }
        }

        private static UnitLocks OfAlterTable(SqlStatement statement, TableName table)
        {
            // One ALTER TABLE takes its strongest subcommand's lock for all of them.
            var mode = LockMode.None;
            string? longWork = null;
            var locks = new List<(TableName, LockMode)>();
            foreach (var action in statement.Actions)
            {
                switch (action.Kind)
                {
                    case AlterTableActionKind.ValidateConstraint:
                        mode = Max(mode, LockMode.ShareUpdateExclusive);
                        longWork = "validation scan";
                        break;
                    case AlterTableActionKind.AddConstraint when action.Constraint == ConstraintKind.ForeignKey:
                        mode = Max(mode, LockMode.ShareRowExclusive);
                        if (TableName.From(action.ReferencedTable) is { } referenced)
                        {
                            Add(locks, referenced, LockMode.ShareRowExclusive);
                        }

                        longWork = action.NotValid ? longWork : "validation scan";
                        break;
                    case AlterTableActionKind.DropConstraint:
                    case AlterTableActionKind.AddColumn:
                    case AlterTableActionKind.DropColumn:
                    case AlterTableActionKind.AlterColumnType:
                    case AlterTableActionKind.SetNotNull:
                    case AlterTableActionKind.DropNotNull:
                    case AlterTableActionKind.SetDefault:
                    case AlterTableActionKind.DropDefault:
                    case AlterTableActionKind.AddConstraint:
                    case AlterTableActionKind.RenameColumn:
                    case AlterTableActionKind.RenameTable:
                    case AlterTableActionKind.RenameConstraint:
                    case AlterTableActionKind.SetSchema:
                    case AlterTableActionKind.AddIdentity:
                    case AlterTableActionKind.SetLogged:
                    case AlterTableActionKind.SetTablespace:
                    case AlterTableActionKind.DetachPartition when !action.Concurrently:
                        mode = LockMode.AccessExclusive;
                        break;
                }
            }

            if (mode == LockMode.None)
            {
                return NoLocks;
            }

            Add(locks, table, mode);
            return new UnitLocks(locks, longWork, false);
        }

        private static UnitLocks OnEach(SqlStatement statement, LockMode mode, string? longWork)
        {
            var locks = new List<(TableName, LockMode)>();
            if (mode != LockMode.None)
            {
                if (TableName.From(statement.Table) is { } table)
                {
                    Add(locks, table, mode);
                }

                foreach (var name in statement.Tables)
                {
                    Add(locks, new TableName(name.Schema, name.Name), mode);
                }
            }

            return locks.Count == 0 ? NoLocks : new UnitLocks(locks, longWork, false);
        }

        private static UnitLocks Brief(params (TableName Table, LockMode Mode)[] locks)
        {
            var distinct = new List<(TableName, LockMode)>();
            foreach (var (table, mode) in locks)
            {
                Add(distinct, table, mode);
            }

            return new UnitLocks(distinct, null, false);
        }

        private static void Add(List<(TableName Table, LockMode Mode)> locks, TableName table, LockMode mode)
        {
            for (var i = 0; i < locks.Count; i++)
            {
                if (locks[i].Table == table)
                {
                    locks[i] = (table, Max(locks[i].Mode, mode));
                    return;
                }
            }

            locks.Add((table, mode));
        }

        private static LockMode Max(LockMode a, LockMode b) => a > b ? a : b;

        /// <summary>LOCK TABLE's IN ... MODE words; absent means ACCESS EXCLUSIVE.</summary>
        private static LockMode ParseLockMode(string? text)
        {
            switch ((text ?? "ACCESS EXCLUSIVE").ToUpperInvariant())
            {
                case "ACCESS SHARE": return LockMode.AccessShare;
                case "ROW SHARE": return LockMode.RowShare;
                case "ROW EXCLUSIVE": return LockMode.RowExclusive;
                case "SHARE UPDATE EXCLUSIVE": return LockMode.ShareUpdateExclusive;
                case "SHARE": return LockMode.Share;
                case "SHARE ROW EXCLUSIVE": return LockMode.ShareRowExclusive;
                case "EXCLUSIVE": return LockMode.Exclusive;
                case "ACCESS EXCLUSIVE": return LockMode.AccessExclusive;
                default: return LockMode.None;
            }
        }
    }
}
