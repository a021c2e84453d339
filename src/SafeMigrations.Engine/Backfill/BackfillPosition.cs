using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace SafeMigrations.Engine.Backfill
{
    /// <summary>
    /// Where a keyset backfill stands: the key columns, one <see cref="BackfillSegment"/> per disjoint key range (a
    /// single walk is one segment over the whole key), each with the last key of its last committed batch (each value
    /// in PostgreSQL's text form, so any key type round-trips), and how many rows were visited so far. Serialized to a
    /// string for the state table; each segment resumes after its own last key.
    /// </summary>
    /// <remarks>
    /// Earlier releases saved a single walk as <c>{"key":[...],"last":[...],"visited":n}</c>; that still parses (with
    /// <see cref="Segments"/> null) and resumes after <see cref="LastKey"/>, and is written back as one segment.
    /// </remarks>
    public sealed class BackfillPosition
    {
        private readonly IReadOnlyList<string> _lastKey;

        /// <summary>Creates the position of a single walk that processed keys up to <paramref name="lastKey"/>.</summary>
        public BackfillPosition(IReadOnlyList<string> keyColumns, IReadOnlyList<string> lastKey, long rowsVisited)
        {
            if (keyColumns.Count == 0 || keyColumns.Count != lastKey.Count)
                throw new ArgumentException("A position needs one value per key column.");
            KeyColumns = keyColumns;
            _lastKey = lastKey;
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
            _lastKey = Array.Empty<string>();
            Segments = segments;
            RowsVisited = segments.Sum(s => s.RowsVisited);
        }

        /// <summary>Key column names, in key order.</summary>
        public IReadOnlyList<string> KeyColumns { get; }

        /// <summary>The key segments, each walked by one worker at a time; null for a single walk's position in the earlier format (<see cref="LastKey"/>).</summary>
        public IReadOnlyList<BackfillSegment>? Segments { get; }

        /// <summary>
        /// The last key processed, one text value per key column: where a single walk (one segment) resumes; empty when
        /// it has not passed a key yet, and for several segments.
        /// </summary>
        public IReadOnlyList<string> LastKey
            => Segments is null ? _lastKey : Segments.Count == 1 ? Segments[0].ResumeAfter ?? Array.Empty<string>() : Array.Empty<string>();

        /// <summary>Rows visited up to this position (for progress after a resume).</summary>
        public long RowsVisited { get; }

        /// <summary>
        /// The key segments to walk: <see cref="Segments"/>, or for a position in the earlier single-walk format one
        /// segment after <see cref="LastKey"/> to the table's last key.
        /// </summary>
        internal IReadOnlyList<BackfillSegment> WalkSegments
            => Segments ?? new[] { new BackfillSegment(_lastKey, null, null, RowsVisited, done: false) };

        /// <summary>
        /// A JSON string, e.g. <c>{"key":["id"],"segments":[{"from":null,"to":["500"],"last":["42"],"visited":42,"done":false}, ...]}</c>;
        /// a single walk has one segment (<c>"to":null</c>).
        /// </summary>
        public string Serialize()
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                WriteArray(writer, "key", KeyColumns);
                writer.WriteStartArray("segments");
                foreach (BackfillSegment segment in WalkSegments)
                    segment.Write(writer);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            return Encoding.UTF8.GetString(stream.ToArray());
        }

        /// <summary>For messages: after which key a single walk resumes, or how far each segment got.</summary>
        public string Describe()
            => Segments is null || Segments.Count == 1
                ? $"{(LastKey.Count == 0 ? "from the first key" : $"after key ({string.Join(", ", LastKey)})")}, {RowsVisited} rows visited before"
                : $"with {Segments.Count(s => !s.Done)} of {Segments.Count} key segments still to finish, {RowsVisited} rows visited before";

        /// <summary>Reads a string made by <see cref="Serialize"/>, or by an earlier release (either format).</summary>
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
                // The earlier single-walk format.
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
