using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Sql;
using SafeMigrations.Sql.Statistics;

namespace SafeMigrations.Analyzers.Infrastructure
{
    /// <summary>
    /// Every <c>safe_migrations.*</c> key the analyzers and the engine read, and what a readable value of each is.
    /// The readers themselves fall back to the default on a value they cannot read; this says so (SM0020).
    /// </summary>
    internal static class OptionChecks
    {
        private const string Prefix = "safe_migrations.";

        /// <summary>What is wrong with a start-after value that is empty or has white space inside.</summary>
        public const string StartAfterProblem = "is neither a migration id (as in [Migration(\"...\")]) nor a 14-digit timestamp: every migration is checked meanwhile";

        private static readonly Dictionary<string, Func<string, string?>> Checks = new Dictionary<string, Func<string, string?>>(StringComparer.OrdinalIgnoreCase)
        {
            [MigrationOptions.SmallTablesKey] = _ => null,
            [MigrationOptions.PostgresVersionKey] = value =>
                int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version >= 9 && version <= 99
                    ? null
                    : "is not a PostgreSQL major version: write one such as 15 (the default, " + MigrationOptions.DefaultPostgresVersion.ToString(CultureInfo.InvariantCulture) + ", is used meanwhile)",
            [MigrationOptions.AnalyzeDownKey] = value =>
                string.Equals(value, "true", StringComparison.OrdinalIgnoreCase) || string.Equals(value, "false", StringComparison.OrdinalIgnoreCase)
                    ? null
                    : "is neither true nor false (false is used meanwhile)",
            [MigrationOptions.StartAfterKey] = value => MigrationCutoff.Parse(value) is null ? StartAfterProblem : null,
            [StatisticsOptions.SmallTableRowsKey] = value => NonNegative(value, StatisticsOptions.DefaultSmallTableRows.ToString(CultureInfo.InvariantCulture)),
            [StatisticsOptions.HotTableWritesKey] = value => NonNegative(value, "not set"),
            [StatisticsOptions.MaxAgeDaysKey] = value => NonNegative(value, StatisticsOptions.DefaultMaxAgeDays.ToString(CultureInfo.InvariantCulture)),
            [StatisticsOptions.ScanRateKey] = value => Positive(value, EstimateRates.DefaultScanMegabytesPerSecond),
            [StatisticsOptions.WriteRateKey] = value => Positive(value, EstimateRates.DefaultWriteMegabytesPerSecond),
        };

        /// <summary>The option keys, sorted, as the message for an unknown key lists them.</summary>
        public static string KnownKeys
        {
            get
            {
                var keys = new List<string>(Checks.Keys);
                keys.Sort(StringComparer.Ordinal);
                return string.Join(", ", keys);
            }
        }

        /// <summary>Each <c>safe_migrations.*</c> key of <paramref name="options"/> that is unknown or whose value cannot be read: (key, value, what is wrong).</summary>
        public static IEnumerable<(string Key, string Value, string Problem)> Problems(AnalyzerConfigOptions options)
        {
            foreach (var key in options.Keys)
            {
                if (!key.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || !options.TryGetValue(key, out var text))
                {
                    continue;
                }

                var value = text.Trim();
                if (!Checks.TryGetValue(key, out var check))
                {
                    yield return (key, value, "is not a SafeMigrations option, so it changes nothing; the options are " + KnownKeys);
                }
                else if (check(value) is { } problem)
                {
                    yield return (key, value, problem);
                }
            }
        }

        private static string? NonNegative(string value, string fallback) =>
            EstimateRates.ParseSetting(value) is null ? "is not a number of at least 0 (the default, " + fallback + ", is used meanwhile)" : null;

        private static string? Positive(string value, double fallback) =>
            EstimateRates.ParseSetting(value) is double parsed && parsed > 0
                ? null
                : "is not a number above 0 (the default, " + fallback.ToString(CultureInfo.InvariantCulture) + " MB/s, is used meanwhile)";
    }
}
