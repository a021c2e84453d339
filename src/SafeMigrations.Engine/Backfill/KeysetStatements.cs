using System.Collections.Generic;
using System.Linq;
using Npgsql;
using NpgsqlTypes;
using SafeMigrations.Engine.Execution;

namespace SafeMigrations.Engine.Backfill
{
    /// <summary>
    /// The SQL a keyset backfill sends: one statement per batch (its upper bound, its row locks and its UPDATE or
    /// DELETE together), and the statements that find and fill rows a batch skipped because an application
    /// transaction held them.
    /// </summary>
    internal sealed class KeysetStatements
    {
        private readonly string _table;
        private readonly IReadOnlyList<BackfillKeyColumn> _key;
        private readonly KeysetStatementKind _kind;
        private readonly string _assignments;
        private readonly string? _predicate;

        public KeysetStatements(string qualifiedTable, IReadOnlyList<BackfillKeyColumn> key, KeysetStatementKind kind, string assignments, string? predicate, string? remaining)
        {
            _table = qualifiedTable;
            _key = key;
            _kind = kind;
            _assignments = assignments;
            _predicate = predicate;
            Remaining = remaining;
        }

        /// <summary>A row condition that holds exactly for rows still to do; null when none is known (then batches wait for row locks instead of skipping them).</summary>
        public string? Remaining { get; }

        private string KeyList => "(" + string.Join(", ", _key.Select(k => SqlIdentifier.Quote(k.Name))) + ")";

        private string Ascending => string.Join(", ", _key.Select(k => SqlIdentifier.Quote(k.Name)));

        private string Descending => string.Join(", ", _key.Select(k => SqlIdentifier.Quote(k.Name) + " DESC"));

        private string KeyAliases => string.Join(", ", _key.Select((_, i) => "sm_key_" + i));

        private string KeysAsText => string.Join(", ", _key.Select(k => SqlIdentifier.Quote(k.Name) + "::text"));

        // An UPDATE that sets no key column needs only FOR NO KEY UPDATE, which leaves foreign-key checks (KEY SHARE) alone.
        private string LockClause => _kind == KeysetStatementKind.Delete ? "FOR UPDATE" : "FOR NO KEY UPDATE";

        private string Change(string where, string returning)
            => (_kind == KeysetStatementKind.Delete ? $"DELETE FROM {_table}" : $"UPDATE {_table} SET {_assignments}") + " WHERE " + where + returning;

        /// <summary>
        /// One batch in one statement. Its range ends at the <paramref name="size"/>-th key after <paramref name="lower"/>
        /// (or at the table's last key: the tail batch). Returns one row: rows changed, whether keys go on after the range,
        /// and the range's last key as text; no row when the table is empty. With <paramref name="segmentEnd"/> the walk
        /// stops there (inclusive): the range never passes it, and the tail batch is the one that reaches it.
        /// </summary>
        /// <remarks>
        /// With <paramref name="skipLocked"/>, the batch locks its rows with SKIP LOCKED and changes exactly the rows it
        /// locked (by ctid, which cannot move while it holds the lock): it never waits for an application transaction, so
        /// no writer queues behind rows it already holds. A skipped row still matches <see cref="Remaining"/>; the
        /// <see cref="LockedRowSweep"/> fills it afterwards.
        /// </remarks>
        public NpgsqlCommand Batch(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<string>? lower, int size, bool skipLocked, IReadOnlyList<string>? segmentEnd = null)
        {
            var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
            string? after = lower is null ? null : KeyList + " > " + KeyParameters(command, lower);
            string? until = segmentEnd is null ? null : KeyList + " <= " + KeyParameters(command, segmentEnd);
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = size - 1 });
            string offset = "$" + command.Parameters.Count;
            string aliases = string.Join(", ", _key.Select((k, i) => SqlIdentifier.Quote(k.Name) + " AS sm_key_" + i));

            // The last key of the table only bounds the tail batch; UNION ALL ... LIMIT 1 never reads it otherwise.
            string walked = string.Join(" AND ", new[] { after, until }.Where(c => c is not null));
            string upper = $"(SELECT {aliases}, true AS more FROM {_table}{(walked.Length == 0 ? string.Empty : " WHERE " + walked)} ORDER BY {Ascending} LIMIT 1 OFFSET {offset})"
                + $" UNION ALL (SELECT {aliases}, false FROM {_table}{(until is null ? string.Empty : " WHERE " + until)} ORDER BY {Descending} LIMIT 1) LIMIT 1";
            // A first batch gets the first key as its lower bound: two bounds from sub-selects are estimated as a narrow range (an index scan), one alone as a third of the table.
            string from = after ?? $"{KeyList} >= (SELECT {Ascending} FROM {_table} ORDER BY {Ascending} LIMIT 1)";
            var range = new List<string> { from, $"{KeyList} <= (SELECT {KeyAliases} FROM upper)" };
            if (_predicate is not null)
                range.Add("(" + _predicate + ")");
            string where = string.Join(" AND ", range);

