using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Execution;
using SafeMigrations.Engine.Gate;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.State;

namespace SafeMigrations.Engine.Applying
{
    public sealed partial class MigrationEngine
    {
        /// <summary>Applies the selected phases of every migration up to the target.</summary>
        /// <exception cref="EngineException">A step failed (the message names it); completed steps stay recorded.</exception>
        public Task ApplyAsync(CancellationToken cancellationToken = default)
        {
            return RunAsync("apply", async () =>
            {
                IReadOnlyList<MigrationInfo> upToTarget = MigrationsUpToTarget();
                await using RecordedProgress progress = await ReadProgressAsync(ProgressAccess.ExecuteAndWriteHistory, cancellationToken).ConfigureAwait(false);
                var (connection, store, applied, states) = progress;
                foreach (PlanDrift drift in RecordedProgressCheck.Find(upToTarget, _planner.Plan, applied, states, HistoryMarkerStep).Where(d => !d.NothingLeft))
                {
                    if (!drift.OnlyEditedInPlace || _options.AcceptEditedMigration is null || _catalog.Find(_options.AcceptEditedMigration).Id != drift.Migration.Id)
                        throw new EngineException(EngineCodes.PlanChanged, drift.Message);
                    await drift.AcceptAsync(store, _planner.Plan(drift.Migration), cancellationToken).ConfigureAwait(false);
                    Log.Warn(EngineCodes.PlanChanged, $"{drift.Migration.Id}: accepted as edited in place ({string.Join("; ", drift.Mismatches.Select(m => "step " + m.StepIndex))}): the new SQL of these steps is recorded as what ran");
                }

                int ran = 0;
                ContractGate? gate = _options.ContractGate is null ? null : new ContractGate(_options.ContractGate, Log, reuseFirstSample: _options.Phase == PhaseSelection.Contract);
                foreach (MigrationInfo migration in upToTarget)
                {
                    bool isApplied = applied.Contains(migration.Id);
                    bool managed = states.ContainsKey((migration.Id, HistoryMarkerStep));
                    if (isApplied && !managed)
                        continue; // applied by plain EF: every step already ran

                    MigrationPlan plan = _planner.Plan(migration);
                    foreach (PlanStep step in plan.Steps.Where(s => s.Warning is not null && PhaseSelected(s.Phase)))
                        Warn(step, step.Warning!);

                    if (!isApplied)
                    {
                        if (_options.Phase == PhaseSelection.Contract)
                        {
                            Log.Info($"{migration.Id}: its expand phase has not run; stopping here (run the expand phase first)");
                            break;
                        }
                        foreach (PlanStep step in plan.ExpandSteps)
                            await _executor.RunStepAsync(connection, store, step, states, cancellationToken).ConfigureAwait(false);
                        await WriteHistoryAsync(connection, store, migration.Id, cancellationToken).ConfigureAwait(false);
                        applied.Add(migration.Id);
                        _historyWritten.Add(migration.Id);
                        Log.Info($"{migration.Id}: expand phase complete; EF history row written");
                        ran++;
                    }

                    if (_options.Phase != PhaseSelection.Expand)
                    {
                        var contract = plan.ContractSteps.ToList();
                        if (gate is not null)
                            await gate.CheckAsync(connection, migration.Id, contract.Where(s => !IsCompleted(states, s)).ToList(), cancellationToken).ConfigureAwait(false);
                        foreach (PlanStep step in contract)
                            await _executor.RunStepAsync(connection, store, step, states, cancellationToken).ConfigureAwait(false);
                        if (contract.Count > 0)
                        {
                            Log.Info($"{migration.Id}: contract phase complete");
                            ran++;
                        }
                    }
                    else if (plan.ContractSteps.Any(s => !IsCompleted(states, s)))
                    {
                        Log.Info($"{migration.Id}: {plan.ContractSteps.Count(s => !IsCompleted(states, s))} contract step(s) wait for the contract phase (after the new app version is rolled out)");
                    }
                }
                if (ran == 0)
                    Log.Info("nothing to do: the database is up to date for phase " + _options.Phase);
                return 0;
            });
        }

        private async Task WriteHistoryAsync(NpgsqlConnection connection, StepStateStore store, string migrationId, CancellationToken cancellationToken)
        {
            string insert = _catalog.HistoryInsertSql(migrationId);
            try
            {
                await new BlockingStepRunner(_options.LockPolicy()).RunAsync(connection, async (transaction, token) =>
                {
                    await StepExecutor.ExecuteAsync(connection, insert, token, transaction).ConfigureAwait(false);
                    await store.RecordHistoryMarkerAsync(migrationId, HistoryMarkerStep, transaction, token).ConfigureAwait(false);
                    return 0;
                }, null, cancellationToken).ConfigureAwait(false);
            }
            catch (StepFailedException failed)
            {
                // Coded like a step: a connection lost right after the last step's commit used to surface as "unexpected".
                throw StepExecutor.Coded(failed, $"{migrationId}: writing its EF history row failed", "every expand step is recorded as done, so a rerun of apply only writes the row.");
            }
        }
    }
}
