using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Connections;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.State;

namespace SafeMigrations.Engine.Runtime
{
    /// <summary>
    /// One in-app command over the application's own DbContext: its migrations (IMigrationsAssembly), its SQL
    /// generator and history repository, its connection (cloned, so a password the connection string no longer shows
    /// still applies), and its logger factory. The same engine, state table and codes as the runner.
    /// </summary>
    internal sealed class InAppRun
    {
        private static readonly TimeSpan WaitReportInterval = TimeSpan.FromSeconds(5);

        private readonly DbContext _context;
        private readonly SafeMigrationOptions _options;
        private readonly string _command;
        private readonly PhaseSelection _phase;
        private readonly LoggerEngineLog _log;
        private readonly ILogger _logger;

        private InAppRun(DbContext context, SafeMigrationOptions options, string command, PhaseSelection phase, string category)
        {
            _context = context;
            _options = options;
            _command = command;
            _phase = phase;
            ILoggerFactory factory = options.LoggerFactory ?? ContextLoggerFactory(context);
            _log = new LoggerEngineLog(factory, category);
            _logger = factory.CreateLogger(category);
        }

        public static Task<SafeMigrationResult> RunAsync(DatabaseFacade database, string command, PhaseSelection phase, SafeMigrationOptions? options, CancellationToken cancellationToken)
        {
            if (database is null)
                throw new ArgumentNullException(nameof(database));
            options ??= new SafeMigrationOptions();
            options.Validate();
            string category = command switch
            {
                "plan" => SafeMigrationsLogCategories.Plan,
                "status" => SafeMigrationsLogCategories.Status,
                "rollback" => SafeMigrationsLogCategories.Rollback,
                _ => SafeMigrationsLogCategories.Apply,
            };
            DbContext context = ((IDatabaseFacadeDependenciesAccessor)database).Context;
            return new InAppRun(context, options, command, phase, category).RunAsync(cancellationToken);
        }

