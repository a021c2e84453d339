using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Planning;

namespace SafeMigrations.Engine.Execution
{
    /// <summary>
    /// Applies a step's carried settings (<see cref="PlanStep.SessionSettings"/>) on the session before the step runs,
    /// and restores the previous values afterwards. Set on the session rather than with SET LOCAL, so they hold in every
    /// transaction of the step (each batch of a backfill, each retry) and in statements run outside a transaction
    /// (CREATE INDEX CONCURRENTLY).
    /// </summary>
    internal sealed class StepSessionSettings : IAsyncDisposable
    {
        private readonly NpgsqlConnection _connection;
        private readonly List<(string Parameter, string? Value)> _previous;

        private StepSessionSettings(NpgsqlConnection connection, List<(string, string?)> previous)
        {
            _connection = connection;
            _previous = previous;
        }

        /// <summary>Applies the settings; dispose the result to restore the session. A setting PostgreSQL rejects fails here, before the step.</summary>
        public static async Task<StepSessionSettings> ApplyAsync(NpgsqlConnection connection, PlanStep step, CancellationToken cancellationToken)
        {
            var previous = new List<(string, string?)>();
            var applied = new StepSessionSettings(connection, previous);
            try
            {
                foreach (CarriedSetting setting in step.SessionSettings)
                {
                    await using (var read = new NpgsqlCommand("SELECT current_setting($1, true)", connection))
                    {
                        read.Parameters.AddWithValue(setting.Parameter);
                        previous.Add((setting.Parameter, await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string));
                    }
                    await using var set = new NpgsqlCommand(setting.Statement, connection);
                    await set.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch
            {
                await applied.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            return applied;
        }

        /// <summary>Puts every changed parameter back; quiet when the connection is gone (the session went with it).</summary>
        public async ValueTask DisposeAsync()
        {
            for (int i = _previous.Count - 1; i >= 0; i--)
            {
                var (parameter, value) = _previous[i];
                try
                {
                    await using var restore = value is null
                        ? new NpgsqlCommand("SELECT set_config($1, '', false)", _connection)
                        : new NpgsqlCommand("SELECT set_config($1, $2, false)", _connection);
                    restore.Parameters.AddWithValue(parameter);
                    if (value is not null)
                        restore.Parameters.AddWithValue(value);
                    await restore.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is NpgsqlException || exception is InvalidOperationException)
                {
                    // The connection broke or is mid-failure; a new session starts from the server's defaults.
                }
            }
        }
    }
}
