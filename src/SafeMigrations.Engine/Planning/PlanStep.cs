using System.Collections.Generic;
using SafeMigrations.Engine.Backfill;

namespace SafeMigrations.Engine.Planning
{
    /// <summary>How a step is run.</summary>
    public enum StepTransaction
    {
        /// <summary>Its own short transaction with <c>SET LOCAL lock_timeout</c>, retried with jittered back-off on lock timeouts.</summary>
        Own,

        /// <summary>Outside any transaction (CONCURRENTLY): reads and writes go on; a lock_timeout bounds its lock wait.</summary>
        None,

        /// <summary>Keyset batches, each its own short transaction; resumable from the last committed batch.</summary>
        Batched,
    }

    /// <summary>
    /// A batched keyset step: a backfill (<c>UPDATE table SET set WHERE where</c>) or a batched delete
    /// (<c>DELETE FROM table WHERE where</c>), run in key order.
    /// </summary>
    public sealed class BackfillSpec
    {
        /// <summary>Creates a backfill spec.</summary>
        public BackfillSpec(string? schema, string table, string set, string where, int? batchSize, IReadOnlyList<string>? keyColumns)
            : this(KeysetStatementKind.Update, schema, table, set, where, batchSize, keyColumns)
        {
        }

        private BackfillSpec(KeysetStatementKind kind, string? schema, string table, string set, string where, int? batchSize, IReadOnlyList<string>? keyColumns)
        {
            StatementKind = kind;
            Schema = schema;
            Table = table;
            Set = set;
            Where = where;
            BatchSize = batchSize;
            KeyColumns = keyColumns;
        }

        /// <summary>Creates a batched delete spec: the rows matching <paramref name="where"/> are deleted batch by batch.</summary>
        public static BackfillSpec Delete(string? schema, string table, string where, int? batchSize, IReadOnlyList<string>? keyColumns)
            => new BackfillSpec(KeysetStatementKind.Delete, schema, table, string.Empty, where, batchSize, keyColumns);

        /// <summary>What each batch runs: UPDATE (a backfill) or DELETE.</summary>
        public KeysetStatementKind StatementKind { get; }

        /// <summary>Schema, or null for the search_path.</summary>
        public string? Schema { get; }

        /// <summary>Table name (unquoted).</summary>
        public string Table { get; }

        /// <summary>The SET list (empty for a delete).</summary>
        public string Set { get; }

        /// <summary>True for rows still to do (to update, or to delete); the step is complete when none matches.</summary>
        public string Where { get; }

        /// <summary>First batch size, or null for the default.</summary>
        public int? BatchSize { get; }

        /// <summary>Key columns to walk, or null for the primary key.</summary>
        public IReadOnlyList<string>? KeyColumns { get; }

        /// <summary>
        /// A query counting the rows not yet right (0 when done), or null to count the rows matching <see cref="Where"/>;
        /// set for run-time UPDATEs whose rows still match their WHERE once updated.
        /// </summary>
        public string? CountRemainingSql { get; internal set; }

        /// <summary>The row condition <see cref="CountRemainingSql"/> counts (rows not yet right), or null when that is <see cref="Where"/>.</summary>
        public string? RemainingWhere { get; internal set; }

        /// <summary>
        /// The step's SQL is a run-time statement the planner batched: on a table with no key to walk it runs as
        /// written, in one transaction (with an SM1006 warning), instead of failing.
        /// </summary>
        public bool AsWrittenWithoutKey { get; internal set; }
    }

    /// <summary>
    /// A rollback's check of one step's undo: <see cref="CountSql"/> counts the rows the undo would lose (or that would
    /// make it fail); above zero the rollback refuses (SM1008) before undoing anything.
    /// </summary>
    public sealed class UndoGuard
    {
        /// <summary>Creates a guard.</summary>
        public UndoGuard(string countSql, string problem, string remedy)
        {
            CountSql = countSql;
            Problem = problem;
            Remedy = remedy;
        }

        /// <summary>A query returning one count; the rows it counts are what the undo would lose or reject.</summary>
        public string CountSql { get; }

        /// <summary>What those rows are, after "N row(s)", e.g. <c>of "t" hold a value in "b" that "a" does not</c>.</summary>
        public string Problem { get; }

        /// <summary>What the operator can do about them.</summary>
        public string Remedy { get; }
    }

    /// <summary>One step of a migration's plan.</summary>
    public sealed class PlanStep
    {
        internal PlanStep(string migrationId, MigrationPhase phase, string kind, string description, string sql, StepTransaction transaction, string lockTaken)
        {
            MigrationId = migrationId;
            Phase = phase;
            Kind = kind;
            Description = description;
            Sql = sql;
            Transaction = transaction;
            Lock = lockTaken;
        }

