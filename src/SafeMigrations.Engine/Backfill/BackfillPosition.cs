using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace SafeMigrations.Engine.Backfill
{
    /// <summary>
    /// Where a keyset backfill stands: the last key of the last committed batch (each value in PostgreSQL's text
    /// form, so any key type round-trips), the key columns it refers to, and how many rows were visited so far.
    /// Serialized to a string for the state table; a backfill resumes after this key.
    /// </summary>
    public sealed class BackfillPosition
    {
        /// <summary>Creates a position.</summary>
        public BackfillPosition(IReadOnlyList<string> keyColumns, IReadOnlyList<string> lastKey, long rowsVisited)
        {
            if (keyColumns.Count == 0 || keyColumns.Count != lastKey.Count)
                throw new ArgumentException("A position needs one value per key column.");
            KeyColumns = keyColumns;
            LastKey = lastKey;
            RowsVisited = rowsVisited;
        }

        /// <summary>Key column names, in key order.</summary>
        public IReadOnlyList<string> KeyColumns { get; }

        /// <summary>The last key processed, one text value per key column.</summary>
        public IReadOnlyList<string> LastKey { get; }

        /// <summary>Rows visited up to this position (for progress after a resume).</summary>
        public long RowsVisited { get; }

        /// <summary>A JSON string, e.g. <c>{"key":["id"],"last":["42"],"visited":42}</c>.</summary>
        public string Serialize()
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                WriteArray(writer, "key", KeyColumns);
                WriteArray(writer, "last", LastKey);
                writer.WriteNumber("visited", RowsVisited);
                writer.WriteEndObject();
            }
            return Encoding.UTF8.GetString(stream.ToArray());
        }

        /// <summary>Reads a string made by <see cref="Serialize"/>.</summary>
        /// <exception cref="FormatException">The text is not a backfill position.</exception>
        public static BackfillPosition Parse(string text)
        {
            try
            {
                using JsonDocument document = JsonDocument.Parse(text);
                JsonElement root = document.RootElement;
                string[] key = root.GetProperty("key").EnumerateArray().Select(e => e.GetString() ?? throw new FormatException("null key column")).ToArray();
                string[] last = root.GetProperty("last").EnumerateArray().Select(e => e.GetString() ?? throw new FormatException("null key value")).ToArray();
                long visited = root.TryGetProperty("visited", out JsonElement v) ? v.GetInt64() : 0;
                return new BackfillPosition(key, last, visited);
            }
            catch (Exception exception) when (exception is JsonException || exception is KeyNotFoundException || exception is InvalidOperationException || exception is ArgumentException)
            {
                throw new FormatException("Not a backfill position: " + text, exception);
            }
        }

        /// <inheritdoc />
        public override string ToString() => Serialize();

        private static void WriteArray(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
        {
            writer.WriteStartArray(name);
            foreach (string value in values)
                writer.WriteStringValue(value);
            writer.WriteEndArray();
        }
    }
}
