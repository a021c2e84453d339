using System;
using Microsoft.EntityFrameworkCore.Migrations;

namespace SafeMigrations.Internal;

/// <summary>The argument checks every safe step runs before it builds any SQL.</summary>
internal static class StepArguments
{
    private const string NpgsqlProvider = "Npgsql.EntityFrameworkCore.PostgreSQL";

    public static void CheckBuilder(MigrationBuilder migrationBuilder)
    {
        if (migrationBuilder is null)
        {
            throw new ArgumentNullException(nameof(migrationBuilder));
        }

        // The SQL is PostgreSQL's; another provider would fail half-way through the migration instead of here.
        string? provider = migrationBuilder.ActiveProvider;
        if (provider is not null && !string.Equals(provider, NpgsqlProvider, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"SafeMigrations steps emit PostgreSQL SQL, but this migration is being built for '{provider}'. " +
                $"Use them only with {NpgsqlProvider}, or guard them with migrationBuilder.IsNpgsql().");
        }
    }

    public static void CheckName(string name, string parameter)
    {
        if (name is null)
        {
            throw new ArgumentNullException(parameter);
        }

        if (name.Length == 0)
        {
            throw new ArgumentException("The name must not be empty.", parameter);
        }
    }

    public static void CheckColumns(string[] columns, string parameter)
    {
        if (columns is null)
        {
            throw new ArgumentNullException(parameter);
        }

        if (columns.Length == 0)
        {
            throw new ArgumentException("At least one column is required.", parameter);
        }

        foreach (string column in columns)
        {
            CheckName(column, parameter);
        }
    }

    public static void CheckSql(string sql, string parameter)
    {
        if (sql is null)
        {
            throw new ArgumentNullException(parameter);
        }

        if (string.IsNullOrWhiteSpace(sql))
        {
            throw new ArgumentException("The SQL must not be empty.", parameter);
        }
    }

    public static void CheckOptionalSql(string? sql, string parameter)
    {
        if (sql is not null && string.IsNullOrWhiteSpace(sql))
        {
            throw new ArgumentException("The SQL must be null or not empty.", parameter);
        }
    }
}
