using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Sql;

namespace SafeMigrations.Engine.Execution
{
    /// <summary>
    /// Runs a timestamp ↔ timestamptz step under UTC flat in table size: the column's plain indexes (non-unique, backing
    /// no constraint, keyed on the column as a column, default operator class, no expression or predicate naming it)
    /// are saved in the step's state row, dropped concurrently, the type changed in a short transaction (no rewrite
    /// under UTC, and with those indexes gone nothing is rebuilt under the lock), then built again concurrently from the
    /// saved definitions and checked (valid, same definition). Resumable: a rerun reads the saved definitions; while
    /// the column still has the old type it drops what is left and changes the type, afterwards it only builds what is
    /// missing or invalid.
    /// </summary>
    internal sealed class TimestampTzIndexRecipe
    {
        // The indexes depending on the column, with what decides whether the recipe may drop and rebuild them.
        private const string IndexesSql = @"
select n.nspname, ic.relname, pg_get_indexdef(i.indexrelid),
       a.attnum = any ((i.indkey::int2[])[0:i.indnkeyatts - 1]) as keyed,
       i.indisunique or i.indisexclusion or exists (select 1 from pg_constraint c where c.conindid = i.indexrelid) as enforces,
       i.indisvalid and i.indisready as valid,
       i.indexprs is not null or (i.indpred is not null and position(@column in pg_get_expr(i.indpred, i.indrelid)) > 0) as expression,
       exists (select 1 from unnest(i.indkey::int2[], i.indclass::oid[]) k(attnum, opclass) join pg_opclass o on o.oid = k.opclass
               where k.attnum = a.attnum and not o.opcdefault) as custom_opclass
from pg_index i
join pg_class ic on ic.oid = i.indexrelid
join pg_namespace n on n.oid = ic.relnamespace
join pg_attribute a on a.attrelid = i.indrelid and a.attname = @column and not a.attisdropped
where i.indrelid = to_regclass(@table)
  and exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = i.indexrelid
              and d.refclassid = 'pg_class'::regclass and d.refobjid = i.indrelid and d.refobjsubid = a.attnum)
order by ic.relname";

        private readonly PlanStep _step;
        private readonly TimestampTzIndexes _spec;

        public TimestampTzIndexRecipe(PlanStep step)
        {
            _step = step;
            _spec = step.TimeZoneIndexes ?? throw new ArgumentException("The step is no timestamp ↔ timestamptz change.", nameof(step));
        }

        /// <summary>Saves the position (the index definitions) in the step's state row; committed before anything is dropped.</summary>
        public Func<string, CancellationToken, Task> SavePositionAsync { get; set; } = (_, _) => Task.CompletedTask;

        /// <summary>Runs one statement outside a transaction with lock_timeout and retries (a DROP INDEX CONCURRENTLY).</summary>
        public Func<string, CancellationToken, Task> RunAutocommitAsync { get; set; } = (_, _) => Task.CompletedTask;

        /// <summary>Runs the step's SQL in its own short transaction with lock_timeout and retries.</summary>
        public Func<string, CancellationToken, Task> RunTransactionAsync { get; set; } = (_, _) => Task.CompletedTask;

        /// <summary>Builds one index with <c>CREATE INDEX CONCURRENTLY</c> (an invalid leftover dropped first, a valid one kept).</summary>
        public Func<string, CancellationToken, Task> BuildIndexAsync { get; set; } = (_, _) => Task.CompletedTask;

        /// <summary>Runs the step's SQL as written in its own transaction, its completion recorded in it (a raw step that is no time zone change).</summary>
        public Func<CancellationToken, Task> RunAsWrittenAsync { get; set; } = _ => Task.CompletedTask;

        /// <summary>Progress lines.</summary>
        public Action<string> Info { get; set; } = _ => { };

        /// <summary>SM1006 lines: indexes the ALTER still rebuilds under ACCESS EXCLUSIVE.</summary>
        public Action<string> Warn { get; set; } = _ => { };

