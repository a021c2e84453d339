using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;

namespace SafeMigrations.Analyzers.Infrastructure
{
    /// <summary>Options from .editorconfig / .globalconfig for the file a migration is in.</summary>
    public sealed class MigrationOptions
    {
        /// <summary>Tables exempt from lock and rewrite rules (not from rename/drop rules): <c>orders, audit.log</c>.</summary>
        public const string SmallTablesKey = "safe_migrations.small_tables";

        /// <summary>Oldest PostgreSQL major version the migrations run on (default 12).</summary>
        public const string PostgresVersionKey = "safe_migrations.postgres_version";

        /// <summary>Analyze Down's restoring steps too (default false): see <see cref="AnalyzeDown"/>.</summary>
        public const string AnalyzeDownKey = "safe_migrations.analyze_down";

        /// <summary>
        /// Migrations up to and including this one are not reported (they are already deployed): see <see cref="StartAfter"/>.
        /// </summary>
        public const string StartAfterKey = "safe_migrations.start_after";

        /// <summary>The MSBuild property <c>SafeMigrationsStartAfter</c> (a compiler-visible property), read when <see cref="StartAfterKey"/> is not set.</summary>
        public const string StartAfterPropertyKey = "build_property.SafeMigrationsStartAfter";

        public const int DefaultPostgresVersion = 12;

        public static readonly MigrationOptions Default = new MigrationOptions(Array.Empty<(string?, string)>(), DefaultPostgresVersion, false, null);

        private static readonly char[] Separators = { ',', ' ', '\t', ';' };

        private readonly (string? Schema, string Name)[] _smallTables;

        private MigrationOptions((string? Schema, string Name)[] smallTables, int postgresVersion, bool analyzeDown, MigrationCutoff? startAfter)
        {
            _smallTables = smallTables;
            PostgresVersion = postgresVersion;
            AnalyzeDown = analyzeDown;
            StartAfter = startAfter;
        }

        /// <summary>
        /// <c>safe_migrations.start_after</c>: the last migration already deployed when SafeMigrations was adopted (its id,
        /// or a <c>yyyyMMddHHmmss</c> timestamp). Migrations up to it still build the schema history but are not
        /// reported. Null when not set or not valid (SM0020 says so; every migration is then checked).
        /// </summary>
        public MigrationCutoff? StartAfter { get; }

        /// <summary>PostgreSQL major version (<c>safe_migrations.postgres_version</c>, default 12).</summary>
        public int PostgresVersion { get; }

        /// <summary>
        /// <c>safe_migrations.analyze_down</c> (default false). Off: a <c>Down</c> step that reverts anything its own
        /// <c>Up</c> did is not reported. On: only a <c>Down</c> step that removes what <c>Up</c> created is exempt;
        /// re-creating what Up dropped, altering back and renaming back are judged like any step, since a rollback
        /// runs them on the live tables too.
        /// </summary>
        public bool AnalyzeDown { get; }

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

        /// <summary>
        /// The start-after text and where it came from: <see cref="StartAfterKey"/>, else the MSBuild property (empty when
        /// the project does not set it); null when neither is set.
        /// </summary>
        public static string? StartAfterText(AnalyzerConfigOptions options) => StartAfterSetting(options)?.Value;

        /// <inheritdoc cref="StartAfterText"/>
        public static (string Key, string Value)? StartAfterSetting(AnalyzerConfigOptions options)
        {
            if (options.TryGetValue(StartAfterKey, out var text))
            {
                return (StartAfterKey, text);
            }

            return options.TryGetValue(StartAfterPropertyKey, out var property) && property.Trim().Length > 0 ? ("SafeMigrationsStartAfter", property) : ((string, string)?)null;
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

            var analyzeDown = options.TryGetValue(AnalyzeDownKey, out var analyzeDownText)
                              && string.Equals(analyzeDownText.Trim(), "true", StringComparison.OrdinalIgnoreCase);

            var startAfter = MigrationCutoff.Parse(StartAfterText(options));

            return smallTables.Count == 0 && version == DefaultPostgresVersion && !analyzeDown && startAfter is null
                ? Default
                : new MigrationOptions(smallTables.ToArray(), version, analyzeDown, startAfter);
        }
    }
}
