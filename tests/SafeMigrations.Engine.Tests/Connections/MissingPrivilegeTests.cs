using System;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Tests.TestApp;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Connections
{
    /// <summary>
    /// A user the server refuses (no CREATE on the database for the engine's schema) and a string without a Database get
    /// SM1001 saying what to do, not an "unexpected ... please report this".
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class MissingPrivilegeTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public MissingPrivilegeTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        private MigrationEngine Engine(string connectionString)
            => new MigrationEngine(
                new MigrationCatalog(DbContextLoader.Create(typeof(ShopContext).Assembly, nameof(ShopContext), connectionString)),
                new EngineOptions { ConnectionString = connectionString, Log = new EngineApplyTests.TestLog(_output) });

        [Fact]
        public async Task A_user_without_CREATE_on_the_database_gets_SM1001_naming_the_grant()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            string role = "sm_noprivs_" + Guid.NewGuid().ToString("N").Substring(0, 8);
            await database.ExecuteAsync($"create role \"{role}\" login; revoke create on database \"{database.Name}\" from public;");
            try
            {
                string connection = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Username = role, Pooling = false }.ConnectionString;

                var refused = await Assert.ThrowsAsync<EngineException>(() => Engine(connection).ApplyAsync());

                _output.WriteLine(refused.Message);
                Assert.Equal(EngineCodes.Configuration, refused.Code);
                Assert.Contains($"the database user \"{role}\" lacks a privilege", refused.Message);
                Assert.Contains($"GRANT CREATE ON DATABASE \"{database.Name}\" TO \"{role}\"", refused.Message);
                Assert.Null(await database.ScalarAsync<string>("select to_regnamespace('safemigrations')::text"));
            }
            finally
            {
                NpgsqlConnection.ClearAllPools();
                await using NpgsqlConnection admin = new NpgsqlConnection(_server.AdminConnectionString);
                await admin.OpenAsync();
                await using var drop = new NpgsqlCommand($"drop database if exists \"{database.Name}\" with (force); drop role if exists \"{role}\"", admin);
                await drop.ExecuteNonQueryAsync();
            }
        }

        [Fact]
        public async Task A_user_who_cannot_read_the_state_gets_SM1001_from_status_naming_the_grant()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            string role = "sm_reader_" + Guid.NewGuid().ToString("N").Substring(0, 8);
            await using (NpgsqlConnection owner = await database.OpenAsync())
                await new State.StepStateStore(owner).EnsureCreatedAsync();
            await database.ExecuteAsync($"create role \"{role}\" login;");
            try
            {
                string connection = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Username = role, Pooling = false }.ConnectionString;

                var refused = await Assert.ThrowsAsync<EngineException>(() => Engine(connection).StatusAsync());

                _output.WriteLine(refused.Message);
                Assert.Equal(EngineCodes.Configuration, refused.Code);
                Assert.Contains($"the database user \"{role}\" lacks a privilege", refused.Message);
                Assert.Matches("GRANT (USAGE, CREATE ON SCHEMA|SELECT, INSERT, UPDATE, DELETE ON) \"", refused.Message);
            }
            finally
            {
                NpgsqlConnection.ClearAllPools();
                await using NpgsqlConnection admin = new NpgsqlConnection(_server.AdminConnectionString);
                await admin.OpenAsync();
                await using var drop = new NpgsqlCommand($"drop database if exists \"{database.Name}\" with (force); drop role if exists \"{role}\"", admin);
                await drop.ExecuteNonQueryAsync();
            }
        }

        [Fact]
        public async Task A_string_without_a_database_is_refused_before_any_connection()
        {
            // An unresolvable host: had the engine tried to connect, the error would be about the host, not the database.
            const string connection = "Host=sm-no-such-host.invalid;Username=app;Password=CANARY";

            var refused = await Assert.ThrowsAsync<EngineException>(() => Engine(connection).ApplyAsync());

            Assert.Equal(EngineCodes.Configuration, refused.Code);
            Assert.Contains("names no database", refused.Message);
            Assert.DoesNotContain("CANARY", refused.Message);
        }
    }
}
