using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace SafeMigrations.Engine.Backfill
{
    /// <summary>Times the application's probe query: a baseline before the work, then one reading between batches.</summary>
    internal sealed class LatencyProbe
    {
        private const int BaselineRuns = 5;

        private readonly string _sql;

        public LatencyProbe(string sql) => _sql = sql;

        /// <summary>The median of a few runs: the first warms the plan cache, one outlier does not set the bar.</summary>
        public async Task<TimeSpan> BaselineAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            var runs = new TimeSpan[BaselineRuns];
            for (int i = 0; i < runs.Length; i++)
                runs[i] = await TimeAsync(connection, cancellationToken).ConfigureAwait(false);
            return runs.OrderBy(t => t).ElementAt(BaselineRuns / 2);
        }

        /// <summary>One reading; a slow one is taken again and the faster kept, so a single hiccup does not slow the work.</summary>
        public async Task<TimeSpan> ReadAsync(NpgsqlConnection connection, TimeSpan bound, CancellationToken cancellationToken)
        {
            TimeSpan first = await TimeAsync(connection, cancellationToken).ConfigureAwait(false);
            if (first <= bound)
                return first;
            TimeSpan second = await TimeAsync(connection, cancellationToken).ConfigureAwait(false);
            return second < first ? second : first;
        }

        private async Task<TimeSpan> TimeAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            await using var command = new NpgsqlCommand(_sql, connection);
            var clock = Stopwatch.StartNew();
            try
            {
                // Every row read: the app waits for the whole answer too.
                await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                }
            }
            catch (PostgresException failure)
            {
                throw new PacingStopException(
                    Reporting.EngineCodes.Configuration,
                    $"the latency probe failed: {failure.SqlState}: {failure.MessageText}; fix the probe query (--latency-probe) or leave it out, then rerun.",
                    failure);
            }
            return clock.Elapsed;
        }
    }
}
