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
    /// Serialized to a string for the state table; a backfill resumes after this key. A backfill run by several workers
    /// has instead one <see cref="BackfillSegment"/> per disjoint key range, each resumed after its own last key.
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

        /// <summary>Creates the position of a backfill split into key segments.</summary>
        public BackfillPosition(IReadOnlyList<string> keyColumns, IReadOnlyList<BackfillSegment> segments)
        {
            if (keyColumns.Count == 0 || segments.Count == 0)
                throw new ArgumentException("A segmented position needs key columns and at least one segment.");
            if (segments.Any(s => !s.Fits(keyColumns.Count)))
                throw new ArgumentException("A segment needs one value per key column in each of its keys.");
            KeyColumns = keyColumns;
            LastKey = Array.Empty<string>();
            Segments = segments;
            RowsVisited = segments.Sum(s => s.RowsVisited);
        }

        /// <summary>Key column names, in key order.</summary>
        public IReadOnlyList<string> KeyColumns { get; }

        /// <summary>The key segments, each walked by one worker at a time; null for a single walk (<see cref="LastKey"/>).</summary>
        public IReadOnlyList<BackfillSegment>? Segments { get; }

        /// <summary>The last key processed, one text value per key column (empty for a segmented position).</summary>
        public IReadOnlyList<string> LastKey { get; }

        /// <summary>Rows visited up to this position (for progress after a resume).</summary>
        public long RowsVisited { get; }

        /// <summary>
        /// A JSON string, e.g. <c>{"key":["id"],"last":["42"],"visited":42}</c>, or with segments
        /// <c>{"key":["id"],"segments":[{"from":null,"to":["500"],"last":["42"],"visited":42,"done":false}, ...]}</c>.
        /// </summary>
        public string Serialize()
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                WriteArray(writer, "key", KeyColumns);
                if (Segments is null)
                {
                    WriteArray(writer, "last", LastKey);
                    writer.WriteNumber("visited", RowsVisited);
                }
                else
                {
                    writer.WriteStartArray("segments");
                    foreach (BackfillSegment segment in Segments)
                        segment.Write(writer);
                    writer.WriteEndArray();
                }
                writer.WriteEndObject();
            }
            return Encoding.UTF8.GetString(stream.ToArray());
        }

        /// <summary>For messages: after which key the walk resumes, or how far each segment got.</summary>
        public string Describe()
            => Segments is null
                ? $"after key ({string.Join(", ", LastKey)}), {RowsVisited} rows visited before"
                : $"with {Segments.Count(s => !s.Done)} of {Segments.Count} key segments still to finish, {RowsVisited} rows visited before";

        /// <summary>Reads a string made by <see cref="Serialize"/>.</summary>
        /// <exception cref="FormatException">The text is not a backfill position.</exception>
        public static BackfillPosition Parse(string text)
        {
            try
            {
                using JsonDocument document = JsonDocument.Parse(text);
                JsonElement root = document.RootElement;
                string[] key = root.GetProperty("key").EnumerateArray().Select(e => e.GetString() ?? throw new FormatException("null key column")).ToArray();
                if (root.TryGetProperty("segments", out JsonElement segments))
                    return new BackfillPosition(key, segments.EnumerateArray().Select(BackfillSegment.Read).ToArray());
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

        internal static void WriteArray(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
        {
            writer.WriteStartArray(name);
            foreach (string value in values)
                writer.WriteStringValue(value);
            writer.WriteEndArray();
        }
    }
}
