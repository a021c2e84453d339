using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Sql.Statistics;

namespace SafeMigrations.Engine.Statistics
{
    /// <summary>
    /// What SafeMigrations knows about a production (or staging) database: per table its estimated rows, heap and index
    /// sizes and write rates, and the server version. Written as <see cref="DefaultFileName"/> next to the migrations and
    /// committed; holds no connection details. Tables are in (schema, name) order, so a diff shows what changed.
    /// </summary>
    public sealed class StatisticsSnapshot
    {
        /// <summary>The conventional file name, in the project directory.</summary>
        public const string DefaultFileName = StatisticsFile.DefaultFileName;

        /// <summary>The format this code writes; a reader refuses a newer one.</summary>
        public const int CurrentFormatVersion = StatisticsFile.CurrentFormatVersion;

        /// <summary>Creates the snapshot; <paramref name="tables"/> are put in (schema, name) order.</summary>
        public StatisticsSnapshot(DateTimeOffset takenAt, int serverVersionNumber, int intervalSeconds, IEnumerable<TableEstimate> tables)
            : this(new StatisticsFile(takenAt, serverVersionNumber, intervalSeconds, tables))
        {
        }

        private StatisticsSnapshot(StatisticsFile model) => Model = model;

        /// <summary>The snapshot as the analyzers read it (the model this writer writes).</summary>
        public StatisticsFile Model { get; }

        /// <summary>When the (second) sample was taken, UTC.</summary>
        public DateTimeOffset TakenAt => Model.TakenAt;

        /// <summary>server_version_num, e.g. 160004.</summary>
        public int ServerVersionNumber => Model.ServerVersionNumber;

        /// <summary>Seconds between the two samples the rates come from; 0 when no rate was taken.</summary>
        public int IntervalSeconds => Model.IntervalSeconds;

        /// <summary>The tables, in (schema, name) order.</summary>
        public IReadOnlyList<TableEstimate> Tables => Model.Tables;

        /// <summary>The table named <paramref name="schema"/>.<paramref name="name"/>, or null when the snapshot does not know it.</summary>
        public TableEstimate? Find(string schema, string name) => Model.Find(schema, name);

        /// <summary>The file's text: indented JSON, invariant numbers, a trailing newline.</summary>
        public string ToJson()
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartObject();
                writer.WriteNumber("formatVersion", CurrentFormatVersion);
                writer.WriteString("takenAt", TakenAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                writer.WriteNumber("serverVersionNum", ServerVersionNumber);
                writer.WriteNumber("intervalSeconds", IntervalSeconds);
                writer.WriteStartArray("tables");
                foreach (TableEstimate table in Tables)
                {
                    writer.WriteStartObject();
                    writer.WriteString("schema", table.Schema);
                    writer.WriteString("name", table.Name);
                    writer.WriteNumber("estimatedRows", table.EstimatedRows);
                    writer.WriteNumber("heapBytes", table.HeapBytes);
                    writer.WriteNumber("indexBytes", table.IndexBytes);
                    WriteRate(writer, "insertsPerSecond", table.InsertsPerSecond);
                    WriteRate(writer, "updatesPerSecond", table.UpdatesPerSecond);
                    WriteRate(writer, "deletesPerSecond", table.DeletesPerSecond);
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            return Encoding.UTF8.GetString(stream.ToArray()).Replace("\r\n", "\n") + "\n";
        }

        /// <summary>Writes the file (UTF-8 without BOM, LF line ends).</summary>
        public void Write(string path)
            => File.WriteAllText(path, ToJson(), new UTF8Encoding(false));

        /// <summary>Reads a snapshot file's text (through the one reader the analyzers use too); SM1001 naming what is wrong when it is not one this version reads.</summary>
        /// <exception cref="EngineException">SM1001.</exception>
        public static StatisticsSnapshot Parse(string json)
        {
            try
            {
                return new StatisticsSnapshot(StatisticsFile.Parse(json));
            }
            catch (FormatException exception)
            {
                throw new EngineException(EngineCodes.Configuration, $"the statistics snapshot cannot be read ({exception.Message}); take it again with the stats command (SafeMigrationsStats).", exception);
            }
        }

        private static void WriteRate(Utf8JsonWriter writer, string name, double? rate)
        {
            // Absent, not 0, when no rate was taken: "no write seen" and "not measured" must stay apart.
            if (rate is double value)
                writer.WriteNumber(name, Math.Round(value, 3));
        }
    }
}
