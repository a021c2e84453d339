using System;
using System.Collections.Generic;
using System.Linq;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;

namespace SafeMigrations.Engine.State
{
    /// <summary>A recorded step that does not match the planned step at its position.</summary>
    public sealed class StepMismatch
    {
        internal StepMismatch(int stepIndex, string? recordedKind, StepStatus? recordedStatus, string? plannedKind, string reason)
        {
            StepIndex = stepIndex;
            RecordedKind = recordedKind;
            RecordedStatus = recordedStatus;
            PlannedKind = plannedKind;
            Reason = reason;
        }

        /// <summary>The step's position (1-based).</summary>
        public int StepIndex { get; }

        /// <summary>Kind of the step recorded at that position, or null when nothing was recorded there.</summary>
        public string? RecordedKind { get; }

        /// <summary>Status of the recorded step, or null when nothing was recorded there.</summary>
        public StepStatus? RecordedStatus { get; }

        /// <summary>Kind of the planned step at that position, or null when the plan has none there any more.</summary>
        public string? PlannedKind { get; }

        /// <summary>What differs, for messages.</summary>
        public string Reason { get; }

        /// <inheritdoc />
        public override string ToString()
            => $"step {StepIndex}: recorded {RecordedKind ?? "nothing"}{(RecordedStatus is StepStatus status ? " (" + status.ToString().ToLowerInvariant() + ")" : string.Empty)}, planned {PlannedKind ?? "nothing"}: {Reason}";
    }

    /// <summary>A migration whose plan no longer matches its recorded progress.</summary>
    public sealed class PlanDrift
    {
        internal PlanDrift(MigrationInfo migration, IReadOnlyList<StepMismatch> mismatches, bool nothingLeft)
        {
            Migration = migration;
            Mismatches = mismatches;
            NothingLeft = nothingLeft;
        }

        /// <summary>The migration.</summary>
        public MigrationInfo Migration { get; }

        /// <summary>Each step that does not match.</summary>
        public IReadOnlyList<StepMismatch> Mismatches { get; }

        /// <summary>Every recorded and planned step is completed: nothing would run, so the edit is harmless.</summary>
        public bool NothingLeft { get; }

        /// <summary>
        /// Every mismatch is a step of the same kind at the same position whose SQL changed (as when an EF Core upgrade
        /// changes the SQL it generates): the user may accept it, and no step is inserted, removed or moved.
        /// </summary>
        public bool OnlyEditedInPlace => Mismatches.All(m => m.RecordedKind is not null && string.Equals(m.RecordedKind, m.PlannedKind, StringComparison.Ordinal));

        /// <summary>The SM1013 message: the migration, each mismatched step, and how to go on.</summary>
        public string Message => RecordedProgressCheck.Describe(Migration.Id, Mismatches)
            + (OnlyEditedInPlace ? $" If the new SQL is what ran (only its form changed, e.g. after an EF Core upgrade), accept it with --accept-edited {Migration.Id} (SafeMigrationsAcceptEdited)." : string.Empty);

