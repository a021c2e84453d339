using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace SafeMigrations.Sql.Statistics
{
    /// <summary>One table of a <see cref="StatisticsFile"/>: estimated rows, sizes and write rates.</summary>
    public sealed class TableEstimate
    {
        /// <summary>Creates the entry.</summary>
        public TableEstimate(string schema, string name, long estimatedRows, long heapBytes, long indexBytes, double? insertsPerSecond, double? updatesPerSecond, double? deletesPerSecond)
        {
            Schema = schema ?? throw new ArgumentNullException(nameof(schema));
            Name = name ?? throw new ArgumentNullException(nameof(name));
            EstimatedRows = estimatedRows;
            HeapBytes = heapBytes;
            IndexBytes = indexBytes;
            InsertsPerSecond = insertsPerSecond;
            UpdatesPerSecond = updatesPerSecond;
            DeletesPerSecond = deletesPerSecond;
        }

        /// <summary>The table's schema.</summary>
        public string Schema { get; }

        /// <summary>The table's name.</summary>
        public string Name { get; }

        /// <summary>Estimated live rows.</summary>
        public long EstimatedRows { get; }

        /// <summary>Heap (main fork) size in bytes.</summary>
        public long HeapBytes { get; }

        /// <summary>Size of all the table's indexes in bytes.</summary>
        public long IndexBytes { get; }

        /// <summary>Rows inserted per second; null when not measured.</summary>
        public double? InsertsPerSecond { get; }

        /// <summary>Rows updated per second; null when not measured.</summary>
        public double? UpdatesPerSecond { get; }

        /// <summary>Rows deleted per second; null when not measured.</summary>
        public double? DeletesPerSecond { get; }

        /// <summary>Inserts + updates + deletes per second; null when no rate was measured.</summary>
        public double? WritesPerSecond =>
            InsertsPerSecond is null && UpdatesPerSecond is null && DeletesPerSecond is null
                ? (double?)null
                : (InsertsPerSecond ?? 0) + (UpdatesPerSecond ?? 0) + (DeletesPerSecond ?? 0);
    }

    /// <summary>
    /// The statistics snapshot file (<see cref="DefaultFileName"/>) as the analyzers and the engine read it: per table
    /// its estimated rows, sizes and write rates, and when and from which server version it was taken. The engine's
    /// writer (SafeMigrations.Engine.Statistics.StatisticsSnapshot) writes this format; this is its one reader.
    /// </summary>
    public sealed class StatisticsFile
    {
        /// <summary>The conventional file name, in the project directory.</summary>
        public const string DefaultFileName = "safemigrations.stats.json";

        /// <summary>The newest format this code reads.</summary>
        public const int CurrentFormatVersion = 1;

        private readonly Dictionary<(string Schema, string Name), TableEstimate> _byName;

        /// <summary>Creates the file's model; <paramref name="tables"/> are put in (schema, name) order.</summary>
        public StatisticsFile(DateTimeOffset takenAt, int serverVersionNumber, int intervalSeconds, IEnumerable<TableEstimate> tables)
        {
            TakenAt = takenAt.ToUniversalTime();
            ServerVersionNumber = serverVersionNumber;
            IntervalSeconds = intervalSeconds;
            Tables = (tables ?? throw new ArgumentNullException(nameof(tables)))
                .OrderBy(t => t.Schema, StringComparer.Ordinal)
                .ThenBy(t => t.Name, StringComparer.Ordinal)
                .ToList();
            _byName = new Dictionary<(string, string), TableEstimate>();
            foreach (var table in Tables)
            {
                _byName[(table.Schema, table.Name)] = table;
            }
        }

        /// <summary>When the (second) sample was taken, UTC.</summary>
        public DateTimeOffset TakenAt { get; }

        /// <summary>server_version_num, e.g. 160004.</summary>
        public int ServerVersionNumber { get; }

        /// <summary>Seconds between the two samples the rates come from; 0 when no rate was taken.</summary>
        public int IntervalSeconds { get; }

        /// <summary>The tables, in (schema, name) order.</summary>
        public IReadOnlyList<TableEstimate> Tables { get; }

        /// <summary>
        /// The table as a migration names it, exactly (EF quotes every identifier; the SQL scanner folds unquoted ones),
        /// no schema meaning <c>public</c>; null when the snapshot does not know it.
        /// </summary>
        public TableEstimate? Find(string? schema, string name) =>
            name != null && _byName.TryGetValue((schema ?? "public", name), out var table) ? table : null;

        /// <summary>Reads the file's text.</summary>
        /// <exception cref="FormatException">Naming what is wrong (line, missing property, newer format).</exception>
        public static StatisticsFile Parse(string text)
        {
            if (!(JsonValueReader.Parse(text ?? string.Empty) is Dictionary<string, object?> root))
            {
                throw new FormatException("the document is not a JSON object");
            }

            var version = (int)Long(root, "formatVersion", "the document");
            if (version > CurrentFormatVersion)
            {
                throw new FormatException("format version " + version.ToString(CultureInfo.InvariantCulture) + " is newer than this SafeMigrations reads (" + CurrentFormatVersion.ToString(CultureInfo.InvariantCulture) + ")");
            }

            var takenAtText = String(root, "takenAt", "the document");
            if (!DateTimeOffset.TryParse(takenAtText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var takenAt))
            {
                throw new FormatException("'takenAt' is not a date and time: " + takenAtText);
            }

            if (!(Property(root, "tables", "the document") is List<object?> tableValues))
            {
                throw new FormatException("'tables' is not an array");
            }

            var tables = new List<TableEstimate>();
            for (var i = 0; i < tableValues.Count; i++)
            {
                var where = "table " + (i + 1).ToString(CultureInfo.InvariantCulture);
                if (!(tableValues[i] is Dictionary<string, object?> table))
                {
                    throw new FormatException(where + " is not an object");
                }

                tables.Add(new TableEstimate(
                    String(table, "schema", where),
                    String(table, "name", where),
                    Long(table, "estimatedRows", where),
                    Long(table, "heapBytes", where),
                    Long(table, "indexBytes", where),
                    Rate(table, "insertsPerSecond", where),
                    Rate(table, "updatesPerSecond", where),
                    Rate(table, "deletesPerSecond", where)));
            }

            return new StatisticsFile(takenAt, (int)Long(root, "serverVersionNum", "the document"), (int)Long(root, "intervalSeconds", "the document"), tables);
        }

        private static object? Property(Dictionary<string, object?> value, string name, string where) =>
            value.TryGetValue(name, out var found) ? found : throw new FormatException(where + " has no '" + name + "'");

        private static string String(Dictionary<string, object?> value, string name, string where) =>
            Property(value, name, where) as string ?? throw new FormatException("'" + name + "' of " + where + " is not a string");

        private static long Long(Dictionary<string, object?> value, string name, string where) =>
            Property(value, name, where) is JsonValueReader.Number number
            && long.TryParse(number.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var result)
                ? result
                : throw new FormatException("'" + name + "' of " + where + " is not a whole number");

        private static double? Rate(Dictionary<string, object?> value, string name, string where)
        {
            // Absent when the snapshot took no rate: "not measured" differs from 0.
            if (!value.TryGetValue(name, out var found) || found is null)
            {
                return null;
            }

            return found is JsonValueReader.Number number && double.TryParse(number.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate)
                ? rate
                : throw new FormatException("'" + name + "' of " + where + " is not a number");
        }
    }
}
