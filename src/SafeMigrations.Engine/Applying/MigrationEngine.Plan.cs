using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.State;
using SafeMigrations.Engine.Statistics;

namespace SafeMigrations.Engine.Applying
{
    public sealed partial class MigrationEngine
    {
        /// <summary>Plans one migration (no database needed).</summary>
        public MigrationPlan Plan(MigrationInfo migration) => _planner.Plan(migration);

        /// <summary>
        /// Prints the plan of every migration that still has steps to run in the selected phases (every migration up to
        /// the target when no connection string is set), with SM1006 warnings for what cannot be made safe.
        /// </summary>
        public async Task<IReadOnlyList<MigrationPlan>> PlanAsync(CancellationToken cancellationToken = default)
        {
            return await RunAsync("plan", async () =>
            {
                IReadOnlyList<MigrationInfo> upToTarget = MigrationsUpToTarget();
                var plans = new List<MigrationPlan>();
                HashSet<string>? applied = null;
                Dictionary<(string, int), StepState>? states = null;
                if (!string.IsNullOrWhiteSpace(_options.ConnectionString))
                {
                    await using RecordedProgress progress = await ReadProgressAsync(ProgressAccess.Look, cancellationToken).ConfigureAwait(false);
                    (_, _, applied, states) = progress;
                }
                else
                {
                    Log.Info("no connection string: planning every migration (pending ones cannot be told apart)");
                }
                ProductionImpact? impact = ProductionImpact.Load(_options.StatisticsPath, Log);

                foreach (MigrationInfo migration in upToTarget)
                {
                    MigrationPlan plan = _planner.Plan(migration);
                    if (applied is not null && states is not null)
                    {
                        foreach (PlanDrift drift in RecordedProgressCheck.Find(new[] { migration }, _ => plan, applied, states, HistoryMarkerStep).Where(d => !d.NothingLeft))
                            Log.Warn(EngineCodes.PlanChanged, drift.Message);
                    }
                    var steps = plan.Steps.Where(step => WillRun(step, applied, states)).ToList();
                    if (steps.Count == 0 && (applied?.Contains(migration.Id) ?? false))
                        continue;
                    plans.Add(plan);
                    Log.Info($"{migration.Id}: {steps.Count} step(s) to run in phase {_options.Phase}" + (plan.Steps.Count > steps.Count ? $" ({plan.Steps.Count - steps.Count} done or in the other phase)" : string.Empty));
                    foreach (PlanStep step in steps)
                    {
                        Log.Info($"{step.Name} [{step.Phase.ToString().ToLowerInvariant()}] {MarkdownReport.Policy(step.Transaction)}; lock: {step.Lock}; verify: {step.VerificationDescription ?? "none"}" + (step.RewrittenFrom is null ? string.Empty : $"; rewritten from {step.RewrittenFrom}") + (step.RuleNote is null ? string.Empty : $"; {step.RuleNote}"));
                        Log.Info($"{step.Name} sql: {OneLine(step.Sql)}");
                        if (impact?.Describe(step) is string production)
                            Log.Info($"{step.Name} production: {production}");
                        if (applied is not null && step.TimeZoneIndexes is { OldTypeReadAtRunTime: true } rawTimeZone)
                            Log.Info($"{step.Name} old type: {await Execution.TimestampTzIndexRecipe.DescribeNowAsync(OpenAsync, rawTimeZone, cancellationToken).ConfigureAwait(false)}");
                        if (SessionSettings.Describe(step) is string carried)
                            Log.Info($"{step.Name} runs with: {carried}");
                        if (step.NoUndoReason is not null)
                            Log.Info($"{step.Name} undo: none ({step.NoUndoReason})");
                        if (step.Warning is not null)
                            Warn(step, step.Warning);
                        _records.Add(new StepRecord(step, StepOutcome.Planned));
                    }
                }
                if (plans.Count == 0)
                    Log.Info("nothing to do: the database is up to date for phase " + _options.Phase);
                return (IReadOnlyList<MigrationPlan>)plans;
            }).ConfigureAwait(false);
        }

        private bool WillRun(PlanStep step, HashSet<string>? applied, Dictionary<(string, int), StepState>? states)
        {
            if (!PhaseSelected(step.Phase))
                return false;
            if (applied is null || states is null)
                return true;
            if (states.TryGetValue((step.MigrationId, step.Index), out StepState? state) && state.Status == StepStatus.Completed)
                return false;
            // Applied by plain EF (history row, no SafeMigrations record): nothing left.
            return !(applied.Contains(step.MigrationId) && !states.ContainsKey((step.MigrationId, HistoryMarkerStep)));
        }
    }
}
