using System.Threading;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore.Infrastructure;
using SafeMigrations;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Runtime;

namespace Microsoft.EntityFrameworkCore
{
    /// <summary>
    /// SafeMigrations from inside the application (start-up, a Kubernetes Job, an init container), next to EF Core's
    /// <c>context.Database.MigrateAsync()</c>: the same engine, phases, state table and SM10xx codes as the MSBuild
    /// targets and the runner, over the context's own migrations, connection and logger factory.
    /// </summary>
    public static class SafeMigrationsDatabaseFacadeExtensions
    {
        /// <summary>
        /// Runs one phase of every pending migration (up to <see cref="SafeMigrationOptions.TargetMigration"/>):
        /// <see cref="MigrationPhase.Expand"/> before the new app version rolls out (writes the EF history rows),
        /// <see cref="MigrationPhase.Contract"/> after every instance runs it (the point of no return). Resumes what an
        /// earlier run left; when another instance is running, waits for it (<see cref="SafeMigrationOptions.AnotherInstanceWait"/>).
        /// </summary>
        /// <exception cref="SafeMigrationsException">A coded failure (SM1001..SM1016) naming the migration, step and what to do; completed steps stay recorded.</exception>
        /// <exception cref="System.OperationCanceledException">Cancelled (SM1009, recorded in the state table); a rerun resumes.</exception>
        public static Task<SafeMigrationResult> MigrateSafelyAsync(this DatabaseFacade database, MigrationPhase phase, SafeMigrationOptions? options = null, CancellationToken cancellationToken = default)
            => InAppRun.RunAsync(database, "apply", Selection(phase), options, cancellationToken);

        /// <summary>
        /// Plans the steps the phase would run (every pending migration, with SM1006 findings for what cannot be made
        /// safe); changes nothing. The plans are in <see cref="SafeMigrationResult.Plans"/>.
        /// </summary>
        /// <exception cref="SafeMigrationsException">A coded failure.</exception>
        public static Task<SafeMigrationResult> PlanSafeMigrationAsync(this DatabaseFacade database, MigrationPhase phase, SafeMigrationOptions? options = null, CancellationToken cancellationToken = default)
            => InAppRun.RunAsync(database, "plan", Selection(phase), options, cancellationToken);

        /// <summary>Each migration's state (pending, partially expanded, expanded with contract pending, applied) in <see cref="SafeMigrationResult.Statuses"/>; changes nothing.</summary>
        /// <exception cref="SafeMigrationsException">A coded failure.</exception>
        public static Task<SafeMigrationResult> GetSafeMigrationStatusAsync(this DatabaseFacade database, SafeMigrationOptions? options = null, CancellationToken cancellationToken = default)
            => InAppRun.RunAsync(database, "status", PhaseSelection.All, options, cancellationToken);

        /// <summary>
        /// Undoes the completed expand steps of the last migration whose contract phase has not run (or of every
        /// migration after <see cref="SafeMigrationOptions.TargetMigration"/>) and deletes their EF history rows.
        /// </summary>
        /// <exception cref="SafeMigrationsException">SM1008 when a migration cannot be rolled back (its contract ran, or a step has no undo); other coded failures.</exception>
        public static Task<SafeMigrationResult> RollbackSafeMigrationAsync(this DatabaseFacade database, SafeMigrationOptions? options = null, CancellationToken cancellationToken = default)
            => InAppRun.RunAsync(database, "rollback", PhaseSelection.Expand, options, cancellationToken);

        private static PhaseSelection Selection(MigrationPhase phase)
            => phase == MigrationPhase.Contract ? PhaseSelection.Contract : PhaseSelection.Expand;
    }
}
