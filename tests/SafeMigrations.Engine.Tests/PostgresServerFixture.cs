using System;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine;
using SafeMigrations.Engine.Postgres;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>
    /// One PostgreSQL server for the "postgres" collection: a throwaway cluster from local binaries, or the server
    /// named by SAFEMIGRATIONS_TEST_CONNECTION (a superuser connection string). Every test gets its own database.
    /// </summary>
    public sealed class PostgresServerFixture : IAsyncLifetime
    {
        public const string ConnectionVariable = "SAFEMIGRATIONS_TEST_CONNECTION";

        private EphemeralPostgres? _server;

        /// <summary>Connection string to the server's maintenance database.</summary>
        public string AdminConnectionString { get; private set; } = string.Empty;

        public async Task InitializeAsync()
        {
            string? external = Environment.GetEnvironmentVariable(ConnectionVariable);
            if (!string.IsNullOrWhiteSpace(external))
            {
                AdminConnectionString = external;
                return;
            }

            _server = await EphemeralPostgres.StartAsync(new EphemeralPostgresOptions { Log = line => Console.WriteLine("[ephemeral-postgres] " + line) });
            AdminConnectionString = _server.ConnectionString;
        }

        public Task DisposeAsync()
        {
            _server?.Dispose();
            return Task.CompletedTask;
        }

        /// <summary>Creates an empty database; dispose it to drop it.</summary>
        public async Task<TestDatabase> CreateDatabaseAsync()
        {
            string name = "sm_test_" + Guid.NewGuid().ToString("N").Substring(0, 12);
            await using (var connection = new NpgsqlConnection(AdminConnectionString))
            {
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand("CREATE DATABASE " + SqlIdentifier.Quote(name), connection);
                await command.ExecuteNonQueryAsync();
            }

            var builder = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name };
            return new TestDatabase(AdminConnectionString, name, builder.ConnectionString);
        }
    }

    [CollectionDefinition(Name)]
    public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
    {
        public const string Name = "postgres";
    }

    /// <summary>A database that exists for one test.</summary>
    public sealed class TestDatabase : IAsyncDisposable
    {
        private readonly string _adminConnectionString;

        public TestDatabase(string adminConnectionString, string name, string connectionString)
        {
            _adminConnectionString = adminConnectionString;
            Name = name;
            ConnectionString = connectionString;
        }

        public string Name { get; }
        public string ConnectionString { get; }

        public async Task<NpgsqlConnection> OpenAsync()
        {
            var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            return connection;
        }

        public async Task ExecuteAsync(string sql)
        {
            await using NpgsqlConnection connection = await OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }

        public async Task<T> ScalarAsync<T>(string sql)
        {
            await using NpgsqlConnection connection = await OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            object? value = await command.ExecuteScalarAsync();
            return (T)Convert.ChangeType(value!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
        }

        public async ValueTask DisposeAsync()
        {
            using (var pooled = new NpgsqlConnection(ConnectionString))
                NpgsqlConnection.ClearPool(pooled);
            await using var connection = new NpgsqlConnection(_adminConnectionString);
            await connection.OpenAsync();
            // FORCE (PG13+) ends sessions a failed test left behind.
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {SqlIdentifier.Quote(Name)} WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
