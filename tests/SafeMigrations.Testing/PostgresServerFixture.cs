using System;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine;
using SafeMigrations.Engine.Postgres;
using Xunit;

namespace SafeMigrations.Testing;

/// <summary>
/// One PostgreSQL server shared by a test collection: the server named by <see cref="ConnectionVariable"/> (a superuser
/// connection string), or else a throwaway cluster started from local binaries and deleted afterwards.
/// </summary>
/// <remarks>
/// xunit only reads collection definitions from the test assembly, so each test project declares its own:
/// <code>[CollectionDefinition("postgres")] public sealed class PostgresCollection : ICollectionFixture&lt;PostgresServerFixture&gt; { }</code>
/// </remarks>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    /// <summary>Environment variable that points the tests at an existing server instead.</summary>
    public const string ConnectionVariable = "SAFEMIGRATIONS_TEST_CONNECTION";

    private EphemeralPostgres? _server;

    /// <summary>Superuser connection string to the server's maintenance database.</summary>
    public string AdminConnectionString { get; private set; } = string.Empty;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        string? external = Environment.GetEnvironmentVariable(ConnectionVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            AdminConnectionString = external;
            return;
        }

        var options = new EphemeralPostgresOptions { Log = line => Console.WriteLine("[ephemeral-postgres] " + line) };
        // Loaded for the contract gate's tests; inert in every database that does not CREATE EXTENSION it.
        if (StatementStatisticsLibraryExists())
        {
            options.Settings["shared_preload_libraries"] = "pg_stat_statements";
        }

        _server = await EphemeralPostgres.StartAsync(options);
        AdminConnectionString = _server.ConnectionString;
    }

    /// <summary>
    /// True when the server was started with pg_stat_statements preloaded (an external server: when its
    /// shared_preload_libraries names it), so a database can CREATE EXTENSION pg_stat_statements.
    /// </summary>
    public async Task<bool> HasStatementStatisticsAsync()
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%'", connection);
        return await command.ExecuteScalarAsync() is true;
    }

    private static bool StatementStatisticsLibraryExists()
    {
        try
        {
            // The binaries may be links (/usr/local/bin/postgres → /usr/lib/postgresql/15/bin/postgres): the library sits next to the real one.
            string postgres = System.IO.Path.Combine(PostgresBinaries.Find(), "postgres");
            string real = System.IO.File.ResolveLinkTarget(postgres, returnFinalTarget: true)?.FullName ?? postgres;
            return System.IO.File.Exists(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(real)!, "..", "lib", "pg_stat_statements.so"));
        }
        catch (PostgresNotFoundException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>Creates an empty database with a unique name; dispose it to drop it.</summary>
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
