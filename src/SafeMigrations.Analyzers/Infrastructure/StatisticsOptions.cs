using Microsoft.CodeAnalysis.Diagnostics;
using SafeMigrations.Sql.Statistics;

namespace SafeMigrations.Analyzers.Infrastructure
{
    /// <summary>The .editorconfig / .globalconfig keys that say how the statistics snapshot is used (read only when there is one).</summary>
    public sealed class StatisticsOptions
    {
        /// <summary>Tables with fewer estimated rows are exempt from the lock and rewrite rules (default 10000; 0 turns the exemption off).</summary>
        public const string SmallTableRowsKey = "safe_migrations.small_table_rows";

        /// <summary>Write rate (inserts + updates + deletes per second) from which a table's lock and rewrite diagnostics are errors (default: never).</summary>
        public const string HotTableWritesKey = "safe_migrations.hot_table_writes_per_second";

        /// <summary>Age in days from which SM0019 reports the snapshot as old (default 30).</summary>
        public const string MaxAgeDaysKey = "safe_migrations.statistics_max_age_days";

        /// <summary>MB/s of a read-only scan in the duration estimates (default 125).</summary>
        public const string ScanRateKey = EstimateRates.ScanRateKey;

        /// <summary>MB/s of an index build, rewrite or row changes in the duration estimates (default 60).</summary>
        public const string WriteRateKey = EstimateRates.WriteRateKey;

        public const long DefaultSmallTableRows = 10_000;

        public const double DefaultMaxAgeDays = 30;

        public static readonly StatisticsOptions Default = new StatisticsOptions(DefaultSmallTableRows, null, DefaultMaxAgeDays, EstimateRates.Default);

        private StatisticsOptions(long smallTableRows, double? hotTableWritesPerSecond, double maxAgeDays, EstimateRates rates)
        {
            SmallTableRows = smallTableRows;
            HotTableWritesPerSecond = hotTableWritesPerSecond;
            MaxAgeDays = maxAgeDays;
            Rates = rates;
        }

        /// <summary><see cref="SmallTableRowsKey"/>.</summary>
        public long SmallTableRows { get; }

        /// <summary><see cref="HotTableWritesKey"/>; null when not set.</summary>
        public double? HotTableWritesPerSecond { get; }

        /// <summary><see cref="MaxAgeDaysKey"/>.</summary>
        public double MaxAgeDays { get; }

        /// <summary><see cref="ScanRateKey"/> and <see cref="WriteRateKey"/>.</summary>
        public EstimateRates Rates { get; }

        /// <summary>Reads the keys; a missing, unparsable or negative value keeps its default.</summary>
        public static StatisticsOptions Read(AnalyzerConfigOptions options)
        {
            var rows = Number(options, SmallTableRowsKey) is double r ? (long)r : DefaultSmallTableRows;
            var hot = Number(options, HotTableWritesKey);
            var age = Number(options, MaxAgeDaysKey) ?? DefaultMaxAgeDays;
            var rates = EstimateRates.Read(key => options.TryGetValue(key, out var text) ? text : null);
            return new StatisticsOptions(rows, hot, age, rates);
        }

        private static double? Number(AnalyzerConfigOptions options, string key) =>
            options.TryGetValue(key, out var text) ? EstimateRates.ParseSetting(text) : null;
    }
}
