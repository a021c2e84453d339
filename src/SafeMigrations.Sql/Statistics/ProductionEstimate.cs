using System;
using System.Collections.Generic;
using System.Globalization;

namespace SafeMigrations.Sql.Statistics
{
    /// <summary>What a step does to a table while it blocks others, which decides how its duration is estimated.</summary>
    public enum BlockingWork
    {
        /// <summary>The lock is brief or its length does not follow the table size: only the size is named.</summary>
        SizeOnly,

        /// <summary>Reads the heap once (SET NOT NULL, constraint validation): heap bytes at the scan rate.</summary>
        Scan,

        /// <summary>Reads the heap and writes an index: heap bytes at the write rate.</summary>
        IndexBuild,

        /// <summary>Writes the heap and every index anew: heap and index bytes at the write rate.</summary>
        Rewrite,

        /// <summary>Writes a new version of every changed row (one big UPDATE/DELETE): heap bytes at the write rate.</summary>
        RowChanges,
    }

    /// <summary>
    /// The throughput assumptions behind every estimated duration. Defaults: 125 MB/s for reading, the baseline
    /// throughput of a general-purpose cloud volume (AWS gp3, Azure Premium SSD v2, GCP balanced pd at a few hundred
    /// GB); 60 MB/s for work that reads and writes (index build, rewrite, row changes: the write side plus WAL halves it).
    /// Both are configurable because the real disk, CPU and table shape decide.
    /// </summary>
    public sealed class EstimateRates
    {
        /// <summary>The <c>.editorconfig</c> key of the read rate, read by the analyzers and by the engine's plan and verify.</summary>
        public const string ScanRateKey = "safe_migrations.scan_mb_per_second";

        /// <summary>The <c>.editorconfig</c> key of the read-and-write rate.</summary>
        public const string WriteRateKey = "safe_migrations.write_mb_per_second";

        /// <summary>The default read rate, MB/s.</summary>
        public const double DefaultScanMegabytesPerSecond = 125;

        /// <summary>The default read-and-write rate, MB/s.</summary>
        public const double DefaultWriteMegabytesPerSecond = 60;

        /// <summary>The defaults.</summary>
        public static readonly EstimateRates Default = new EstimateRates(DefaultScanMegabytesPerSecond, DefaultWriteMegabytesPerSecond);

        /// <summary>Creates the rates (each &gt; 0).</summary>
        public EstimateRates(double scanMegabytesPerSecond, double writeMegabytesPerSecond)
        {
            ScanMegabytesPerSecond = scanMegabytesPerSecond > 0 ? scanMegabytesPerSecond : DefaultScanMegabytesPerSecond;
            WriteMegabytesPerSecond = writeMegabytesPerSecond > 0 ? writeMegabytesPerSecond : DefaultWriteMegabytesPerSecond;
        }

        /// <summary>
        /// The rates the two keys give through <paramref name="lookup"/> (a key's text, or null when not set); a missing,
        /// unparsable or negative value keeps its default.
        /// </summary>
        public static EstimateRates Read(Func<string, string?> lookup) =>
            new EstimateRates(
                ParseSetting(lookup(ScanRateKey)) ?? DefaultScanMegabytesPerSecond,
                ParseSetting(lookup(WriteRateKey)) ?? DefaultWriteMegabytesPerSecond);

        /// <summary>The key whose rate estimates <paramref name="work"/>: the read rate for a scan, else the read-and-write rate.</summary>
        public static string KeyFor(BlockingWork work) => work == BlockingWork.Scan ? ScanRateKey : WriteRateKey;

        /// <summary>A numeric <c>.editorconfig</c> value (invariant culture); null when missing, unparsable or negative.</summary>
        public static double? ParseSetting(string? text) =>
            text != null
            && double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            && value >= 0
                ? value
                : (double?)null;

        /// <summary>MB/s of a read-only pass over the heap.</summary>
        public double ScanMegabytesPerSecond { get; }

        /// <summary>MB/s of work that reads and writes.</summary>
        public double WriteMegabytesPerSecond { get; }
    }

    /// <summary>
    /// The production impact of one step on one table, as text shared by the analyzers' messages and the engine's plan:
    /// "'orders' has ~4.2M rows, 1.3 GB + 210 MB of indexes (statistics snapshot of 2026-11-30); the table rewrite
    /// takes an estimated ~25 s under the lock (1.5 GB at 60 MB/s)".
    /// </summary>
    public static class ProductionEstimate
    {
        /// <summary>
        /// The blocking work of each lock or rewrite rule whose hazard grows with the table (the analyzers' messages and
        /// the engine's plan both name size and duration for these). The compatibility rules (SM0011-SM0014), SM0003,
        /// SM0005 and SM0017 are not here: their hazard does not depend on the table's size.
        /// </summary>
        private static readonly Dictionary<string, BlockingWork> WorkByRule = new Dictionary<string, BlockingWork>(StringComparer.Ordinal)
        {
            ["SM0001"] = BlockingWork.IndexBuild,
            ["SM0002"] = BlockingWork.SizeOnly,
            ["SM0004"] = BlockingWork.Rewrite,
            ["SM0006"] = BlockingWork.Scan,
            ["SM0007"] = BlockingWork.Rewrite,
            ["SM0008"] = BlockingWork.Scan,
            ["SM0009"] = BlockingWork.Scan,
            ["SM0010"] = BlockingWork.IndexBuild,
            ["SM0015"] = BlockingWork.RowChanges,
            ["SM0016"] = BlockingWork.SizeOnly,
            ["SM0018"] = BlockingWork.SizeOnly,
        };

