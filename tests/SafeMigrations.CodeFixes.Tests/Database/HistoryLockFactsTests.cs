using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SafeMigrations.Testing;

namespace SafeMigrations.CodeFixes.Tests.Database;

/// <summary>
/// The facts SM0018 and SM0010's history messages state, on the real server with the SQL Npgsql generates: what a
/// restating AlterColumn and ADD PRIMARY KEY USING INDEX lock and scan, counted inside the transaction
/// (<c>pg_stat_get_xact_numscans</c>) before commit.
/// </summary>
[Collection(PostgresCollection.Name)]
public class HistoryLockFactsTests
{
    private const string Setup = """
        CREATE TABLE "Orders" ("Id" bigint NOT NULL, "Status" text NOT NULL DEFAULT '', "Code" text);
        INSERT INTO "Orders" SELECT g, 'new', 'O-' || g FROM generate_series(1, 5000) g;
        CREATE UNIQUE INDEX "IX_Orders_Id" ON "Orders" ("Id");
        CREATE UNIQUE INDEX "IX_Orders_Code" ON "Orders" ("Code");
        ANALYZE "Orders";
        """;

    private readonly PostgresServerFixture _server;

    public HistoryLockFactsTests(PostgresServerFixture server) => _server = server;

    [Fact]
    public async Task Restating_not_null_takes_access_exclusive_and_scans_nothing()
    {
        var sql = Generate(b => b.AlterColumn<string>(name: "Status", table: "Orders", type: "text", nullable: false,
            oldClrType: typeof(string), oldType: "text", oldNullable: true));
        Assert.Contains(sql, s => s.Contains("SET NOT NULL", StringComparison.Ordinal));

        var (locks, scans) = await RunAsync(sql);
        Assert.Contains("AccessExclusiveLock", locks);
        Assert.Equal(0, scans);
    }

    [Fact]
    public async Task Restating_not_null_with_a_default_scans_the_table_once()
    {
        var sql = Generate(b => b.AlterColumn<string>(name: "Status", table: "Orders", type: "text", nullable: false, defaultValue: "",
            oldClrType: typeof(string), oldType: "text", oldNullable: true));
        Assert.Contains(sql, s => s.Contains("UPDATE", StringComparison.Ordinal));

        var (locks, scans) = await RunAsync(sql);
        Assert.Contains("AccessExclusiveLock", locks);
        Assert.Equal(1, scans);
    }

    [Fact]
    public async Task Primary_key_using_an_index_scans_only_for_a_nullable_column()
    {
        var (nullableLocks, nullableScans) = await RunAsync(new[] { "ALTER TABLE \"Orders\" ADD CONSTRAINT \"PK_Orders\" PRIMARY KEY USING INDEX \"IX_Orders_Code\";" });
        var (notNullLocks, notNullScans) = await RunAsync(new[] { "ALTER TABLE \"Orders\" ADD CONSTRAINT \"PK_Orders\" PRIMARY KEY USING INDEX \"IX_Orders_Id\";" });

        Assert.Contains("AccessExclusiveLock", nullableLocks);
        Assert.Equal(1, nullableScans);
        Assert.Contains("AccessExclusiveLock", notNullLocks);
        Assert.Equal(0, notNullScans);
    }

    private static List<string> Generate(Action<MigrationBuilder> build)
    {
        var builder = new MigrationBuilder("Npgsql.EntityFrameworkCore.PostgreSQL");
        build(builder);
        var options = new DbContextOptionsBuilder<DbContext>().UseNpgsql("Host=localhost").Options;
        using var context = new DbContext(options);
        return context.GetService<IMigrationsSqlGenerator>().Generate(builder.Operations, model: null).Select(c => c.CommandText.Trim()).ToList();
    }

    /// <summary>Runs the statements in one transaction; returns the locks held on Orders and its sequential scans before rollback.</summary>
    private async Task<(List<string> Locks, long Scans)> RunAsync(IEnumerable<string> statements)
    {
        await using var database = await _server.CreateDatabaseAsync();
        await database.ExecuteAsync(Setup);
        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        // The counter also holds this backend's not yet reported scans of earlier transactions (the setup): count the difference.
        var before = await ScansAsync(connection);
        foreach (var statement in statements)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = statement;
            await command.ExecuteNonQueryAsync();
        }

        var locks = new List<string>();
        await using (var query = connection.CreateCommand())
        {
            query.CommandText = "SELECT mode FROM pg_locks WHERE pid = pg_backend_pid() AND relation = '\"Orders\"'::regclass";
            await using var reader = await query.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                locks.Add(reader.GetString(0));
            }
        }

        var count = await ScansAsync(connection) - before;
        await transaction.RollbackAsync();
        return (locks, count);
    }

    private static async Task<long> ScansAsync(Npgsql.NpgsqlConnection connection)
    {
        await using var scans = connection.CreateCommand();
        scans.CommandText = "SELECT pg_stat_get_xact_numscans('\"Orders\"'::regclass)";
        return (long)(await scans.ExecuteScalarAsync())!;
    }
}
