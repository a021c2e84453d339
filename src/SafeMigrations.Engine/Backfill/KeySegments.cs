using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace SafeMigrations.Engine.Backfill
{
    /// <summary>
    /// One disjoint key range of a backfill run by several workers: keys after <see cref="From"/> up to and including
    /// <see cref="To"/> (null: the table's first or last key), walked in batches; <see cref="Last"/> is the last key of
    /// its last committed batch. Immutable: each batch makes the next state, recorded in that batch's transaction.
    /// </summary>
    public sealed class BackfillSegment
    {
        /// <summary>Creates a segment's state.</summary>
        public BackfillSegment(IReadOnlyList<string>? from, IReadOnlyList<string>? to, IReadOnlyList<string>? last, long rowsVisited, bool done)
        {
            From = from;
            To = to;
            Last = last;
            RowsVisited = rowsVisited;
            Done = done;
        }

        /// <summary>The key before the segment (exclusive), or null from the table's first key.</summary>
        public IReadOnlyList<string>? From { get; }

        /// <summary>The segment's last key (inclusive), or null up to the table's last key.</summary>
        public IReadOnlyList<string>? To { get; }

        /// <summary>The last key of the last committed batch, or null before the first.</summary>
        public IReadOnlyList<string>? Last { get; }

        /// <summary>Rows of this segment visited so far (over every run).</summary>
        public long RowsVisited { get; }

        /// <summary>True once the segment's tail batch committed.</summary>
        public bool Done { get; }

        /// <summary>Where the next batch starts (exclusive): after the last batch, else after <see cref="From"/>.</summary>
        public IReadOnlyList<string>? ResumeAfter => Last ?? From;

        /// <summary>The state after a batch that reached <paramref name="upper"/> with more keys in the segment after it.</summary>
        public BackfillSegment Reached(IReadOnlyList<string> upper, long visited) => new BackfillSegment(From, To, upper, RowsVisited + visited, done: false);

        /// <summary>The state after the segment's tail batch.</summary>
        public BackfillSegment Finished(long visited) => new BackfillSegment(From, To, Last, RowsVisited + visited, done: true);

        /// <summary>The segment alone as JSON (what a worker writes into its slot of the saved position).</summary>
        public string ToJson()
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream))
                Write(writer);
            return Encoding.UTF8.GetString(stream.ToArray());
        }

        internal bool Fits(int keyCount)
            => (From is null || From.Count == keyCount) && (To is null || To.Count == keyCount) && (Last is null || Last.Count == keyCount);

        internal void Write(Utf8JsonWriter writer)
        {
            writer.WriteStartObject();
            WriteKey(writer, "from", From);
            WriteKey(writer, "to", To);
            WriteKey(writer, "last", Last);
            writer.WriteNumber("visited", RowsVisited);
            writer.WriteBoolean("done", Done);
            writer.WriteEndObject();
        }

        internal static BackfillSegment Read(JsonElement element)
            => new BackfillSegment(ReadKey(element, "from"), ReadKey(element, "to"), ReadKey(element, "last"), element.GetProperty("visited").GetInt64(), element.GetProperty("done").GetBoolean());

        private static void WriteKey(Utf8JsonWriter writer, string name, IReadOnlyList<string>? key)
        {
            if (key is null)
                writer.WriteNull(name);
            else
                BackfillPosition.WriteArray(writer, name, key);
        }

        private static string[]? ReadKey(JsonElement element, string name)
        {
            JsonElement value = element.GetProperty(name);
            return value.ValueKind == JsonValueKind.Null
                ? null
                : value.EnumerateArray().Select(e => e.GetString() ?? throw new FormatException("null key value")).ToArray();
        }
    }

    /// <summary>Splits what is left of a key range into segments of about equal row counts, for parallel workers.</summary>
    internal static class KeySegments
    {
        /// <summary>Rows the split samples: enough for even segments, few enough to read in a moment on any table.</summary>
        private const double SampleRows = 30_000;

        /// <summary>
        /// Up to <paramref name="workers"/> segments covering every key after <paramref name="after"/> (the whole table
        /// when null); the first carries <paramref name="visitedBefore"/>. Boundaries are keys of a block sample at evenly
        /// spaced ranks; fewer segments when the sample holds fewer distinct keys.
        /// </summary>
        public static async Task<IReadOnlyList<BackfillSegment>> SplitAsync(KeysetStatements statements, NpgsqlConnection connection, int workers, long? estimatedRows, IReadOnlyList<string>? after, long visitedBefore, CancellationToken cancellationToken)
        {
            double percent = estimatedRows is long rows && rows > SampleRows ? Math.Max(0.01, 100 * SampleRows / rows) : 100;
            var sample = new List<string[]>();
            await using (NpgsqlCommand command = statements.SampleKeys(connection, percent, after))
            await using (NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var key = new string[reader.FieldCount];
                    for (int i = 0; i < key.Length; i++)
                        key[i] = reader.GetString(i);
                    sample.Add(key);
                }
            }

            var boundaries = new List<string[]>();
            for (int i = 1; i < workers && sample.Count > 0; i++)
            {
                string[] boundary = sample[(int)((long)sample.Count * i / workers)];
                // The sample is in key order: equal neighbours are the same key (a boundary once).
                if (boundaries.Count == 0 || !boundaries[boundaries.Count - 1].SequenceEqual(boundary))
                    boundaries.Add(boundary);
            }

            var segments = new List<BackfillSegment>();
            IReadOnlyList<string>? from = after;
            foreach (string[] boundary in boundaries)
            {
                segments.Add(new BackfillSegment(from, boundary, null, segments.Count == 0 ? visitedBefore : 0, done: false));
                from = boundary;
            }
            segments.Add(new BackfillSegment(from, null, null, segments.Count == 0 ? visitedBefore : 0, done: false));
            return segments;
        }
    }
}