        /// <summary>The blocking work behind rule <paramref name="ruleId"/>'s hazard; null for a rule whose hazard does not grow with the table.</summary>
        public static BlockingWork? WorkOf(string ruleId) =>
            ruleId != null && WorkByRule.TryGetValue(ruleId, out var work) ? work : (BlockingWork?)null;

        /// <summary>Seconds the blocking part of <paramref name="work"/> takes on <paramref name="table"/>; null for <see cref="BlockingWork.SizeOnly"/>.</summary>
        public static double? Seconds(TableEstimate table, BlockingWork work, EstimateRates rates)
        {
            var (bytes, rate) = Volume(table, work, rates);
            return rate is null ? (double?)null : bytes / (rate.Value * 1_000_000);
        }

        /// <summary>"'orders' has ~4.2M rows, 1.3 GB + 210 MB of indexes (statistics snapshot of 2026-11-30)".</summary>
        public static string Size(TableEstimate table, DateTimeOffset takenAt) =>
            "'" + table.Name + "' has " + Rows(table.EstimatedRows) + ", " + Bytes(table.HeapBytes) + " + " + Bytes(table.IndexBytes) + " of indexes"
            + " (statistics snapshot of " + takenAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + ")";

        /// <summary>
        /// "the table rewrite takes an estimated ~25 s under the lock (1.5 GB at 60 MB/s)"; empty for
        /// <see cref="BlockingWork.SizeOnly"/>. <paramref name="rateSource"/> names where the rate comes from, e.g. an
        /// .editorconfig key, and follows the rate.
        /// </summary>
        public static string Duration(TableEstimate table, BlockingWork work, EstimateRates rates, string? rateSource = null)
        {
            var (bytes, rate) = Volume(table, work, rates);
            if (rate is null)
            {
                return string.Empty;
            }

            return What(work) + " takes an estimated " + Seconds(bytes / (rate.Value * 1_000_000)) + " under the lock ("
                   + Bytes(bytes) + " at " + rate.Value.ToString("0.##", CultureInfo.InvariantCulture) + " MB/s" + (rateSource is null ? string.Empty : ", " + rateSource) + ")";
        }

        /// <summary>"~4.2M rows", "~12k rows", "~250 rows", "1 row".</summary>
        public static string Rows(long rows)
        {
            if (rows < 0)
            {
                return "an unknown number of rows";
            }

            if (rows < 1000)
            {
                return rows.ToString(CultureInfo.InvariantCulture) + (rows == 1 ? " row" : " rows");
            }

            return "~" + Scaled(rows, 1000, "k", "M", "B", "T") + " rows";
        }

        /// <summary>"1.3 GB", "210 MB", "8 kB", "0 bytes" (decimal units).</summary>
        public static string Bytes(double bytes) =>
            bytes < 1000 ? ((long)bytes).ToString(CultureInfo.InvariantCulture) + " bytes" : Scaled(bytes, 1000, " kB", " MB", " GB", " TB");

        /// <summary>"&lt;1 s", "~40 s", "~3 min", "~1.5 h".</summary>
        public static string Seconds(double seconds)
        {
            if (seconds < 1)
            {
                return "<1 s";
            }

            if (seconds < 90)
            {
                return "~" + Math.Round(seconds).ToString(CultureInfo.InvariantCulture) + " s";
            }

            if (seconds < 90 * 60)
            {
                return "~" + Math.Round(seconds / 60).ToString(CultureInfo.InvariantCulture) + " min";
            }

            return "~" + (seconds / 3600).ToString("0.#", CultureInfo.InvariantCulture) + " h";
        }

        private static (double Bytes, double? Rate) Volume(TableEstimate table, BlockingWork work, EstimateRates rates)
        {
            switch (work)
            {
                case BlockingWork.Scan:
                    return (table.HeapBytes, rates.ScanMegabytesPerSecond);
                case BlockingWork.IndexBuild:
                case BlockingWork.RowChanges:
                    return (table.HeapBytes, rates.WriteMegabytesPerSecond);
                case BlockingWork.Rewrite:
                    return ((double)table.HeapBytes + table.IndexBytes, rates.WriteMegabytesPerSecond);
                default:
                    return (0, null);
            }
        }

        private static string What(BlockingWork work)
        {
            switch (work)
            {
                case BlockingWork.Scan:
                    return "the scan";
                case BlockingWork.IndexBuild:
                    return "the index build";
                case BlockingWork.Rewrite:
                    return "the table rewrite";
                default:
                    return "changing the rows";
            }
        }

        private static string Scaled(double value, double step, params string[] units)
        {
            var unit = -1;
            while (value >= step && unit < units.Length - 1)
            {
                value /= step;
                unit++;
            }

            var text = value < 10 ? value.ToString("0.#", CultureInfo.InvariantCulture) : Math.Round(value).ToString(CultureInfo.InvariantCulture);
            return text + units[unit];
        }
    }
}
