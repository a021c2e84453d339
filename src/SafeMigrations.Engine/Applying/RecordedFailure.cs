using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Execution;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.State;

namespace SafeMigrations.Engine.Applying
{
    /// <summary>What a failed step's code tells the operator to do, and the lock holders an SM1003 names.</summary>
    internal static class RecordedFailure
    {
        /// <summary>The next move for a step that failed with <paramref name="code"/> (null: recorded before codes were kept).</summary>
        public static string Advice(string? code) => code switch
        {
            EngineCodes.LockRetriesExhausted => "rerun apply when the sessions holding locks on its tables have finished, or raise the lock timeout (--lock-timeout <ms>, SafeMigrationsLockTimeout) or the retries (--lock-retries <n>, SafeMigrationsLockRetries)",
            EngineCodes.Cancelled => "rerun apply to resume (completed steps are skipped)",
            EngineCodes.VerificationFailed => "inspect the table, fix it by hand or roll back, then rerun apply",
            EngineCodes.ExecutorLockHeld => "rerun apply when the other executor has finished",
            _ => "fix the cause and rerun apply",
        };

        /// <summary>What status prints for a step that failed in an earlier run, under its recorded code.</summary>
        public static string StatusLine(PlanStep step, StepState state)
        {
            string error = MigrationEngine.OneLine(state.Error ?? "unknown error");
            // The recorded message starts with the step's name and usually ends with its advice already.
            if (error.StartsWith(step.Name + ": ", StringComparison.Ordinal))
                error = error.Substring(step.Name.Length + 2);
            string advice = error.Contains("rerun") ? string.Empty : "; " + Advice(state.ErrorCode);
            return $"{step.Name}: failed in an earlier run: {error}{advice}";
        }

        /// <summary><paramref name="failure"/> with the sessions that hold locks on the step's tables now, when there are any.</summary>
        public static async Task<EngineException> WithLockHoldersAsync(NpgsqlConnection connection, PlanStep step, EngineException failure)
        {
            List<string> tables = LockHolders.TablesOf(step.Sql);
            if (step.Backfill is BackfillSpec backfill)
            {
                string table = SqlIdentifier.Qualify(backfill.Schema, backfill.Table);
                if (!tables.Contains(table))
                    tables.Add(table);
            }
            string? holders = await LockHolders.DescribeAsync(connection, tables, CancellationToken.None).ConfigureAwait(false);
            return holders is null ? failure : new EngineException(failure.Code, failure.Message + " " + holders, failure.InnerException);
        }
    }
}