        /// <summary>Records the planned fingerprints of the edited steps (only when <see cref="OnlyEditedInPlace"/>).</summary>
        public async System.Threading.Tasks.Task AcceptAsync(StepStateStore store, MigrationPlan plan, System.Threading.CancellationToken cancellationToken = default)
        {
            if (!OnlyEditedInPlace)
                throw new InvalidOperationException("Only steps edited in place can be accepted.");
            foreach (StepMismatch mismatch in Mismatches)
                await store.RecordFingerprintAsync(Migration.Id, mismatch.StepIndex, StepFingerprint.Of(plan.Steps[mismatch.StepIndex - 1]), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Compares a migration's plan with the progress recorded for it. Progress is keyed by step position, so a
    /// migration edited after it partly ran would otherwise hand a new step the "completed" of the step that used to
    /// be at its position. Rows without a fingerprint (written before fingerprints existed) are matched by kind only.
    /// </summary>
    public static class RecordedProgressCheck
    {
        /// <summary>
        /// The migrations among <paramref name="migrations"/> that SafeMigrations ran (all or part of) whose plan no
        /// longer matches what was recorded. Migrations applied by plain EF Core (no history marker) have nothing recorded.
        /// </summary>
        public static IReadOnlyList<PlanDrift> Find(IEnumerable<MigrationInfo> migrations, Func<MigrationInfo, MigrationPlan> plan, ICollection<string> applied, IReadOnlyDictionary<(string, int), StepState> states, int historyMarkerStep)
        {
            var recorded = new HashSet<string>(states.Keys.Select(k => k.Item1), StringComparer.Ordinal);
            var drifts = new List<PlanDrift>();
            foreach (MigrationInfo migration in migrations.Where(m => recorded.Contains(m.Id)))
            {
                MigrationPlan migrationPlan = plan(migration);
                bool expandComplete = applied.Contains(migration.Id) && states.ContainsKey((migration.Id, historyMarkerStep));
                IReadOnlyList<StepMismatch> mismatches = Compare(migrationPlan, states, expandComplete, historyMarkerStep);
                if (mismatches.Count > 0)
                    drifts.Add(new PlanDrift(migration, mismatches, NothingLeft(migrationPlan, states, historyMarkerStep)));
            }
            return drifts;
        }

        /// <summary>
        /// Every recorded step of <paramref name="plan"/>'s migration that is not the planned step at its position
        /// (another kind, other SQL, or no step there any more); and, when <paramref name="expandComplete"/> (the history
        /// row was written by SafeMigrations), every expand step with no record (added after the expand phase ran: it
        /// would never run).
        /// </summary>
        public static IReadOnlyList<StepMismatch> Compare(MigrationPlan plan, IReadOnlyDictionary<(string, int), StepState> states, bool expandComplete, int historyMarkerStep = 0)
        {
            if (plan is null)
                throw new ArgumentNullException(nameof(plan));
            if (states is null)
                throw new ArgumentNullException(nameof(states));
            string migrationId = plan.Migration.Id;
            var mismatches = new List<StepMismatch>();
            foreach (StepState recorded in states.Values.Where(s => s.MigrationId == migrationId && s.StepIndex != historyMarkerStep).OrderBy(s => s.StepIndex))
            {
                PlanStep? planned = recorded.StepIndex >= 1 && recorded.StepIndex <= plan.Steps.Count ? plan.Steps[recorded.StepIndex - 1] : null;
                if (planned is null)
                    mismatches.Add(new StepMismatch(recorded.StepIndex, recorded.StepKind, recorded.Status, null, "the plan has no step at this position any more (a step was removed)"));
                else if (!string.Equals(planned.Kind, recorded.StepKind, StringComparison.Ordinal))
                    mismatches.Add(new StepMismatch(recorded.StepIndex, recorded.StepKind, recorded.Status, planned.Kind, "another kind of step is at this position now (a step was inserted, removed or moved)"));
                else if (recorded.Fingerprint is not null && !string.Equals(recorded.Fingerprint, StepFingerprint.Of(planned), StringComparison.Ordinal))
                    mismatches.Add(new StepMismatch(recorded.StepIndex, recorded.StepKind, recorded.Status, planned.Kind, "the step at this position runs other SQL than the one that was recorded (edited, or another step moved here)"));
            }
            if (expandComplete)
            {
                foreach (PlanStep step in plan.ExpandSteps.Where(s => !states.ContainsKey((migrationId, s.Index))))
                    mismatches.Add(new StepMismatch(step.Index, null, null, step.Kind, "added after the expand phase completed, so it would never run"));
            }
            return mismatches.OrderBy(m => m.StepIndex).ToList();
        }

        /// <summary>
        /// True when nothing of <paramref name="plan"/> would run: every planned step and every recorded step is
        /// completed. An edit of such a migration changes nothing in the database, so it is reported, not refused.
        /// </summary>
        public static bool NothingLeft(MigrationPlan plan, IReadOnlyDictionary<(string, int), StepState> states, int historyMarkerStep = 0)
        {
            string migrationId = plan.Migration.Id;
            return states.ContainsKey((migrationId, historyMarkerStep))
                && plan.Steps.All(s => states.TryGetValue((migrationId, s.Index), out StepState? state) && state.Status == StepStatus.Completed)
                && states.Values.Where(s => s.MigrationId == migrationId).All(s => s.Status == StepStatus.Completed);
        }

        /// <summary>The SM1013 message: the migration, each mismatched step, and how to go on.</summary>
        public static string Describe(string migrationId, IReadOnlyList<StepMismatch> mismatches)
            => $"{migrationId}: the migration was changed after SafeMigrations ran part of it, and the plan no longer matches the progress recorded in safemigrations.state ("
               + string.Join("; ", mismatches.Select(m => m.ToString()))
               + "). apply and rollback run nothing until this is resolved: revert the edit, then either finish the migration with apply and put the change in a new migration, or undo it with rollback and apply the edited migration.";
    }
}