        /// <summary>The migration the step belongs to.</summary>
        public string MigrationId { get; }

        /// <summary>1-based position in the migration's plan; stable across runs (it keys the state table).</summary>
        public int Index { get; internal set; }

        /// <summary>Expand or contract.</summary>
        public MigrationPhase Phase { get; }

        /// <summary>Short stable name of what the step does, e.g. <c>create-index-concurrently</c>.</summary>
        public string Kind { get; }

        /// <summary>What the step does, for messages, e.g. <c>create index "IX_a" concurrently</c>.</summary>
        public string Description { get; }

        /// <summary>The SQL run (for a backfill: the statement one batch is made of).</summary>
        public string Sql { get; }

        /// <summary>How it runs.</summary>
        public StepTransaction Transaction { get; }

        /// <summary>The lock it takes and on what, and what that blocks.</summary>
        public string Lock { get; }

        /// <summary>A query returning one boolean, true when the step's effect is in place; null when nothing can be checked.</summary>
        public string? VerificationSql { get; internal set; }

        /// <summary>What <see cref="VerificationSql"/> proves, for messages.</summary>
        public string? VerificationDescription { get; internal set; }

        /// <summary>
        /// Skip the step when its verification already holds before it runs (it is idempotent by state: an index that
        /// is valid, a column that exists). Covers a crash between a step's commit and its record.
        /// </summary>
        public bool SkipWhenVerified { get; internal set; }

        /// <summary>SQL undoing the step (run outside a transaction when it is CONCURRENTLY), or null.</summary>
        public string? UndoSql { get; internal set; }

        /// <summary>The step needs no undo (a validation, a backfill, a helper check that is gone again).</summary>
        public bool NoUndoNeeded { get; internal set; }

        /// <summary>
        /// Why the step cannot be undone (e.g. deleted rows), shown in the plan; a rollback refuses (SM1008) once the
        /// step has changed anything. Null when the step has an undo or needs none.
        /// </summary>
        public string? NoUndoReason { get; internal set; }

        /// <summary>
        /// What a rollback checks before running <see cref="UndoSql"/>: rows the undo would lose or could not take. Null
        /// when the undo is always safe.
        /// </summary>
        public UndoGuard? UndoGuard { get; internal set; }

        /// <summary>Set for <see cref="StepTransaction.Batched"/> steps.</summary>
        public BackfillSpec? Backfill { get; internal set; }

        /// <summary>An SM1006 warning: the step runs as EF Core wrote it and is not safe on a live table.</summary>
        public string? Warning { get; internal set; }

        /// <summary>The step came from a <c>SafeMigrations:Step</c> annotation (the name of the safe step), or null for a plain EF operation.</summary>
        public string? SafeStep { get; internal set; }

        /// <summary>
        /// The step is a rewrite of a plain EF operation into a safe form with the same end state (null when the
        /// provider's SQL runs as is).
        /// </summary>
        public string? RewrittenFrom { get; internal set; }

        /// <summary>
        /// Settings (SET / SET LOCAL) of earlier steps of the migration, re-applied on the session while this step runs:
        /// plain EF would have run it on the same connection after them.
        /// </summary>
        public IReadOnlyList<CarriedSetting> SessionSettings { get; internal set; } = System.Array.Empty<CarriedSetting>();

        /// <summary>
        /// The analyzer rule that judged the step's SQL at plan time and what the engine made of it, e.g.
        /// <c>SM0015 at run time: one UPDATE of every row of "Users" → keyset batches</c>; null when no rule applies.
        /// </summary>
        public string? RuleNote { get; internal set; }

        /// <summary>
        /// Set on a timestamp ↔ timestamptz change under a UTC session: the column's plain indexes are dropped concurrently
        /// before the (catalog-only) type change and built again concurrently after it, instead of being rebuilt by the
        /// ALTER under ACCESS EXCLUSIVE. Null for every other step.
        /// </summary>
        public TimestampTzIndexes? TimeZoneIndexes { get; internal set; }

        /// <summary>The sync trigger a <c>DropSyncTrigger</c> step removes (the contract gate checks its source column), or null.</summary>
        public Gate.SyncedColumns? DroppedSync { get; internal set; }

        /// <summary><c>migration step N (description)</c>, the way messages name a step.</summary>
        public string Name => $"{MigrationId} step {Index} ({Description})";

        /// <inheritdoc />
        public override string ToString() => Name;
    }
}
