using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Connections;
using SafeMigrations.Engine.Execution;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.State;

namespace SafeMigrations.Engine.Applying
{
    /// <summary>
    /// Plans, applies, reports on and rolls back the application's migrations phase by phase. One executor at a time
    /// (advisory lock); every step recorded in <c>safemigrations.state</c> so a rerun resumes; a verification after
    /// every step; the EF history row written when a migration's expand steps are complete. One file per command
    /// (MigrationEngine.Plan, .Apply, .Status, .Rollback); this one holds what they share (connection, executor lock,
    /// state read, report); <see cref="StepExecutor"/> runs the steps.
    /// </summary>
    public sealed partial class MigrationEngine
    {
        /// <summary>State row index that marks "the history row was written by SafeMigrations" for a migration.</summary>
        public const int HistoryMarkerStep = 0;

        private readonly MigrationCatalog _catalog;
        private readonly EngineOptions _options;
        private readonly MigrationPlanner _planner;
        private readonly List<StepRecord> _records = new List<StepRecord>();
        private readonly List<string> _historyWritten = new List<string>();
        private readonly List<string> _warnings = new List<string>();
        private NpgsqlConnection? _session;
        private readonly StepExecutor _executor;

        /// <summary>Creates the engine over a loaded catalog.</summary>
        public MigrationEngine(MigrationCatalog catalog, EngineOptions options)
        {
            _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
            _options = options ?? throw new ArgumentNullException(nameof(options));
            _planner = new MigrationPlanner(catalog);
            _executor = new StepExecutor(options, _records, OpenAsync, Warn, ExplainSessionFailure);
        }

        private IEngineLog Log => _options.Log;

        /// <summary>The steps of the last run, for reports and tests.</summary>
        public IReadOnlyList<StepRecord> Records => _records;

        /// <summary>Migrations whose EF history row the last apply wrote (read under the executor lock, so never one another instance applied).</summary>
        public IReadOnlyList<string> HistoryWritten => _historyWritten;

        private bool PhaseSelected(MigrationPhase phase) => _options.Phase == PhaseSelection.All
            || (phase == MigrationPhase.Expand && _options.Phase == PhaseSelection.Expand)
            || (phase == MigrationPhase.Contract && _options.Phase == PhaseSelection.Contract);

        private static bool IsCompleted(Dictionary<(string, int), StepState> states, PlanStep step)
            => states.TryGetValue((step.MigrationId, step.Index), out StepState? state) && state.Status == StepStatus.Completed;

        private IReadOnlyList<MigrationInfo> MigrationsUpToTarget()
        {
            if (_options.Target is null)
                return _catalog.Migrations;
            MigrationInfo target = _catalog.Find(_options.Target);
            return _catalog.Migrations.Where(m => string.CompareOrdinal(m.Id, target.Id) <= 0).ToList();
        }

        private async Task<Dictionary<(string, int), StepState>> ReadStatesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            var store = new StepStateStore(connection);
            if (!await store.ExistsAsync(cancellationToken).ConfigureAwait(false))
                return new Dictionary<(string, int), StepState>();
            IReadOnlyList<StepState> rows = await store.ListAsync(null, cancellationToken).ConfigureAwait(false);
            return rows.ToDictionary(r => (r.MigrationId, r.StepIndex));
        }

        private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
        {
            // Refuses (SM1001) a string without a Database, a URI, an unknown key: never a connection to a guessed database.
            ConnectionTarget target = ConnectionTarget.Parse(_options.ConnectionString);
            try
            {
                // Keepalives, statement timeout, idle-in-transaction timeout and the executor's application_name.
                NpgsqlConnection opened = await EngineConnectionFactory.For(_options).OpenAsync(cancellationToken).ConfigureAwait(false);
                // The first session of a run does the work; later ones (an index build's watcher) only look.
                _session ??= opened;
                return opened;
            }
            catch (Exception exception) when (exception is NpgsqlException || exception is ArgumentException || exception is System.Net.Sockets.SocketException)
            {
                throw new EngineException(EngineCodes.Configuration, $"cannot connect to {target}: {OneLine(exception.Message)}; check the connection string and that the server is reachable.", exception);
            }
        }

        private async Task<ExecutorLock> AcquireLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            try
            {
                // On the work session itself: if that session dies, the lock and the work end together.
                ExecutorLock acquired = await ExecutorLock.AcquireAsync(connection, _options.EarlierExecutorWait, message => Log.Progress(message), cancellationToken).ConfigureAwait(false);
                _executor.Lock = acquired;
                return acquired;
            }
            catch (ExecutorLockTakenException exception)
            {
                throw new EngineException(EngineCodes.ExecutorLockHeld, exception.Message, exception);
            }
        }

        private async Task<T> RunAsync<T>(string command, Func<Task<T>> body)
        {
            _records.Clear();
            _historyWritten.Clear();
            _warnings.Clear();
            DateTime started = DateTime.UtcNow;
            var clock = Stopwatch.StartNew();
            bool succeeded = false;
            _session = null;
            _executor.Lock = null;
            try
            {
                T value = await body().ConfigureAwait(false);
                succeeded = true;
                return value;
            }
            catch (PostgresException exception) when (MissingPrivilege.Matches(exception))
            {
                // Steps report their own failures; what reaches here is the engine's bookkeeping (state schema, history, lock).
                throw MissingPrivilege.Explain(exception, _options.ConnectionString);
            }
            catch (Exception exception) when (ExplainSessionFailure(command, exception) is EngineException failure)
            {
                throw failure;
            }
            finally
            {
                if (_options.ReportPath is not null)
                {
                    string database = ConnectionTarget.Describe(_options.ConnectionString);
                    MarkdownReport.Write(_options.ReportPath, MarkdownReport.Render(command, database, _options.Phase.ToString(), started, clock.Elapsed, succeeded, _records, _warnings));
                    Log.Info("report written to " + _options.ReportPath);
                }
            }
        }

        /// <summary>A stalled, broken or terminated session (and with it a lost executor lock), explained; null for other failures.</summary>
        private EngineException? ExplainSessionFailure(string where, Exception exception, PlanStep? step = null)
            => SessionFailure.Explain(where, exception, _session, _options.StatementTimeout, _options.IdleInTransactionTimeout, _executor.Lock?.BackendPid, step is null || exception is EngineException ? null : StepExecutor.Explain(step, exception));

        private void Warn(PlanStep step, string warning)
        {
            string message = $"{step.Name}: {warning}";
            _warnings.Add(EngineCodes.CannotBeMadeSafe + ": " + message);
            Log.Warn(EngineCodes.CannotBeMadeSafe, message);
        }

        internal static string OneLine(string text) => Regex.Replace(text.Trim(), @"\s+", " ");
    }
}