        private async Task<SafeMigrationResult> RunAsync(CancellationToken cancellationToken)
        {
            var result = new SafeMigrationResult(_command, _phase.ToString());
            var clock = Stopwatch.StartNew();
            MigrationEngine? engine = null;
            try
            {
                string connectionString = ConnectionStringOf(_context, out NpgsqlConnection? contextConnection);
                _log.Hide(connectionString);
                EngineOptions engineOptions = _options.ToEngineOptions(connectionString, _phase, _log);
                engineOptions.StepObserver = _log;
                if (contextConnection is not null)
                    engineOptions.CreateConnection = contextConnection.CloneWith;
                using var catalog = new MigrationCatalog(_context, ownsContext: false);
                _logger.LogInformation("SafeMigrations {Command}: {Context}, {Count} migration(s), phase {Phase}, database {Target}", _command, _context.GetType().Name, catalog.Migrations.Count, _phase, _log.Scrub(ConnectionTarget.Describe(connectionString)));
                engine = new MigrationEngine(catalog, engineOptions);
                switch (_command)
                {
                    case "plan":
                        result.Plans = await engine.PlanAsync(cancellationToken).ConfigureAwait(false);
                        result.Outcome = result.Plans.Count == 0 ? SafeMigrationOutcome.NothingToDo : SafeMigrationOutcome.Completed;
                        break;
                    case "status":
                        await engine.StatusAsync(cancellationToken).ConfigureAwait(false);
                        result.Statuses = await InAppStatus.ReadAsync(catalog, engine, engineOptions, cancellationToken).ConfigureAwait(false);
                        result.Outcome = SafeMigrationOutcome.Completed;
                        break;
                    default:
                        (bool ran, IReadOnlyCollection<string> before) = await RunAloneAsync(engine, catalog, engineOptions, cancellationToken).ConfigureAwait(false);
                        IReadOnlyCollection<string> after = catalog.AppliedMigrationIds();
                        // Only the history rows this run wrote under the lock: "before" is read before the lock is taken, so another
                        // instance may apply a migration in between. A migration without expand steps still counts.
                        var written = new HashSet<string>(engine.HistoryWritten, StringComparer.Ordinal);
                        result.AppliedMigrations = after.Except(before).Where(written.Contains).OrderBy(id => id, StringComparer.Ordinal).ToList();
                        // A partly applied migration has no history row to delete, yet its undone steps roll it back too.
                        result.RolledBackMigrations = before.Except(after)
                            .Union(engine.Records.Where(r => r.Outcome == StepOutcome.RolledBack).Select(r => r.Step.MigrationId))
                            .OrderByDescending(id => id, StringComparer.Ordinal).ToList();
                        result.ContractedMigrations = engine.Records
                            .Where(r => r.Step.Phase == MigrationPhase.Contract)
                            .GroupBy(r => r.Step.MigrationId)
                            .Where(g => g.All(r => r.Outcome == StepOutcome.Completed || r.Outcome == StepOutcome.AlreadyInPlace || r.Outcome == StepOutcome.AlreadyCompleted) && g.Any(r => r.Outcome != StepOutcome.AlreadyCompleted))
                            .Select(g => g.Key)
                            .ToList();
                        bool changed = engine.Records.Any(r => r.Outcome != StepOutcome.AlreadyCompleted) || result.AppliedMigrations.Count > 0 || result.RolledBackMigrations.Count > 0;
                        result.Outcome = !ran ? SafeMigrationOutcome.AnotherInstanceRunning : changed ? SafeMigrationOutcome.Completed : SafeMigrationOutcome.NothingToDo;
                        break;
                }
                Complete(result, engine, clock);
                _logger.LogInformation("SafeMigrations {Command}: {Outcome} in {Seconds:0.0} s; {Applied} applied, {Contracted} contracted, {RolledBack} rolled back, {Findings} finding(s)", _command, result.Outcome, clock.Elapsed.TotalSeconds, result.AppliedMigrations.Count, result.ContractedMigrations.Count, result.RolledBackMigrations.Count, result.Findings.Count);
                return result;
            }
            catch (OperationCanceledException exception) when (cancellationToken.IsCancellationRequested)
            {
                const string message = "cancelled; completed steps (and a backfill's last committed batch) are recorded, and a rerun resumes where this one stopped.";
                _log.Error(EngineCodes.Cancelled, message);
                Complete(result, engine, clock);
                throw new OperationCanceledException($"{EngineCodes.Cancelled}: {message}", exception, cancellationToken);
            }
            catch (EngineException exception)
            {
                _log.Error(exception.Code, exception.Message);
                Complete(result, engine, clock);
                throw new SafeMigrationsException(exception.Code, _log.Scrub(exception.Message), result, exception);
            }
            catch (NpgsqlException exception)
            {
                // EF's history queries and the lock look-out, outside the engine's own coded handling: the server is not reachable.
                string message = _log.Scrub($"cannot reach {ConnectionTarget.Describe(_context.Database.GetConnectionString())}: {MigrationEngine.OneLine(exception.Message)}; check the connection string and that the server is reachable.");
                _log.Error(EngineCodes.Configuration, message);
                Complete(result, engine, clock);
                throw new SafeMigrationsException(EngineCodes.Configuration, message, result, exception);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // As the runner does: anything unexplained is still one coded line, never a bare stack trace.
                string message = _log.Scrub($"unexpected {exception.GetType().Name}: {MigrationEngine.OneLine(exception.Message)}; please report this with the log above.");
                _log.Error(EngineCodes.StepFailed, message);
                Complete(result, engine, clock);
                throw new SafeMigrationsException(EngineCodes.StepFailed, message, result, exception);
            }
        }

