using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;

namespace SafeMigrations.Engine.Tests.Faults
{
    /// <summary>One server session as pg_stat_activity shows it.</summary>
    internal sealed record Backend(int Pid, string ApplicationName, string? State, string? WaitEventType, string? WaitEvent, string Query)
    {
        public override string ToString() => $"pid {Pid} '{ApplicationName}' {State} wait {WaitEventType}/{WaitEvent}: {Query}";
    }

    /// <summary>
    /// The runner's sessions seen from the server: every client backend of the test database except the test's own,
    /// which all carry <see cref="TestApplicationName"/>. Used to wait for a point (a statement waiting on a lock) and
    /// to terminate a session the way a DBA or a failover would.
    /// </summary>
    internal static class ServerSessions
    {
        /// <summary>application_name of every session the test itself opens (observers, blockers, the old app).</summary>
        public const string TestApplicationName = "safemigrations-fault-test";

        /// <summary><paramref name="connectionString"/> marked as the test's own.</summary>
        public static string ForTest(string connectionString)
            => new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = TestApplicationName }.ConnectionString;

        /// <summary>The sessions on <paramref name="observer"/>'s database that are not the test's.</summary>
        public static async Task<IReadOnlyList<Backend>> RunnerBackendsAsync(NpgsqlConnection observer)
        {
            const string sql = @"
select pid, coalesce(application_name, ''), state, wait_event_type, wait_event, coalesce(query, '')
from pg_stat_activity
where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid()
  and coalesce(application_name, '') <> @test
order by pid";
            await using var command = new NpgsqlCommand(sql, observer);
            command.Parameters.AddWithValue("test", TestApplicationName);
            var backends = new List<Backend>();
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                backends.Add(new Backend(reader.GetInt32(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5)));
            }
            return backends;
        }

        /// <summary>Polls until a runner session matches; throws after <paramref name="timeout"/>, or when <paramref name="runner"/> exits first.</summary>
        public static async Task<Backend> WaitForAsync(NpgsqlConnection observer, Func<Backend, bool> match, TimeSpan timeout, RunnerProcess? runner = null)
        {
            var clock = Stopwatch.StartNew();
            IReadOnlyList<Backend> last = Array.Empty<Backend>();
            while (clock.Elapsed < timeout)
            {
                bool ended = runner is not null && runner.HasExited; // before the query, as in PaymentsDatabase.WaitForStepStartAsync
                last = await RunnerBackendsAsync(observer);
                Backend? found = last.FirstOrDefault(match);
                if (found is not null)
                    return found;
                if (ended)
                    throw new InvalidOperationException("the runner exited before the awaited session state; its last lines:\n" + string.Join("\n", runner!.Lines.TakeLast(10)));
                await Task.Delay(20);
            }
            throw new TimeoutException($"no runner session matched within {timeout.TotalSeconds:0} s; sessions: " + string.Join("; ", last));
        }

        /// <summary>pg_terminate_backend, as a DBA, a pooler or a failover would end the session.</summary>
        public static async Task TerminateAsync(NpgsqlConnection observer, int pid)
        {
            await using var command = new NpgsqlCommand("select pg_terminate_backend(@pid)", observer);
            command.Parameters.AddWithValue("pid", pid);
            await command.ExecuteScalarAsync();
        }

        /// <summary>
        /// Waits until the server has ended every runner session (a killed client's backend notices the closed socket
        /// and rolls back; its locks go with it). Fails when one is left after <paramref name="timeout"/>.
        /// </summary>
        public static async Task WaitUntilGoneAsync(NpgsqlConnection observer, TimeSpan timeout)
        {
            var clock = Stopwatch.StartNew();
            IReadOnlyList<Backend> left;
            do
            {
                left = await RunnerBackendsAsync(observer);
                if (left.Count == 0)
                    return;
                await Task.Delay(25);
            }
            while (clock.Elapsed < timeout);
            throw new TimeoutException($"runner sessions still on the server {timeout.TotalSeconds:0} s after the runner ended: " + string.Join("; ", left));
        }
    }
}
