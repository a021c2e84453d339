using System;
using System.Collections.Generic;
using SafeMigrations.Engine.Planning;

namespace SafeMigrations.Engine.Verifying
{
    /// <summary>Which pass of the verify run a step belongs to.</summary>
    public enum VerifyRound
    {
        /// <summary>The migration's expand phase.</summary>
        Expand,

        /// <summary>The migration's contract phase.</summary>
        Contract,

        /// <summary>The last migration's expand phase applied again after a rollback.</summary>
        Reapply,
    }

    /// <summary>A table lock the executor's backend held during a step.</summary>
    public sealed class HeldLock
    {
        internal HeldLock(string relation, string mode, double heldMilliseconds, bool preExisting)
        {
            Relation = relation;
            Mode = mode;
            HeldMilliseconds = heldMilliseconds;
            PreExisting = preExisting;
        }

        /// <summary>Qualified table name.</summary>
        public string Relation { get; }

        /// <summary>Lock mode in SQL spelling, e.g. <c>ACCESS EXCLUSIVE</c>.</summary>
        public string Mode { get; }

        /// <summary>Estimated time held: from the first sample that saw it (or the step's start) to its release.</summary>
        public double HeldMilliseconds { get; }

        /// <summary>The table existed before the step's migration started.</summary>
        public bool PreExisting { get; }

        /// <summary>The mode blocks reads or writes of the table: SHARE, SHARE ROW EXCLUSIVE, EXCLUSIVE, ACCESS EXCLUSIVE.</summary>
        public bool Blocking => LockModes.Blocks(Mode);
    }

    /// <summary>What one step did to the database, as seen by the verifier.</summary>
    public sealed class StepTrace
    {
        internal StepTrace(PlanStep step, VerifyRound round)
        {
            Step = step;
            Round = round;
        }

        /// <summary>The step.</summary>
        public PlanStep Step { get; }

        /// <summary>The pass it ran in.</summary>
        public VerifyRound Round { get; }

        /// <summary>Table locks held by the executor's backend (every table, pre-existing or not).</summary>
        public List<HeldLock> Locks { get; } = new List<HeldLock>();

        /// <summary>Pre-existing tables whose relfilenode changed (rewritten).</summary>
        public List<string> Rewrites { get; } = new List<string>();

        /// <summary>Sequential scans of pre-existing tables during the step (including its verification when it ran outside a transaction).</summary>
        public Dictionary<string, long> Scans { get; } = new Dictionary<string, long>(StringComparer.Ordinal);

        /// <summary>Pre-existing tables the step's own transaction scanned while it held a blocking lock on them.</summary>
        public List<string> ScannedUnderBlockingLock { get; } = new List<string>();

        /// <summary>Rows the step inserted, updated and deleted per table in one transaction, counted by the server (not for batched steps).</summary>
        public Dictionary<string, RowChanges> RowChanges { get; } = new Dictionary<string, RowChanges>(StringComparer.Ordinal);

        /// <summary>Pre-existing tables the step's transaction read by sequential scan (the possible sources of an INSERT ... SELECT).</summary>
        public List<string> ScannedTables { get; } = new List<string>();

        /// <summary>Wall time of the step.</summary>
        public TimeSpan Duration { get; internal set; }

        /// <summary>Verification result (true held, false failed, null none).</summary>
        public bool? Verified { get; internal set; }

        /// <summary>Error of a failed step.</summary>
        public string? Error { get; internal set; }

        /// <summary>Findings (SM1010, SM1011, SM1015, engine failures) on this step.</summary>
        public List<VerifyFinding> Findings { get; } = new List<VerifyFinding>();
    }

    /// <summary>A reason the verification fails.</summary>
    public sealed class VerifyFinding
    {
        internal VerifyFinding(string code, string? migrationId, PlanStep? step, string message)
        {
            Code = code;
            MigrationId = migrationId;
            Step = step;
            Message = message;
        }

        /// <summary>SM code (<see cref="Reporting.EngineCodes"/>).</summary>
        public string Code { get; }

        /// <summary>The migration, or null for a finding about the whole run.</summary>
        public string? MigrationId { get; }

        /// <summary>The step, or null.</summary>
        public PlanStep? Step { get; }

        /// <summary>Full message, starting with the step name when there is one.</summary>
        public string Message { get; }

        /// <inheritdoc />
        public override string ToString() => Code + ": " + Message;
    }

    /// <summary>PostgreSQL table lock modes as <c>pg_locks</c> spells them, and which of them block the application.</summary>
    public static class LockModes
    {
        /// <summary><c>ShareLock</c> → <c>SHARE</c>, <c>AccessExclusiveLock</c> → <c>ACCESS EXCLUSIVE</c>.</summary>
        public static string ToSql(string pgLocksMode)
        {
            string mode = pgLocksMode.EndsWith("Lock", StringComparison.Ordinal) ? pgLocksMode.Substring(0, pgLocksMode.Length - 4) : pgLocksMode;
            var text = new System.Text.StringBuilder();
            foreach (char c in mode)
            {
                if (char.IsUpper(c) && text.Length > 0)
                    text.Append(' ');
                text.Append(char.ToUpperInvariant(c));
            }
            return text.ToString();
        }

        /// <summary>
        /// True for the modes that conflict with ROW EXCLUSIVE (writes) or ACCESS SHARE (reads): SHARE, SHARE ROW
        /// EXCLUSIVE, EXCLUSIVE, ACCESS EXCLUSIVE. SHARE UPDATE EXCLUSIVE (CONCURRENTLY, VALIDATE) lets both go on.
        /// </summary>
        public static bool Blocks(string sqlMode) => sqlMode == "SHARE" || sqlMode == "SHARE ROW EXCLUSIVE" || sqlMode == "EXCLUSIVE" || sqlMode == "ACCESS EXCLUSIVE";
    }
}
