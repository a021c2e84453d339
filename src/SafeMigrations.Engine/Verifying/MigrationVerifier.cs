using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Connections;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Postgres;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Statistics;

namespace SafeMigrations.Engine.Verifying
{
    /// <summary>
    /// Replays every migration through the engine on a throwaway database — seed, expand, contract, and a rollback /
    /// re-apply round trip of the last migration's expand — tracing each step's locks, rewrites and scans, and fails
    /// on a blocking lock over budget on a pre-existing table (SM1010), a rewrite of one (SM1011), most of its rows
    /// changed in one transaction (SM1015), a failing step
    /// (the engine's code), or an end schema that differs from the one plain EF Core's Migrate() builds (SM1012).
    /// </summary>
    public static class MigrationVerifier
    {
        /// <summary>Runs the verification; the throwaway cluster or databases are always removed.</summary>
        /// <exception cref="EngineException">Configuration problems (no PostgreSQL, no assembly, no context).</exception>
        /// <exception cref="OperationCanceledException">Cancelled; everything created was removed.</exception>
        public static async Task<VerifyResult> RunAsync(VerifyOptions options, CancellationToken cancellationToken = default)
        {
            if (options is null)
                throw new ArgumentNullException(nameof(options));
            if (options.Assembly is null && string.IsNullOrWhiteSpace(options.AssemblyPath))
                throw new EngineException(EngineCodes.Configuration, "no application assembly to verify; pass --assembly <app.dll>.");
            if (options.LockBudget <= TimeSpan.Zero)
                throw new EngineException(EngineCodes.Configuration, "the lock budget must be positive.");
            if (!(options.DataChangeShare > 0 && options.DataChangeShare <= 1))
                throw new EngineException(EngineCodes.Configuration, $"the data-change share must be above 0 and at most 1 (a fraction of a table's rows), not {options.DataChangeShare.ToString(CultureInfo.InvariantCulture)}.");

            IEngineLog log = options.Log;
            var clock = Stopwatch.StartNew();
            var result = new VerifyResult { LockBudget = options.LockBudget };
            EphemeralPostgres? server = null;
            string adminConnection;
            try
            {
                if (string.IsNullOrWhiteSpace(options.ServerConnectionString))
                {
                    log.Info("starting a throwaway PostgreSQL cluster (no connection given)");
                    EphemeralPostgresOptions ephemeral = options.Ephemeral ?? new EphemeralPostgresOptions();
                    ephemeral.Log ??= line => log.Info("postgres: " + line);
                    try
                    {
                        server = await EphemeralPostgres.StartAsync(ephemeral, cancellationToken).ConfigureAwait(false);
                    }
                    catch (PostgresNotFoundException exception)
                    {
                        throw new EngineException(EngineCodes.Configuration, exception.Message, exception);
                    }
                    catch (EphemeralPostgresException exception) when (cancellationToken.IsCancellationRequested)
                    {
                        // Ctrl-C during initdb or pg_ctl start: a cancellation, not a broken installation.
                        throw new OperationCanceledException("cancelled while the throwaway PostgreSQL was starting", exception, cancellationToken);
                    }
                    catch (EphemeralPostgresException exception)
                    {
                        throw new EngineException(EngineCodes.Configuration, "the throwaway PostgreSQL did not start: " + exception.Message, exception);
                    }
                    adminConnection = server.ConnectionString;
                    result.Server = "throwaway cluster from " + server.BinDirectory;
                }
                else
                {
                    adminConnection = options.ServerConnectionString!;
                    // Refuses (SM1001) an unreadable string or one without a Database before anything connects.
                    result.Server = "throwaway databases on " + ConnectionTarget.Parse(adminConnection);
                }

                string suffix = Guid.NewGuid().ToString("N").Substring(0, 10);
                await using var verifyDatabase = await ThrowawayDatabase.CreateAsync(adminConnection, "sm_verify_" + suffix, cancellationToken).ConfigureAwait(false);
                await using var expectedDatabase = await ThrowawayDatabase.CreateAsync(adminConnection, "sm_expected_" + suffix, cancellationToken).ConfigureAwait(false);
                await VerifyAsync(options, await ReplayConnection.WithTimeZoneAsync(verifyDatabase.ConnectionString, options, cancellationToken).ConfigureAwait(false), expectedDatabase.ConnectionString, result, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // Also on failure and cancellation; Ctrl-C and process exit are covered by EphemeralPostgres' own hooks.
                server?.Dispose();
                result.Duration = clock.Elapsed;
            }

            ProductionImpact.Load(options.StatisticsPath, log)?.AddTo(result, log);
            if (options.ReportPath is not null)
            {
                VerifyReport.WriteMarkdown(options.ReportPath, result);
                log.Info("report written to " + options.ReportPath);
            }
            if (options.SarifPath is not null)
            {
                VerifyReport.WriteSarif(options.SarifPath, result, options.AssemblyPath ?? options.Assembly?.Location);
                log.Info("SARIF written to " + options.SarifPath);
            }
            if (result.Passed)
                log.Info($"verify passed: {result.Migrations.Count} migration(s), {result.Steps.Count} step(s) traced, no blocking lock over {Ms(options.LockBudget)} ms, no rewrite, no step changed {options.DataChangeShare * 100:0}% of a table's rows in one transaction, schema as plain EF Core builds it");
            else
                log.Info($"verify failed: {result.Findings.Count} finding(s)");
            return result;
        }

        private static async Task VerifyAsync(VerifyOptions options, string connectionString, string expectedConnectionString, VerifyResult result, CancellationToken cancellationToken)
        {
            IEngineLog log = options.Log;
            using MigrationCatalog catalog = options.Assembly is not null
                ? new MigrationCatalog(DbContextLoader.Create(options.Assembly, options.ContextName, connectionString))
                : MigrationCatalog.Load(options.AssemblyPath!, options.ContextName, connectionString);
            IReadOnlyList<MigrationInfo> migrations = catalog.Migrations;
            if (options.Target is not null)
            {
                MigrationInfo target = catalog.Find(options.Target);
                migrations = migrations.Where(m => string.CompareOrdinal(m.Id, target.Id) <= 0).ToList();
            }
            log.Info($"verifying {migrations.Count} migration(s) of {catalog.Context.GetType().Name}; lock budget {Ms(options.LockBudget)} ms");

            await using var tracer = new StepTracer(connectionString, options.SampleInterval);
            var engineOptions = new EngineOptions
            {
                ConnectionString = connectionString,
                Log = log,
                LockTimeout = options.LockTimeout,
                StepObserver = tracer,
                ContractGate = null, // a throwaway database: no app version to wait for
            };
            var engine = new MigrationEngine(catalog, engineOptions);
            var seeder = new TableSeeder(options.SeedRowsPerMigration, options.MaxSeedRowsPerTable);
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, ApplicationName = "safemigrations-verify-seeder" }.ConnectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

            int deployed = DeployedMigrations.Count(catalog, migrations, options.StartAfter);
            bool failed = deployed > 0 && !await ApplyDeployedAsync(engine, engineOptions, migrations[deployed - 1], deployed, options, result, cancellationToken).ConfigureAwait(false);
            for (int i = deployed; i < migrations.Count && !failed; i++)
            {
                MigrationInfo migration = migrations[i];
                result.Migrations.Add(migration.Id);
                List<UserTable> existing = await TableSeeder.UserTablesAsync(connection, cancellationToken).ConfigureAwait(false);
                // The model this migration leaves behind knows foreign keys the database does not have yet.
                List<DeclaredReference> declared = DeclaredReference.Of(catalog, migration, out string? modelProblem);
                if (modelProblem is not null)
                    log.Info($"{migration.Id}: seeding without the EF model's foreign keys (the model could not be read: {modelProblem})");
                List<string> seeded = await seeder.SeedAsync(connection, declared, cancellationToken).ConfigureAwait(false);
                result.Seeding.Add(new KeyValuePair<string, List<string>>(migration.Id, seeded));
                Dictionary<string, long> seededRows = await DataChangeCheck.CountRowsAsync(connection, existing, cancellationToken).ConfigureAwait(false);
                foreach (string line in seeded.Where(l => l.Contains(": not seeded: ")))
                    log.Info($"{migration.Id}: seeding {line}");

                // A table created by this migration is never pre-existing, in either phase.
                tracer.PreExisting = existing.ToDictionary(t => t.Oid, t => t.Qualified);
                engineOptions.Target = migration.Id;

                tracer.Round = VerifyRound.Expand;
                engineOptions.Phase = PhaseSelection.Expand;
                failed = !await RunAsync(engine, tracer, result, migration, options, seededRows, () => engine.ApplyAsync(cancellationToken)).ConfigureAwait(false);

                if (!failed && i == migrations.Count - 1)
                {
                    log.Info($"{migration.Id}: round trip: rolling back its expand phase, then applying it again");
                    engineOptions.Target = i == 0 ? null : migrations[i - 1].Id;
                    try
                    {
                        await engine.RollbackAsync(cancellationToken).ConfigureAwait(false);
                        tracer.Round = VerifyRound.Reapply;
                        engineOptions.Target = migration.Id;
                        failed = !await RunAsync(engine, tracer, result, migration, options, seededRows, () => engine.ApplyAsync(cancellationToken)).ConfigureAwait(false);
                    }
                    catch (EngineException exception) when (exception.Code == EngineCodes.RollbackNotPossible)
                    {
                        result.Notes.Add($"rollback round trip of {migration.Id} skipped: {exception.Message}");
                        log.Warn(EngineCodes.RollbackNotPossible, $"rollback round trip skipped: {exception.Message}");
                    }
                    catch (EngineException exception)
                    {
                        Add(result, log, new VerifyFinding(exception.Code, migration.Id, null, $"{migration.Id}: the rollback of its expand phase failed: {exception.Message}"));
                        failed = true;
                    }
                    engineOptions.Target = migration.Id;
                }

                if (!failed)
                {
                    tracer.Round = VerifyRound.Contract;
                    engineOptions.Phase = PhaseSelection.Contract;
                    failed = !await RunAsync(engine, tracer, result, migration, options, seededRows, () => engine.ApplyAsync(cancellationToken)).ConfigureAwait(false);
                }
            }

            if (failed)
            {
                result.Notes.Add("schema comparison skipped: a step failed, so the migrations did not all run");
                return;
            }
            await CompareSchemaAsync(options, migrations, connectionString, expectedConnectionString, result, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Applies the migrations deployed before SafeMigrations was adopted (up to <paramref name="last"/>, both phases)
        /// in one untraced engine pass, so the judged ones start from the schema they had in production; false (a
        /// finding) when that fails.
        /// </summary>
        private static async Task<bool> ApplyDeployedAsync(MigrationEngine engine, EngineOptions engineOptions, MigrationInfo last, int count, VerifyOptions options, VerifyResult result, CancellationToken cancellationToken)
        {
            options.Log.Info($"applying {count} migration(s) up to {last.Id} without judging them: deployed before SafeMigrations (start after {options.StartAfter})");
            IStepObserver? observer = engineOptions.StepObserver;
            engineOptions.StepObserver = null;
            engineOptions.Target = last.Id;
            engineOptions.Phase = PhaseSelection.All;
            try
            {
                await engine.ApplyAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (EngineException exception)
            {
                Add(result, options.Log, new VerifyFinding(exception.Code, last.Id, null, $"applying the {count} migration(s) up to {last.Id} (start after {options.StartAfter}: not judged) failed, so none after them can be verified: {exception.Message}"));
                return false;
            }
            finally
            {
                engineOptions.StepObserver = observer;
            }

            result.Notes.Add($"{count} migration(s) up to {last.Id} applied without being judged (start after {options.StartAfter}: deployed before SafeMigrations)");
            return true;
        }

        /// <summary>Runs one engine pass and judges its steps; false when the engine failed (the run stops there).</summary>
        private static async Task<bool> RunAsync(MigrationEngine engine, StepTracer tracer, VerifyResult result, MigrationInfo migration, VerifyOptions options, IReadOnlyDictionary<string, long> seededRows, Func<Task> pass)
        {
            int first = tracer.Traces.Count;
            EngineException? failure = null;
            try
            {
                await pass().ConfigureAwait(false);
            }
            catch (EngineException exception)
            {
                failure = exception;
            }

            var records = engine.Records.ToDictionary(r => (r.Step.MigrationId, r.Step.Index));
            foreach (StepTrace trace in tracer.Traces.Skip(first))
            {
                if (records.TryGetValue((trace.Step.MigrationId, trace.Step.Index), out StepRecord? record))
                {
                    trace.Verified = record.Verified;
                    trace.Error ??= record.Error;
                }
                result.Steps.Add(trace);
                Judge(trace, options, result, seededRows);
            }

            if (failure is not null)
            {
                StepTrace? failedStep = tracer.Traces.Skip(first).LastOrDefault(t => t.Error is not null);
                var finding = new VerifyFinding(failure.Code, migration.Id, failedStep?.Step, failure.Message);
                failedStep?.Findings.Add(finding);
                Add(result, options.Log, finding);
                return false;
            }
            return true;
        }

        private static void Judge(StepTrace trace, VerifyOptions options, VerifyResult result, IReadOnlyDictionary<string, long> seededRows)
        {
            PlanStep step = trace.Step;
            string where = trace.Round == VerifyRound.Reapply ? " (re-applied after rollback)" : string.Empty;
            options.Log.Info($"{step.Name}{where}: traced: locks {Describe(trace.Locks.Where(l => l.PreExisting))}; rewrites {(trace.Rewrites.Count == 0 ? "none" : string.Join(", ", trace.Rewrites))}; scans {(trace.Scans.Count == 0 ? "none" : string.Join(", ", trace.Scans.Select(s => $"{s.Key} x{s.Value}")))}");

            if (trace.Rewrites.Count > 0)
            {
                string tables = string.Join(", ", trace.Rewrites);
                Add(result, options.Log, trace, EngineCodes.TableRewrite,
                    $"{step.Name}{where}: rewrote {tables}, which existed before this migration (relfilenode changed): every row and index is copied under ACCESS EXCLUSIVE, blocking reads and writes for a time that grows with the table. " +
                    "Change a column's type through a new column + sync trigger + batched backfill + swap (SwapColumns), and add columns without a volatile default (add nullable, set the default, backfill, NOT NULL through a check).");
            }

            var overBudget = trace.Locks.Where(l => l.PreExisting && l.Blocking && l.HeldMilliseconds > options.LockBudget.TotalMilliseconds).ToList();
            var underScan = trace.Locks.Where(l => l.PreExisting && l.Blocking && trace.ScannedUnderBlockingLock.Contains(l.Relation) && !overBudget.Contains(l))
                .GroupBy(l => l.Relation).Select(g => g.OrderByDescending(l => Strength(l.Mode)).First()).ToList();
            if (overBudget.Count > 0 || underScan.Count > 0)
            {
                var parts = overBudget.Select(l => $"held {l.Mode} on {l.Relation} for {l.HeldMilliseconds:0} ms (budget {Ms(options.LockBudget)} ms), blocking {Blocked(l.Mode)}")
                    .Concat(underScan.Select(l => $"held {l.Mode} on {l.Relation} while scanning the whole table ({l.HeldMilliseconds:0} ms here on a few seeded rows; the lock lasts as long as the scan, so on real data it grows with the table far past the {Ms(options.LockBudget)} ms budget), blocking {Blocked(l.Mode)}"));
                Add(result, options.Log, trace, EngineCodes.LockOverBudget,
                    $"{step.Name}{where}: {string.Join("; ", parts)}. " +
                    "Build indexes CONCURRENTLY (CreateIndexConcurrently), add constraints NOT VALID then VALIDATE, SET NOT NULL through a validated check (SetNotNullThroughCheck), and keep blocking statements short and in their own transaction.");
            }

            if (DataChangeCheck.Judge(trace, seededRows, options.DataChangeShare, where) is string dataChange)
                Add(result, options.Log, trace, EngineCodes.UnbatchedDataChange, dataChange);
        }

        private static int Strength(string mode) => mode switch
        {
            "ACCESS EXCLUSIVE" => 4,
            "EXCLUSIVE" => 3,
            "SHARE ROW EXCLUSIVE" => 2,
            _ => 1,
        };

        private static string Blocked(string mode) => mode == "ACCESS EXCLUSIVE" ? "reads and writes" : "writes";

        private static void Add(VerifyResult result, IEngineLog log, StepTrace trace, string code, string message)
        {
            var finding = new VerifyFinding(code, trace.Step.MigrationId, trace.Step, message);
            trace.Findings.Add(finding);
            Add(result, log, finding);
        }

        private static void Add(VerifyResult result, IEngineLog log, VerifyFinding finding)
        {
            result.Findings.Add(finding);
            log.Error(finding.Code, finding.Message);
        }

        private static async Task CompareSchemaAsync(VerifyOptions options, IReadOnlyList<MigrationInfo> migrations, string connectionString, string expectedConnectionString, VerifyResult result, CancellationToken cancellationToken)
        {
            if (migrations.Count == 0)
                return;
            IEngineLog log = options.Log;
            log.Info("building the expected schema with plain EF Core Migrate() on a second throwaway database");
            try
            {
                using DbContext context = options.Assembly is not null
                    ? DbContextLoader.Create(options.Assembly, options.ContextName, expectedConnectionString)
                    : DbContextLoader.Create(options.AssemblyPath!, options.ContextName, expectedConnectionString);
                string last = migrations[migrations.Count - 1].Id;
                await Task.Run(() => context.GetService<IMigrator>().Migrate(last), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException && exception is not EngineException)
            {
                string message = $"schema comparison skipped: plain EF Core Migrate() failed on the same migrations: {exception.GetType().Name}: {MigrationEngine.OneLine(exception.Message)}";
                result.Notes.Add(message);
                log.Warn(EngineCodes.SchemaDiffers, message);
                return;
            }
            finally
            {
                using var pooled = new NpgsqlConnection(expectedConnectionString);
                NpgsqlConnection.ClearPool(pooled);
            }

            SortedSet<string> expected = await SchemaSnapshot.ReadAsync(expectedConnectionString, cancellationToken).ConfigureAwait(false);
            SortedSet<string> actual = await SchemaSnapshot.ReadAsync(connectionString, cancellationToken).ConfigureAwait(false);
            result.SchemaDifferences = SchemaSnapshot.Differences(expected, actual);
            if (result.SchemaDifferences.Count > 0)
            {
                string last = migrations[migrations.Count - 1].Id;
                Add(result, log, new VerifyFinding(EngineCodes.SchemaDiffers, last, null,
                    $"{last}: after every migration the schema differs from the one plain EF Core's Migrate() builds from the same migrations ({result.SchemaDifferences.Count} difference(s)): {string.Join("; ", result.SchemaDifferences.Take(10))}{(result.SchemaDifferences.Count > 10 ? "; ..." : string.Empty)}"));
            }
        }

        private static string Describe(IEnumerable<HeldLock> locks)
        {
            var list = locks.ToList();
            return list.Count == 0 ? "none on pre-existing tables" : string.Join(", ", list.Select(l => $"{l.Mode} on {l.Relation} {l.HeldMilliseconds:0} ms"));
        }

        internal static string Ms(TimeSpan time) => time.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
    }

    /// <summary>A database created for the run and dropped (with its sessions) afterwards.</summary>
    internal sealed class ThrowawayDatabase : IAsyncDisposable
    {
        private readonly string _adminConnectionString;
        private readonly string _name;

        private ThrowawayDatabase(string adminConnectionString, string name, string connectionString)
        {
            _adminConnectionString = adminConnectionString;
            _name = name;
            ConnectionString = connectionString;
        }

        public string ConnectionString { get; }

        public static async Task<ThrowawayDatabase> CreateAsync(string adminConnectionString, string name, CancellationToken cancellationToken)
        {
            try
            {
                await using var connection = new NpgsqlConnection(adminConnectionString);
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand("CREATE DATABASE " + SqlIdentifier.Quote(name), connection);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is NpgsqlException || exception is ArgumentException || exception is System.Net.Sockets.SocketException)
            {
                throw new EngineException(EngineCodes.Configuration, $"cannot create the throwaway database {name} on {ConnectionTarget.Describe(adminConnectionString)}: {MigrationEngine.OneLine(exception.Message)}; verify needs a server where it may create databases (CREATEDB), or no connection at all for a throwaway cluster.", exception);
            }
            string connectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name }.ConnectionString;
            return new ThrowawayDatabase(adminConnectionString, name, connectionString);
        }

        public async ValueTask DisposeAsync()
        {
            using (var pooled = new NpgsqlConnection(ConnectionString))
                NpgsqlConnection.ClearPool(pooled);
            try
            {
                await using var connection = new NpgsqlConnection(_adminConnectionString);
                await connection.OpenAsync(CancellationToken.None).ConfigureAwait(false);
                string drop = "DROP DATABASE IF EXISTS " + SqlIdentifier.Quote(_name);
                // WITH (FORCE) (PostgreSQL 13+) ends sessions a failed step left behind.
                await using var command = new NpgsqlCommand(connection.PostgreSqlVersion.Major >= 13 ? drop + " WITH (FORCE)" : drop, connection);
                await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is NpgsqlException || exception is System.Net.Sockets.SocketException)
            {
                // The server is gone (a throwaway cluster stopped by Ctrl-C): nothing is left to drop.
            }
        }
    }
}
