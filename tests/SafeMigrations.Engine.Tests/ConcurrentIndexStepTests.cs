using System;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Execution;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests
{
    [Collection(PostgresCollection.Name)]
    public sealed class ConcurrentIndexStepTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public ConcurrentIndexStepTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task Builds_a_valid_index_and_a_rerun_does_nothing()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync("create schema \"Sales\"; create table \"Sales\".\"Orders\" (id int primary key, v int); insert into \"Sales\".\"Orders\" select g, g % 97 from generate_series(1, 2000) g");
            await using NpgsqlConnection connection = await database.OpenAsync();
            var step = new ConcurrentIndexStep("CREATE INDEX CONCURRENTLY \"IX_Orders_v\" ON \"Sales\".\"Orders\" (v)") { LockTimeout = TimeSpan.FromSeconds(2) };

            Assert.Equal(IndexState.Missing, await step.GetStateAsync(connection));
            ConcurrentIndexResult first = await step.RunAsync(connection);
            Assert.False(first.AlreadyValid);
            Assert.Equal(IndexState.Valid, await step.GetStateAsync(connection));

            ConcurrentIndexResult second = await step.RunAsync(connection);
            Assert.True(second.AlreadyValid);
            Assert.Equal("0", (string)(await new NpgsqlCommand("SHOW lock_timeout", connection).ExecuteScalarAsync())!);
        }

        [Fact]
        public async Task An_invalid_leftover_is_dropped_and_rebuilt_once_the_data_is_fixed()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync("create table t (id int primary key, email text); insert into t select g, 'user' || g || '@example.com' from generate_series(1, 2000) g; insert into t values (5000, 'user7@example.com')");
            const string create = "CREATE UNIQUE INDEX CONCURRENTLY ux_t_email ON t (email)";
            await using NpgsqlConnection connection = await database.OpenAsync();
            var step = new ConcurrentIndexStep(create);

            // A build that fails (here: outside the step, as a crashed deploy would) leaves an invalid index behind.
            await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand(create, connection).ExecuteNonQueryAsync());
            Assert.Equal(IndexState.Invalid, await step.GetStateAsync(connection));

            // The step drops the leftover, fails on the duplicates with a clear message, and cleans up after itself.
            var failure = await Assert.ThrowsAsync<StepFailedException>(() => step.RunAsync(connection));
            _output.WriteLine(failure.Message);
            Assert.Equal("23505", failure.SqlState);
            Assert.Contains("duplicate", failure.Message);
            Assert.Equal(IndexState.Missing, await step.GetStateAsync(connection));

            // Another leftover, then the data is fixed: the rerun drops the leftover and builds a valid index.
            await Assert.ThrowsAsync<PostgresException>(() => new NpgsqlCommand(create, connection).ExecuteNonQueryAsync());
            await database.ExecuteAsync("delete from t where id = 5000");
            ConcurrentIndexResult result = await step.RunAsync(connection);
            Assert.True(result.DroppedInvalidLeftover);
            Assert.Equal(IndexState.Valid, await step.GetStateAsync(connection));
            Assert.Equal(1L, await database.ScalarAsync<long>("select count(*) from pg_indexes where indexname = 'ux_t_email'"));
            await Assert.ThrowsAsync<PostgresException>(() => database.ExecuteAsync("insert into t values (6000, 'user1@example.com')"));
        }

        [Theory]
        [InlineData("CREATE INDEX ix ON t (v)")]
        [InlineData("CREATE INDEX CONCURRENTLY ON t (v)")]
        [InlineData("ALTER TABLE t ADD COLUMN c int")]
        public void Statements_that_are_not_a_named_concurrent_index_build_are_refused(string sql)
        {
            Assert.Throws<ArgumentException>(() => new ConcurrentIndexStep(sql));
        }

        [Fact]
        public async Task A_name_taken_by_another_relation_is_an_error()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync("create table t (id int primary key, v int); create table other (id int); create index taken on other (id)");
            await using NpgsqlConnection connection = await database.OpenAsync();
            var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => new ConcurrentIndexStep("CREATE INDEX CONCURRENTLY taken ON t (v)").RunAsync(connection));
            Assert.Contains("taken", exception.Message);
        }
    }
}
