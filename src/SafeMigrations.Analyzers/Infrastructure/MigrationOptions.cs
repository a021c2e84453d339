using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Model;

namespace SafeMigrations.Analyzers.Infrastructure
{
    /// <summary>Options from .editorconfig / .globalconfig for the file a migration is in.</summary>
    public sealed class MigrationOptions
    {
        /// <summary>Tables exempt from lock and rewrite rules (not from rename/drop rules): <c>orders, audit.log</c>.</summary>
        public const string SmallTablesKey = "safe_migrations.small_tables";

        /// <summary>Oldest PostgreSQL major version the migrations run on (default 12).</summary>
        public const string PostgresVersionKey = "safe_migrations.postgres_version";

        public const int DefaultPostgresVersion = 12;

        public static readonly MigrationOptions Default = new MigrationOptions(Array.Empty<(string?, string)>(), DefaultPostgresVersion);

        private static readonly char[] Separators = { ',', ' ', '\t', ';' };

        private readonly (string? Schema, string Name)[] _smallTables;

        private MigrationOptions((string? Schema, string Name)[] smallTables, int postgresVersion)
        {
            _smallTables = smallTables;
            PostgresVersion = postgresVersion;
        }

        /// <summary>PostgreSQL major version (<c>safe_migrations.postgres_version</c>, default 12).</summary>
        public int PostgresVersion { get; }

        /// <summary>True when the table is listed in <c>safe_migrations.small_tables</c> (case-insensitive; an unqualified entry matches any schema).</summary>
        public bool IsSmallTable(TableName table)
        {
            foreach (var (schema, name) in _smallTables)
            {
                if (string.Equals(name, table.Name, StringComparison.OrdinalIgnoreCase)
                    && (schema is null || string.Equals(schema, table.Schema ?? "public", StringComparison.OrdinalIgnoreCase)))
                {
                    return true;
                }
            }

            return false;
        }

        public static MigrationOptions Read(AnalyzerConfigOptions options)
        {
            var smallTables = new List<(string?, string)>();
            if (options.TryGetValue(SmallTablesKey, out var tablesText))
            {
                foreach (var entry in tablesText.Split(Separators, StringSplitOptions.RemoveEmptyEntries))
                {
                    var text = entry.Replace("\"", string.Empty);
                    var dot = text.LastIndexOf('.');
                    if (dot > 0 && dot < text.Length - 1)
                    {
                        smallTables.Add((text.Substring(0, dot), text.Substring(dot + 1)));
                    }
                    else if (text.Trim('.').Length > 0)
                    {
                        smallTables.Add((null, text.Trim('.')));
                    }
                }
            }

            var version = DefaultPostgresVersion;
            if (options.TryGetValue(PostgresVersionKey, out var versionText)
                && int.TryParse(versionText.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)
                && parsed > 0)
            {
                version = parsed;
            }

            return smallTables.Count == 0 && version == DefaultPostgresVersion
                ? Default
                : new MigrationOptions(smallTables.ToArray(), version);
        }
    }
}
