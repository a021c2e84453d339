using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine;

namespace SafeMigrations.Testing;

/// <summary>A database that exists for one test; disposing it drops it, ending sessions a failed test left open.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _adminConnectionString;

    /// <summary>Wraps an existing database.</summary>
    public TestDatabase(string adminConnectionString, string name, string connectionString)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = connectionString;
    }

    /// <summary>The database name.</summary>
    public string Name { get; }

    /// <summary>Connection string to this database, as the fixture's superuser.</summary>
    public string ConnectionString { get; }

    /// <summary>Opens a connection to this database.</summary>
    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Runs SQL (one or more statements) and returns the affected row count.</summary>
    public async Task<int> ExecuteAsync(string sql)
    {
        await using NpgsqlConnection connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>Runs a query returning one value, converted to <typeparamref name="T"/> (SQL NULL gives default).</summary>
    public async Task<T?> ScalarAsync<T>(string sql)
    {
        await using NpgsqlConnection connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        object? value = await command.ExecuteScalarAsync();
        if (value is null || value is DBNull)
        {
            return default;
        }

        Type target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return (T)Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
    }

    /// <summary>Runs a query and returns its rows, each as an array of column values (DBNull as null).</summary>
    public async Task<IReadOnlyList<object?[]>> RowsAsync(string sql)
    {
        await using NpgsqlConnection connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        using (var pooled = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        // FORCE (PostgreSQL 13+) ends the sessions a failed test left behind.
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {SqlIdentifier.Quote(Name)} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
