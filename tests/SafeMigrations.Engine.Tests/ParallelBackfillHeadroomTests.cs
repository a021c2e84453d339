using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Backfill;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>Parallel backfill workers never take the connection slots the application needs.</summary>
    [Collection(PostgresCollection.Name)]
    public sealed class ParallelBackfillHeadroomTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public ParallelBackfillHeadroomTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task A_role_connection_limit_runs_fewer_workers_than_asked_and_says_why()
        {
            TestDatabase database = await _server.CreateDatabaseAsync();
            string role = "sm_limited_" + Guid.NewGuid().ToString("N").Substring(0, 8);
            await database.ExecuteAsync($"create role \"{role}\" login connection limit 4; alter database \"{database.Name}\" owner to \"{role}\";");
            try
            {
                string connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Username = role, Pooling = false }.ConnectionString;
                await using NpgsqlConnection connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();
                await using (var create = new NpgsqlCommand("create table t (id int primary key, w int); insert into t (id) select g from generate_series(1, 12000) g; analyze t;", connection))
                    await create.ExecuteNonQueryAsync();
                var notes = new List<string>();
                var progress = new List<BackfillProgress>();

                BackfillResult result = await new KeysetBackfill(null, "t", "w = id * 3", "w IS NULL").RunAsync(connection, new BackfillOptions
                {
                    Workers = 4,
                    InitialBatchSize = 200,
                    MinBatchSize = 200,
                    MaxBatchSize = 200,
                    Note = notes.Add,
                    Progress = progress.Add,
                });
                _output.WriteLine(string.Join(Environment.NewLine, notes));

                // Limit 4, one session open (the main one), a quarter (1) kept for the application: 2 extra sessions.
                string note = Assert.Single(notes);
                Assert.Contains("3 worker(s) instead of 4", note, StringComparison.Ordinal);
                Assert.Contains("login role's CONNECTION LIMIT is 4 with 1 session(s) open", note, StringComparison.Ordinal);
                Assert.Equal(3, progress.Max(p => p.Workers));
                Assert.Equal(0L, result.RemainingRows);
                Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from t where w is distinct from id * 3"));
            }
            finally
            {
                await database.DisposeAsync();
                await using var admin = new NpgsqlConnection(_server.AdminConnectionString);
                await admin.OpenAsync();
                await using var drop = new NpgsqlCommand($"drop role if exists \"{role}\"", admin);
                await drop.ExecuteNonQueryAsync();
            }
        }

        [Fact]
        public async Task Without_a_tight_limit_every_worker_asked_for_runs_and_nothing_is_said()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync("create table t (id int primary key, w int); insert into t (id) select g from generate_series(1, 12000) g; analyze t;");
            await using NpgsqlConnection connection = await database.OpenAsync();
            var notes = new List<string>();
            var progress = new List<BackfillProgress>();

            await new KeysetBackfill(null, "t", "w = id * 3", "w IS NULL").RunAsync(connection, new BackfillOptions
            {
                Workers = 3,
                InitialBatchSize = 200,
                MinBatchSize = 200,
                MaxBatchSize = 200,
                Note = notes.Add,
                Progress = progress.Add,
            });

            Assert.Empty(notes);
            Assert.Equal(3, progress.Max(p => p.Workers));
        }
    }
}
