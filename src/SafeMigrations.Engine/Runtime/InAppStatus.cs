using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Connections;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.State;

namespace SafeMigrations.Engine.Runtime
{
    /// <summary>The status command's answer as data: each migration's state from the EF history table and <c>safemigrations.state</c>.</summary>
    internal static class InAppStatus
    {
        public static async Task<IReadOnlyList<SafeMigrationStatus>> ReadAsync(MigrationCatalog catalog, MigrationEngine engine, EngineOptions options, CancellationToken cancellationToken)
        {
            var applied = new HashSet<string>(catalog.AppliedMigrationIds(), StringComparer.Ordinal);
            var done = new HashSet<(string, int)>();
            var recorded = new HashSet<string>(StringComparer.Ordinal);
            await using (NpgsqlConnection connection = await EngineConnectionFactory.For(options).OpenAsync(cancellationToken).ConfigureAwait(false))
            {
                await using var exists = new NpgsqlCommand($"SELECT {CatalogChecks.Relation(StepStateStore.SchemaName, StepStateStore.TableName)} IS NOT NULL", connection);
                if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
                {
                    foreach (StepState state in await new StepStateStore(connection).ListAsync(null, cancellationToken).ConfigureAwait(false))
                    {
                        recorded.Add(state.MigrationId);
                        if (state.Status == StepStatus.Completed)
                            done.Add((state.MigrationId, state.StepIndex));
                    }
                }
            }

            var statuses = new List<SafeMigrationStatus>();
            foreach (MigrationInfo migration in catalog.Migrations)
            {
                MigrationPlan plan = engine.Plan(migration);
                int expand = plan.ExpandSteps.Count();
                int contract = plan.ContractSteps.Count();
                if (applied.Contains(migration.Id) && !done.Contains((migration.Id, MigrationEngine.HistoryMarkerStep)))
                {
                    // Applied by plain EF Core: every step ran.
                    statuses.Add(new SafeMigrationStatus(migration.Id, SafeMigrationState.Applied, expand, expand, contract, contract));
                    continue;
                }
                int expandDone = plan.ExpandSteps.Count(s => done.Contains((migration.Id, s.Index)));
                int contractDone = plan.ContractSteps.Count(s => done.Contains((migration.Id, s.Index)));
                SafeMigrationState state = applied.Contains(migration.Id)
                    ? contractDone < contract ? SafeMigrationState.Expanded : SafeMigrationState.Applied
                    : recorded.Contains(migration.Id) ? SafeMigrationState.PartiallyExpanded : SafeMigrationState.Pending;
                statuses.Add(new SafeMigrationStatus(migration.Id, state, expandDone, expand, contractDone, contract));
            }
            return statuses;
        }
    }
}
