using System;
using System.Collections.Generic;
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
        /// <summary>Prints each migration's state: pending, expand done with contract waiting, or fully applied.</summary>
        public Task StatusAsync(CancellationToken cancellationToken = default)
        {
            return RunAsync("status", async () =>
            {
                await using RecordedProgress progress = await ReadProgressAsync(ProgressAccess.Look, cancellationToken).ConfigureAwait(false);
                var (connection, _, applied, states) = progress;
                foreach (MigrationInfo migration in _catalog.Migrations)
                {
                    bool managed = states.ContainsKey((migration.Id, HistoryMarkerStep));
                    if (applied.Contains(migration.Id) && !managed)
                    {
                        Log.Info($"{migration.Id}: applied (by EF Core)");
                        continue;
                    }
                    MigrationPlan plan = _planner.Plan(migration);
                    foreach (PlanDrift drift in RecordedProgressCheck.Find(new[] { migration }, _ => plan, applied, states, HistoryMarkerStep))
                    {
                        if (drift.NothingLeft)
                            Log.Info($"{migration.Id}: edited after it was applied ({string.Join("; ", drift.Mismatches)}); nothing of it runs again, so this changes nothing in the database");
                        else
                            Log.Warn(EngineCodes.PlanChanged, drift.Message);
                    }
                    int expandDone = plan.ExpandSteps.Count(s => IsCompleted(states, s));
                    int contractDone = plan.ContractSteps.Count(s => IsCompleted(states, s));
                    string phases = $"expand {expandDone}/{plan.ExpandSteps.Count()}, contract {contractDone}/{plan.ContractSteps.Count()}";
                    string status = applied.Contains(migration.Id)
                        ? contractDone < plan.ContractSteps.Count() ? "expanded, contract pending" : "applied"
                        : expandDone > 0 ? "partially expanded (a rerun of apply resumes)" : "pending";
                    Log.Info($"{migration.Id}: {status} ({phases})");
                    foreach (PlanStep step in plan.Steps)
                    {
                        if (states.TryGetValue((migration.Id, step.Index), out StepState? state) && state.Status == StepStatus.Failed)
                            Log.Warn(state.ErrorCode ?? EngineCodes.StepFailed, RecordedFailure.StatusLine(step, state));
                    }
                    foreach (InvalidIndex leftover in await InvalidIndexReport.FindAsync(connection, plan.Steps, cancellationToken).ConfigureAwait(false))
                        Log.Warn(EngineCodes.StepFailed, leftover.Message);
                }
                return 0;
            });
        }
    }
}