            string changed = skipLocked
                ? $"picked AS (SELECT ctid FROM {_table} WHERE {where} {LockClause} SKIP LOCKED), changed AS ({Change("ctid = ANY (ARRAY(SELECT ctid FROM picked))", " RETURNING 1")})"
                : $"changed AS ({Change(where, " RETURNING 1")})";
            string keyText = string.Join(", ", _key.Select((_, i) => "u.sm_key_" + i + "::text"));
            command.CommandText = $"WITH upper AS ({upper}), {changed} SELECT (SELECT count(*) FROM changed), u.more, {keyText} FROM upper u";
            return command;
        }

        /// <summary>
        /// Keys of a block sample of about <paramref name="percent"/> % of the table after <paramref name="lower"/>, in key
        /// order (where to split the key range into segments; a sample, so the segments are about even, never wrong).
        /// </summary>
        public NpgsqlCommand SampleKeys(NpgsqlConnection connection, double percent, IReadOnlyList<string>? lower)
        {
            var command = new NpgsqlCommand { Connection = connection };
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Real, Value = (float)percent });
            string after = lower is null ? string.Empty : " WHERE " + KeyList + " > " + KeyParameters(command, lower);
            // Aliased: ORDER BY a bare name would sort the text output column, not the key.
            string sampled = string.Join(", ", _key.Select((k, i) => SqlIdentifier.Quote(k.Name) + "::text AS sm_sample_" + i));
            command.CommandText = $"SELECT {sampled} FROM {_table} TABLESAMPLE SYSTEM ($1){after} ORDER BY {Ascending}";
            return command;
        }

        /// <summary>Keys of up to <paramref name="limit"/> rows still to do (a scan of the table).</summary>
        /// <remarks>No ORDER BY: with one, the planner walks the key index expecting matches early (the statistics still say
        /// the column is NULL everywhere) and reads the whole table through it when none is left.</remarks>
        public NpgsqlCommand RemainingKeys(NpgsqlConnection connection, int limit)
            => new NpgsqlCommand($"SELECT {KeysAsText} FROM {_table} WHERE ({Remaining}) LIMIT {limit}", connection);

        /// <summary>Changes the given rows that are still to do and not locked by anyone else; returns the keys it changed.</summary>
        public NpgsqlCommand ChangeUnlocked(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<IReadOnlyList<string>> keys)
        {
            var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
            string listed = ListedKeys(command, keys);
            command.CommandText = $"WITH picked AS (SELECT ctid FROM {_table} WHERE {KeyList} IN ({listed}) AND ({Remaining}) {LockClause} SKIP LOCKED)"
                + $" {Change("ctid = ANY (ARRAY(SELECT ctid FROM picked))", " RETURNING " + KeysAsText)}";
            return command;
        }

        /// <summary>Which of the given rows are still to do.</summary>
        public NpgsqlCommand StillRemaining(NpgsqlConnection connection, IReadOnlyList<IReadOnlyList<string>> keys)
        {
            var command = new NpgsqlCommand { Connection = connection };
            string listed = ListedKeys(command, keys);
            command.CommandText = $"SELECT {KeysAsText} FROM {_table} WHERE {KeyList} IN ({listed}) AND ({Remaining}) ORDER BY {Ascending}";
            return command;
        }

        /// <summary>Changes one row if it is still to do, waiting for its row lock (bounded by the transaction's lock_timeout).</summary>
        public NpgsqlCommand ChangeOne(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<string> key)
        {
            var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
            command.CommandText = Change($"{KeyList} = {KeyParameters(command, key)} AND ({Remaining})", string.Empty);
            return command;
        }

        /// <summary>Adds the key values as text parameters and returns <c>($1::type, $2::type)</c>.</summary>
        private string KeyParameters(NpgsqlCommand command, IReadOnlyList<string> values)
        {
            var placeholders = new List<string>();
            for (int i = 0; i < _key.Count; i++)
            {
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = values[i] });
                placeholders.Add("$" + command.Parameters.Count + "::" + _key[i].Type);
            }
            return "(" + string.Join(", ", placeholders) + ")";
        }

        /// <summary>A sub-select of the given keys: one text array per key column, unnested side by side and cast to the column types.</summary>
        private string ListedKeys(NpgsqlCommand command, IReadOnlyList<IReadOnlyList<string>> keys)
        {
            var arrays = new List<string>();
            for (int i = 0; i < _key.Count; i++)
            {
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = keys.Select(k => k[i]).ToArray() });
                arrays.Add("$" + command.Parameters.Count + "::text[]");
            }
            string columns = string.Join(", ", _key.Select((k, i) => "u.v" + i + "::" + k.Type));
            string names = string.Join(", ", _key.Select((_, i) => "v" + i));
            return $"SELECT {columns} FROM unnest({string.Join(", ", arrays)}) AS u({names})";
        }
    }
}