        /// <summary>
        /// Runs apply or rollback once the executor lock is free: while another instance holds it, waits up to
        /// <see cref="SafeMigrationOptions.AnotherInstanceWait"/>; false when it still ran after that (nothing ran here).
        /// Also the history as it was just before the attempt that ran, so that what another instance applied while
        /// this one waited is not counted as this run's.
        /// </summary>
        private async Task<(bool Ran, IReadOnlyCollection<string> AppliedBefore)> RunAloneAsync(MigrationEngine engine, MigrationCatalog catalog, EngineOptions engineOptions, CancellationToken cancellationToken)
        {
            var waited = Stopwatch.StartNew();
            TimeSpan lastReport = -WaitReportInterval;
            await using NpgsqlConnection probe = await EngineConnectionFactory.For(engineOptions).OpenAsync(cancellationToken).ConfigureAwait(false);
            while (true)
            {
                IReadOnlyCollection<string> before = catalog.AppliedMigrationIds();
                string? holder = await ExecutorLockProbe.HolderAsync(probe, cancellationToken).ConfigureAwait(false);
                if (holder is null)
                {
                    try
                    {
                        if (_command == "rollback")
                            await engine.RollbackAsync(cancellationToken).ConfigureAwait(false);
                        else
                            await engine.ApplyAsync(cancellationToken).ConfigureAwait(false);
                        return (true, before);
                    }
                    catch (EngineException exception) when (exception.Code == EngineCodes.ExecutorLockHeld && exception.InnerException is ExecutorLockTakenException)
                    {
                        // Taken between the look and the run, or an earlier executor's statements still run.
                        holder = exception.Message;
                    }
                }
                string target = _log.Scrub(ConnectionTarget.Describe(engineOptions.ConnectionString));
                holder = holder is null ? null : _log.Scrub(holder);
                if (waited.Elapsed >= _options.AnotherInstanceWait)
                {
                    _logger.LogWarning(LoggerEngineLog.EventFor(EngineCodes.ExecutorLockHeld), "{Code}: another instance is still running on database {Target} after {Seconds:0} s of waiting ({Holder}); returning without running {Command} here: that instance finishes the work.", EngineCodes.ExecutorLockHeld, target, waited.Elapsed.TotalSeconds, holder, _command);
                    return (false, before);
                }
                if (waited.Elapsed - lastReport >= WaitReportInterval)
                {
                    lastReport = waited.Elapsed;
                    _logger.LogInformation("another instance is running on database {Target} ({Holder}); waiting for it before {Command} (at most {Seconds:0} s)", target, holder, _command, _options.AnotherInstanceWait.TotalSeconds);
                }
                TimeSpan left = _options.AnotherInstanceWait - waited.Elapsed;
                await Task.Delay(left < _options.AnotherInstancePollInterval ? left : _options.AnotherInstancePollInterval, cancellationToken).ConfigureAwait(false);
            }
        }

        private void Complete(SafeMigrationResult result, MigrationEngine? engine, Stopwatch clock)
        {
            if (engine is not null)
                result.Steps = engine.Records.ToList();
            result.Findings = _log.Findings;
            result.ReportPath = _options.ReportPath is string path && File.Exists(path) ? path : null;
            result.Duration = clock.Elapsed;
        }

        /// <summary>The context's connection string, after checking that the context runs on Npgsql and names a database (SM1001 otherwise).</summary>
        private static string ConnectionStringOf(DbContext context, out NpgsqlConnection? connection)
        {
            string name = context.GetType().Name;
            string? provider;
            try
            {
                provider = context.Database.ProviderName;
            }
            catch (InvalidOperationException exception)
            {
                throw new EngineException(EngineCodes.Configuration, $"{name} has no database provider ({MigrationEngine.OneLine(exception.Message)}); configure it with UseNpgsql(...) in AddDbContext or OnConfiguring.", exception);
            }
            if (!string.Equals(provider, DbContextLoader.NpgsqlProviderAssembly, StringComparison.Ordinal))
                throw new EngineException(EngineCodes.Configuration, $"{name} uses the provider {provider ?? "(none)"}; SafeMigrations runs on PostgreSQL through {DbContextLoader.NpgsqlProviderAssembly} only: configure the context with UseNpgsql(...).");

            DbConnection dbConnection = context.Database.GetDbConnection();
            connection = dbConnection as NpgsqlConnection;
            string? connectionString = context.Database.GetConnectionString();
            if (string.IsNullOrWhiteSpace(connectionString))
                connectionString = dbConnection.ConnectionString;
            if (string.IsNullOrWhiteSpace(connectionString))
                throw new EngineException(EngineCodes.Configuration, $"{name} has no connection string; give UseNpgsql(...) one (or a data source built from one) before calling SafeMigrations.");
            // SM1001 for a string without a Database, a URI, an unknown key; the message never repeats a value.
            ConnectionTarget.Parse(connectionString);
            return connectionString!;
        }

        private static ILoggerFactory ContextLoggerFactory(DbContext context)
        {
            try
            {
                // EF's own resolution: UseLoggerFactory, else the application's (AddDbContext), else its internal one.
                return context.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
            }
            catch (InvalidOperationException)
            {
                // No provider: the coded error about it comes next, through this logger.
                return NullLoggerFactory.Instance;
            }
        }
    }
}
