using System;
using System.Data;
using Npgsql;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.State;

namespace SafeMigrations.Engine.Connections
{
    /// <summary>
    /// Tells the failures of the engine's session itself (no answer within the statement timeout; the session
    /// terminated or its connection broken, which also ends the executor lock) from a step's own errors, and
    /// explains them with a code and what to do.
    /// </summary>
    internal static class SessionFailure
    {
        /// <summary>
        /// The explanation of <paramref name="exception"/> when it is a failure of the session, else null.
        /// <paramref name="where"/> names the step (or the command); <paramref name="lockBackendPid"/> is the backend
        /// pid of the session when it held the executor lock, else null. <paramref name="stepFailure"/> is the step's
        /// own explanation of a failure in flight (what the step left behind): a session that ended under it keeps
        /// that explanation and its code, and gains what the lost lock means.
        /// </summary>
        public static EngineException? Explain(string where, Exception exception, NpgsqlConnection? session, TimeSpan statementTimeout, TimeSpan idleInTransactionTimeout, int? lockBackendPid, EngineException? stepFailure = null)
        {
            if (exception is EngineException || exception is OperationCanceledException)
                return null;
            if (Find<ExecutorLockLostException>(exception) is ExecutorLockLostException lost)
                return new EngineException(EngineCodes.ExecutorLockHeld, $"{where}: {lost.Message}. {RerunAdvice}", exception);
            if (Find<TimeoutException>(exception) is not null)
            {
                return new EngineException(
                    EngineCodes.StepFailed,
                    $"{where}: no answer from the server within the statement timeout of {Seconds(statementTimeout)} (--statement-timeout, SafeMigrationsStatementTimeout, SafeMigrationOptions.StatementTimeout in the app): the network stalled or the server stopped answering. " +
                    $"The session was dropped; the server rolls back its open transaction and releases its locks (idle_in_transaction_session_timeout {Seconds(idleInTransactionTimeout)}). " +
                    "Completed steps are recorded; rerun apply when the server is reachable (completed steps and backfilled batches are skipped). If that statement is legitimately this slow (a scan of a very large table), raise the statement timeout.",
                    exception);
            }
            PostgresException? postgres = Find<PostgresException>(exception);
            bool terminated = postgres is not null && (postgres.SqlState == PostgresErrorCodes.AdminShutdown || postgres.SqlState == PostgresErrorCodes.CrashShutdown || postgres.SqlState == PostgresErrorCodes.CannotConnectNow);
            bool broken = session is not null && session.State != ConnectionState.Open;
            if (!terminated && !broken)
                return null;
            string reason = postgres is not null ? $"{postgres.SqlState}: {postgres.MessageText}" : OneLine(exception.Message);
            if (stepFailure is not null)
            {
                string lockNote = lockBackendPid is int holder
                    ? $" The executor lock ended with this session (backend pid {holder}): this run stopped at once, so no other executor's work overlaps it; if another executor started meanwhile, a rerun refuses with SM1005 until it finishes."
                    : string.Empty;
                return new EngineException(stepFailure.Code, stepFailure.Message + lockNote, exception);
            }
            if (lockBackendPid is int pid)
            {
                return new EngineException(
                    EngineCodes.ExecutorLockHeld,
                    $"{where}: lost the executor lock: the executor's session (backend pid {pid}) ended ({reason}); stopped at once so that no other executor's work overlaps this one's. {RerunAdvice}",
                    exception);
            }
            return new EngineException(EngineCodes.StepFailed, $"{where}: the connection to the server was lost ({reason}); rerun when the server is reachable.", exception);
        }

        private const string RerunAdvice = "The statement in flight was rolled back by the server; completed steps are recorded. Rerun apply to resume (if another executor started meanwhile, it refuses with SM1005 until that one finishes).";

        private static T? Find<T>(Exception? exception)
            where T : Exception
        {
            for (; exception is not null; exception = exception.InnerException)
            {
                if (exception is T match)
                    return match;
            }
            return null;
        }

        private static string Seconds(TimeSpan value) => value.TotalSeconds >= 1 ? $"{value.TotalSeconds:0.#} s" : $"{value.TotalMilliseconds:0} ms";

        private static string OneLine(string text) => System.Text.RegularExpressions.Regex.Replace(text.Trim(), @"\s+", " ");
    }
}