        /// <summary>Runs (or resumes, from <paramref name="savedPosition"/>) the recipe; the connection is open, in no transaction, under the step's settings.</summary>
        public async Task RunAsync(NpgsqlConnection connection, string? savedPosition, CancellationToken cancellationToken)
        {
            IReadOnlyList<SavedIndex>? saved = Parse(savedPosition);
            if (saved is null && _spec.OldTypeReadAtRunTime && await AsWrittenBecauseAsync(connection, _spec, cancellationToken).ConfigureAwait(false) is (string asWritten, bool stalls))
            {
                // Nothing was saved or dropped before (a saved position means the recipe had started): the statement decides alone.
                if (stalls)
                    Warn($"runs as written, rebuilding the indexes on the column under ACCESS EXCLUSIVE: {asWritten}");
                else
                    Info($"runs as written: {asWritten}");
                await RunAsWrittenAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            bool altered = await HasTargetTypeAsync(connection, cancellationToken).ConfigureAwait(false);
            if (saved is null)
            {
                saved = altered ? Array.Empty<SavedIndex>() : await ChooseAsync(connection, cancellationToken).ConfigureAwait(false);
                await SavePositionAsync(Serialize(saved), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                Info($"resuming: the column {(altered ? "has its new type; building the indexes that are missing" : "still has its old type")}; saved indexes: {Names(saved)}");
            }

            if (!altered)
            {
                foreach (SavedIndex index in saved)
                {
                    Info($"dropping index {SqlIdentifier.Quote(index.Name)} concurrently (the column has no such index until it is built again)");
                    await RunAutocommitAsync($"DROP INDEX CONCURRENTLY IF EXISTS {SqlIdentifier.Qualify(index.Schema, index.Name)};", cancellationToken).ConfigureAwait(false);
                }
                await RunTransactionAsync(_step.Sql, cancellationToken).ConfigureAwait(false);
                // A raw step has no verification of its own: the column must now have the type the statement names.
                if (_spec.OldTypeReadAtRunTime && !await HasTargetTypeAsync(connection, cancellationToken).ConfigureAwait(false))
                    throw new EngineException(EngineCodes.VerificationFailed, $"{_step.Name}: the statement ran but column {SqlIdentifier.Quote(_spec.Column)} does not have type {_spec.TargetType}; the saved index definitions are in safemigrations.state: fix the statement and rerun apply, which builds them again.");
                Info("type changed (catalog only under TimeZone UTC)");
            }

            foreach (SavedIndex index in saved)
            {
                Info($"building index {SqlIdentifier.Quote(index.Name)} again concurrently");
                await BuildIndexAsync(Concurrently(index.Definition), cancellationToken).ConfigureAwait(false);
            }
            await VerifyAsync(connection, saved, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The plain indexes to drop and rebuild; the others are named in an SM1006 warning.</summary>
        private async Task<IReadOnlyList<SavedIndex>> ChooseAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            var chosen = new List<SavedIndex>();
            var left = new List<string>();
            await using (var command = new NpgsqlCommand(IndexesSql, connection))
            {
                command.Parameters.AddWithValue("table", SqlIdentifier.Qualify(_spec.Schema, _spec.Table));
                command.Parameters.AddWithValue("column", _spec.Column);
                await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var index = new SavedIndex(reader.GetString(0), reader.GetString(1), reader.GetString(2));
                    bool keyed = reader.GetBoolean(3), enforces = reader.GetBoolean(4), valid = reader.GetBoolean(5), expression = reader.GetBoolean(6), customOpclass = reader.GetBoolean(7);
                    if (!keyed && !expression)
                        continue; // only INCLUDEs the column: PostgreSQL keeps it as it is
                    string? why = enforces ? "enforces uniqueness or a constraint (it cannot be dropped for the build)"
                        : !valid ? "is not valid"
                        : expression ? "has an expression or predicate naming the column (PostgreSQL rebuilds it from its definition under the new type)"
                        : customOpclass ? "has a non-default operator class on the column"
                        : null;
                    if (why is null)
                        chosen.Add(index);
                    else
                        left.Add($"{SqlIdentifier.Quote(index.Name)} {why}");
                }
            }
            Info(chosen.Count == 0
                ? "no plain index on the column: the type change alone"
                : $"indexes to drop before the type change and build again concurrently after it: {Names(chosen)}");
            if (left.Count > 0)
            {
                Warn($"the type change still rebuilds under ACCESS EXCLUSIVE (reads and writes wait for each build): {string.Join("; ", left)}. "
                    + "To keep them without the stall, change the type through a new column instead (SM0007's fix: new column + CreateSyncTrigger + Backfill + SwapColumns, its indexes built concurrently before the swap)");
            }
            return chosen;
        }

        /// <summary>
        /// Why a raw step is no rewrite-free time zone change of one table's own indexes (the reason it runs as written;
        /// Stalls when PostgreSQL still rebuilds the column's indexes under the lock), or null when it is: read from the
        /// catalog, as the column is now.
        /// </summary>
        internal static async Task<(string Reason, bool Stalls)?> AsWrittenBecauseAsync(NpgsqlConnection connection, TimestampTzIndexes spec, CancellationToken cancellationToken)
        {
            const string sql = @"
select c.relkind::text, format_type(a.atttypid, a.atttypmod),
       exists (select 1 from pg_inherits h where h.inhparent = c.oid),
       current_setting('server_version_num')::int
from pg_class c
left join pg_attribute a on a.attrelid = c.oid and a.attname = @column and a.attnum > 0 and not a.attisdropped
where c.oid = to_regclass(@table)";
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("table", SqlIdentifier.Qualify(spec.Schema, spec.Table));
            command.Parameters.AddWithValue("column", spec.Column);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            string column = $"column {SqlIdentifier.Quote(spec.Column)} of {SqlIdentifier.Qualify(spec.Schema, spec.Table)}";
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                return ($"table {SqlIdentifier.Qualify(spec.Schema, spec.Table)} not found (the statement reports it, or skips it under IF EXISTS)", false);
            if (reader.IsDBNull(1))
                return ($"{column} not found", false);
            string oldType = reader.GetString(1);
            string newType = spec.ToTimestampTz ? "timestamp with time zone" : "timestamp without time zone";
            if (!ColumnTypes.IsRewriteFreeUnderUtc(oldType, newType, reader.GetInt32(3) / 10000))
                return ($"{column} is {oldType}, so this is no timestamp ↔ timestamptz change (or PostgreSQL is older than 12)", false);
            if (reader.GetString(0) != "r" || reader.GetBoolean(2))
                return ($"{column} is {oldType}, but the table is partitioned or has inheritance children, whose indexes cannot all be dropped and built again concurrently from here", true);
            return null;
        }

        /// <summary>What apply would do with a raw step, judged from the column as the database has it now (for a connected plan).</summary>
        internal static async Task<string> DescribeNowAsync(Func<CancellationToken, Task<NpgsqlConnection>> open, TimestampTzIndexes spec, CancellationToken cancellationToken)
        {
            await using NpgsqlConnection connection = await open(cancellationToken).ConfigureAwait(false);
            return await AsWrittenBecauseAsync(connection, spec, cancellationToken).ConfigureAwait(false) is (string reason, _)
                ? $"as the database is now, apply runs the statement as written: {reason}"
                : $"as the database is now, column {SqlIdentifier.Quote(spec.Column)} has the other timestamp type: apply drops its plain indexes concurrently around the ALTER and builds them again";
        }

        private async Task<bool> HasTargetTypeAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            await using var command = new NpgsqlCommand(_spec.Verification, connection);
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
        }

        /// <summary>Every saved index exists, is valid and has the definition it had before the type change.</summary>
        private async Task VerifyAsync(NpgsqlConnection connection, IReadOnlyList<SavedIndex> saved, CancellationToken cancellationToken)
        {
            foreach (SavedIndex index in saved)
            {
                const string sql = "select pg_get_indexdef(i.indexrelid), i.indisvalid and i.indisready from pg_index i where i.indexrelid = to_regclass(@index)";
                await using var command = new NpgsqlCommand(sql, connection);
                command.Parameters.AddWithValue("index", SqlIdentifier.Qualify(index.Schema, index.Name));
                await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                string problem = !await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? "is missing"
                    : !reader.GetBoolean(1) ? "is not valid"
                    : reader.GetString(0) != index.Definition ? $"differs from its definition before the type change ({reader.GetString(0)} instead of {index.Definition})"
                    : string.Empty;
                if (problem.Length > 0)
                    throw new EngineException(EngineCodes.VerificationFailed, $"{_step.Name}: index {SqlIdentifier.Quote(index.Name)} {problem} after it was built again; rerun apply to build it again (the saved definition is in safemigrations.state), or create it by hand: {index.Definition}");
            }
            if (saved.Count > 0)
                Info($"indexes back, valid, same definition: {Names(saved)}");
        }

        /// <summary><c>CREATE [UNIQUE] INDEX name ...</c> as pg_get_indexdef writes it, made CONCURRENTLY.</summary>
        internal static string Concurrently(string definition)
            => Regex.Replace(definition.Trim(), @"^CREATE\s+(UNIQUE\s+)?INDEX\s+", m => m.Value + "CONCURRENTLY ", RegexOptions.IgnoreCase) + ";";

        private static string Names(IReadOnlyList<SavedIndex> indexes)
            => indexes.Count == 0 ? "none" : string.Join(", ", indexes.Select(i => SqlIdentifier.Quote(i.Name)));

        private static string Serialize(IReadOnlyList<SavedIndex> indexes)
            => JsonSerializer.Serialize(new { timeZoneIndexes = indexes.Select(i => new[] { i.Schema, i.Name, i.Definition }).ToArray() });

        /// <summary>The saved definitions, or null when none were saved (a first run, or a position of another kind).</summary>
        internal static IReadOnlyList<SavedIndex>? Parse(string? position)
        {
            if (string.IsNullOrWhiteSpace(position))
                return null;
            try
            {
                using JsonDocument document = JsonDocument.Parse(position);
                if (!document.RootElement.TryGetProperty("timeZoneIndexes", out JsonElement list))
                    return null;
                return list.EnumerateArray().Select(e => new SavedIndex(e[0].GetString()!, e[1].GetString()!, e[2].GetString()!)).ToList();
            }
            catch (JsonException)
            {
                return null;
            }
        }

        internal sealed class SavedIndex
        {
            public SavedIndex(string schema, string name, string definition)
            {
                Schema = schema;
                Name = name;
                Definition = definition;
            }

            public string Schema { get; }
            public string Name { get; }
            public string Definition { get; }
        }
    }
}
