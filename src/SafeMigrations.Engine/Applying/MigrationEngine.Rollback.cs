using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Execution;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.State;

namespace SafeMigrations.Engine.Applying
{
    public sealed partial class MigrationEngine
    {
        /// <summary>
        /// Undoes the completed expand steps of migrations whose contract phase has not run, newest first, and deletes
        /// their history rows: the last such migration, or every one after <see cref="EngineOptions.Target"/>.
        /// </summary>
        public Task RollbackAsync(CancellationToken cancellationToken = default)
        {
            return RunAsync("rollback", async () =>
            {
                await using RecordedProgress progress = await ReadProgressAsync(ProgressAccess.Execute, cancellationToken).ConfigureAwait(false);
                var (connection, store, applied, states) = progress;

                // Candidates: applied or partially applied migrations, newest first.
                var touched = _catalog.Migrations
                    .Where(m => applied.Contains(m.Id) || states.Keys.Any(k => k.Item1 == m.Id))
                    .Reverse()
                    .ToList();
                List<MigrationInfo> victims;
                if (_options.Target is not null)
                {
                    MigrationInfo target = _catalog.Find(_options.Target);
                    victims = touched.Where(m => string.CompareOrdinal(m.Id, target.Id) > 0).ToList();
                }
                else
                {
                    victims = touched.Take(1).ToList();
                }
                if (victims.Count == 0)
                {
                    Log.Info("nothing to roll back");
                    return 0;
                }

                // Check every victim first: a rollback never stops half way on something it knew it could not undo.
                // A planned step with no record is nothing to undo (an interrupted rollback already undid and forgot it, or it never
                // ran); only recorded steps that no longer match the plan make an undo unsafe.
                foreach (PlanDrift drift in RecordedProgressCheck.Find(victims, _planner.Plan, applied, states, HistoryMarkerStep).Where(d => d.Mismatches.Any(m => m.RecordedKind is not null)))
                    throw new EngineException(EngineCodes.PlanChanged, drift.Message);
                var plans = new List<MigrationPlan>();
                foreach (MigrationInfo migration in victims)
                {
                    if (applied.Contains(migration.Id) && !states.ContainsKey((migration.Id, HistoryMarkerStep)))
                        throw new EngineException(EngineCodes.RollbackNotPossible, $"{migration.Id} was applied by EF Core, not by SafeMigrations, so its steps are unknown; roll it back with a new forward migration (or dotnet ef database update <previous>).");
                    MigrationPlan plan = _planner.Plan(migration);
                    PlanStep? contractDone = plan.ContractSteps.FirstOrDefault(s => IsCompleted(states, s));
                    if (contractDone is not null)
                        throw new EngineException(EngineCodes.RollbackNotPossible, $"{contractDone.Name}: the contract phase of {migration.Id} ran, which is the point of no return; going back is a new forward migration.");
                    PlanStep? stuck = plan.ExpandSteps.FirstOrDefault(s => (IsCompleted(states, s) || HasCommittedBatches(states, s)) && s.UndoSql is null && !s.NoUndoNeeded);
                    if (stuck is not null)
                        throw new EngineException(EngineCodes.RollbackNotPossible, $"{stuck.Name}: this step has no automatic undo{(stuck.NoUndoReason is null ? string.Empty : " (" + stuck.NoUndoReason + ")")}; nothing was rolled back. Write a new forward migration that reverts {migration.Id}.");
                    await RollbackDataCheck.EnsureNothingLostAsync(connection, plan.ExpandSteps.Where(s => states.ContainsKey((s.MigrationId, s.Index))), cancellationToken).ConfigureAwait(false);
                    plans.Add(plan);
                }

                foreach (MigrationPlan plan in plans)
                {
                    foreach (PlanStep step in plan.ExpandSteps.Reverse())
                    {
                        if (!states.ContainsKey((step.MigrationId, step.Index)))
                            continue;
                        await _executor.Lock!.EnsureHeldAsync(cancellationToken).ConfigureAwait(false);
                        var record = new StepRecord(step, StepOutcome.RolledBack);
                        var clock = Stopwatch.StartNew();
                        if (step.UndoSql is not null)
                        {
                            Log.Info($"{step.Name}: undo: {OneLine(step.UndoSql!)}");
                            record.Retries = await _executor.RunUndoAsync(connection, step, cancellationToken).ConfigureAwait(false);
                        }
                        await store.RemoveAsync(step.MigrationId, step.Index, cancellationToken).ConfigureAwait(false);
                        record.Duration = clock.Elapsed;
                        _records.Add(record);
                    }
                    await DeleteHistoryAsync(connection, store, plan.Migration.Id, cancellationToken).ConfigureAwait(false);
                    Log.Info($"{plan.Migration.Id}: rolled back; EF history row deleted");
                }
                return 0;
            });
        }

        private async Task DeleteHistoryAsync(NpgsqlConnection connection, StepStateStore store, string migrationId, CancellationToken cancellationToken)
        {
            string deleteHistory = _catalog.HistoryDeleteSql(migrationId);
            try
            {
                await new BlockingStepRunner(_options.LockPolicy()).RunAsync(connection, async (transaction, token) =>
                {
                    await StepExecutor.ExecuteAsync(connection, deleteHistory, token, transaction).ConfigureAwait(false);
                    await store.RemoveMigrationAsync(migrationId, transaction, token).ConfigureAwait(false);
                    return 0;
                }, null, cancellationToken).ConfigureAwait(false);
            }
            catch (StepFailedException failed)
            {
                throw StepExecutor.Coded(failed, $"{migrationId}: deleting its EF history row failed", "every step is undone, so a rerun of rollback only deletes the row.");
            }
        }

        /// <summary>A batched step that stopped part way (failed or cancelled) has committed the batches before its saved position; a timestamptz index recipe with a saved position may have dropped indexes.</summary>
        private static bool HasCommittedBatches(Dictionary<(string, int), StepState> states, PlanStep step)
            => (step.Transaction == StepTransaction.Batched || step.TimeZoneIndexes is not null) && states.TryGetValue((step.MigrationId, step.Index), out StepState? state) && state.Position is not null;
    }
}
