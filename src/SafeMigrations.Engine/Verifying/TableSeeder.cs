using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace SafeMigrations.Engine.Verifying
{
    /// <summary>A user table of the database under verification.</summary>
    internal sealed class UserTable
    {
        public UserTable(long oid, string schema, string name)
        {
            Oid = oid;
            Schema = schema;
            Name = name;
        }

        public long Oid { get; }
        public string Schema { get; }
        public string Name { get; }
        public string Qualified => SqlIdentifier.Qualify(Schema, Name);
    }

    /// <summary>
    /// Puts a few rows into every user table before a migration, so data-dependent failures (SET NOT NULL over NULLs,
    /// a constraint the data violates) and rewrites show up. Values follow the column types; NOT NULL, identity and
    /// defaults are respected; foreign keys (the catalog's, and the EF model's that the database does not have yet) take
    /// existing parent rows (parents are seeded first), and never point nowhere; nullable columns get
    /// a NULL in every fourth row; unique keys get distinct values and conflicts are skipped.
    /// </summary>
    internal sealed class TableSeeder
    {
        private const string UserTablesSql = @"SELECT c.oid::bigint, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'safemigrations') AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
  AND c.relname <> '__EFMigrationsHistory'
ORDER BY n.nspname, c.relname";

        private readonly int _rowsPerRound;
        private readonly int _maxRows;
        private int _round;

        public TableSeeder(int rowsPerRound, int maxRows)
        {
            _rowsPerRound = rowsPerRound;
            _maxRows = maxRows;
        }

        public static async Task<List<UserTable>> UserTablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
        {
            var tables = new List<UserTable>();
            await using var command = new NpgsqlCommand(UserTablesSql, connection);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                tables.Add(new UserTable(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
            return tables;
        }

        /// <summary>Seeds every table; returns one line per table (rows added, or why it was skipped).</summary>
        public Task<List<string>> SeedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
            => SeedAsync(connection, Array.Empty<DeclaredReference>(), cancellationToken);

        /// <summary>
        /// Seeds every table; references follow the catalog's foreign keys, then the ones <paramref name="declared"/> by
        /// the EF model that the database does not have yet, and only then EF's naming convention.
        /// </summary>
        public async Task<List<string>> SeedAsync(NpgsqlConnection connection, IReadOnlyList<DeclaredReference> declared, CancellationToken cancellationToken)
        {
            _round++;
            List<UserTable> tables = await UserTablesAsync(connection, cancellationToken).ConfigureAwait(false);
            var notes = new List<string>();
            if (tables.Count == 0)
                return notes;
            Dictionary<long, List<Column>> columns = await ColumnsAsync(connection, tables, cancellationToken).ConfigureAwait(false);
            List<ForeignKey> foreignKeys = await ForeignKeysAsync(connection, tables, cancellationToken).ConfigureAwait(false);
            string currentSchema;
            await using (var schema = new NpgsqlCommand("SELECT current_schema()", connection))
                currentSchema = (string)(await schema.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            foreignKeys.AddRange(ModelOnly(declared, tables, columns, foreignKeys, currentSchema));
            var byOid = tables.ToDictionary(t => t.Oid);

            foreach (UserTable table in ParentsFirst(tables, foreignKeys))
            {
                long existing = await CountAsync(connection, table, cancellationToken).ConfigureAwait(false);
                int rows = (int)Math.Min(_rowsPerRound, _maxRows - existing);
                if (rows <= 0)
                    continue;
                string? skip = BuildInsert(table, columns.TryGetValue(table.Oid, out var list) ? list : new List<Column>(), foreignKeys.Where(f => f.Table == table.Oid).ToList(), byOid, rows, out string sql);
                if (skip is not null)
                {
                    notes.Add($"{table.Qualified}: not seeded: {skip}");
                    continue;
                }
                try
                {
                    await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 60 };
                    int added = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    notes.Add($"{table.Qualified}: {added} row(s) added ({existing + added} in all)");
                }
                catch (PostgresException exception)
                {
                    notes.Add($"{table.Qualified}: not seeded: {exception.SqlState}: {exception.MessageText}");
                }
            }

            // Rows of earlier rounds were seeded before the model declared these keys, or before a NOT VALID key existed.
            foreach (ForeignKey reference in foreignKeys.Where(f => f.FromModel || !f.Validated))
            {
                if (byOid.TryGetValue(reference.Table, out UserTable? child) && byOid.TryGetValue(reference.Principal, out UserTable? parent) && columns.TryGetValue(child.Oid, out List<Column>? childColumns))
                    await RepairOrphansAsync(connection, child, parent, reference, childColumns, certain: true, notes, cancellationToken).ConfigureAwait(false);
            }
            await RepairImpliedReferencesAsync(connection, tables, columns, foreignKeys, notes, cancellationToken).ConfigureAwait(false);
            return notes;
        }

        /// <summary>
        /// The model's foreign keys that the catalog does not have yet, on tables and columns that exist now; a column
        /// already under a real foreign key keeps that one.
        /// </summary>
        private static IEnumerable<ForeignKey> ModelOnly(IReadOnlyList<DeclaredReference> declared, List<UserTable> tables, Dictionary<long, List<Column>> columns, List<ForeignKey> foreignKeys, string currentSchema)
        {
            var added = new List<ForeignKey>();
            foreach (DeclaredReference reference in declared)
            {
                UserTable? child = tables.FirstOrDefault(t => t.Name == reference.Table && t.Schema == (reference.Schema ?? currentSchema));
                UserTable? parent = tables.FirstOrDefault(t => t.Name == reference.PrincipalTable && t.Schema == (reference.PrincipalSchema ?? currentSchema));
                if (child is null || parent is null || !columns.TryGetValue(child.Oid, out List<Column>? childColumns) || !columns.TryGetValue(parent.Oid, out List<Column>? parentColumns))
                    continue;
                if (!reference.Columns.All(c => childColumns.Any(x => x.Name == c)) || !reference.PrincipalColumns.All(c => parentColumns.Any(x => x.Name == c)))
                    continue;
                if (foreignKeys.Concat(added).Any(f => f.Table == child.Oid && f.Columns.Intersect(reference.Columns).Any()))
                    continue;
                added.Add(new ForeignKey(child.Oid, parent.Oid, reference.Columns.ToList(), reference.PrincipalColumns.ToList(), validated: false, fromModel: true));
            }
            return added;
        }

        /// <summary>
        /// Points orphans of <paramref name="reference"/> (every column set, no parent row matches) at existing parent
        /// rows, one parent row for all columns of a composite key. Orphans left (an empty parent) become NULL when a
        /// column allows it; a <paramref name="certain"/> reference deletes the rest, a guessed one leaves them.
        /// </summary>
        private static async Task RepairOrphansAsync(NpgsqlConnection connection, UserTable child, UserTable parent, ForeignKey reference, List<Column> childColumns, bool certain, List<string> notes, CancellationToken cancellationToken)
        {
            List<string> c = reference.Columns.Select(SqlIdentifier.Quote).ToList();
            List<string> k = reference.PrincipalColumns.Select(SqlIdentifier.Quote).ToList();
            string keys = string.Join(", ", k.Select(x => "p." + x));
            string match = string.Join(" AND ", k.Zip(c, (key, column) => $"p.{key} = x.{column}"));
            // MATCH SIMPLE: a row with a NULL in any column of the key is not checked.
            string orphan = $"{string.Join(" AND ", c.Select(x => $"x.{x} IS NOT NULL"))} AND NOT EXISTS (SELECT 1 FROM {parent.Qualified} p WHERE {match})";
            string pick = $"(SELECT {keys} FROM {parent.Qualified} p ORDER BY {keys} OFFSET (abs(hashtext(x.ctid::text)) % greatest((SELECT count(*) FROM {parent.Qualified}), 1)) LIMIT 1)";
            string target = c.Count == 1 ? c[0] : "(" + string.Join(", ", c) + ")";
            string described = $"{child.Qualified} ({string.Join(", ", c)}) -> {parent.Qualified} ({string.Join(", ", k)})";

            await RunAsync($"UPDATE {child.Qualified} AS x SET {target} = {pick} WHERE {orphan} AND EXISTS (SELECT 1 FROM {parent.Qualified})", "seeded value(s) pointed at parent rows").ConfigureAwait(false);
            List<string> nullable = reference.Columns.Where(n => childColumns.Any(x => x.Name == n && !x.NotNull)).Select(SqlIdentifier.Quote).ToList();
            if (nullable.Count > 0)
                await RunAsync($"UPDATE {child.Qualified} AS x SET {string.Join(", ", nullable.Select(n => n + " = NULL"))} WHERE {orphan}", "orphan(s) set to NULL (no parent row to point at)").ConfigureAwait(false);
            else if (certain)
                await RunAsync($"DELETE FROM {child.Qualified} AS x WHERE {orphan}", "orphan row(s) deleted (no parent row to point at)").ConfigureAwait(false);

            async Task RunAsync(string sql, string what)
            {
                try
                {
                    await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 60 };
                    int changed = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    if (changed > 0)
                        notes.Add($"{described}: {changed} {what}{(reference.FromModel ? "; a foreign key of the EF model, not in the database yet" : certain ? string.Empty : "; a reference named by EF's convention, without a foreign key yet")}");
                }
                catch (PostgresException exception)
                {
                    notes.Add($"{described}: references not repaired: {exception.SqlState}: {exception.MessageText}");
                }
            }
        }

        /// <summary>
        /// The last resort, for references neither the catalog nor the model declares. Real data keeps
        /// <c>Orders.CustomerId</c> pointing at a customer even before a migration adds the foreign key, so a later
        /// <c>AddForeignKey</c> validates. Seeded rows must too, or verify fails a safe project on orphans we made up:
        /// every column named like EF's convention for a reference (<c>CustomerId</c>, <c>customer_id</c>) that has no
        /// foreign key, and whose table (<c>Customers</c>, <c>customer</c>, ...) has a one-column primary key of the same
        /// type, is pointed at existing parent rows; orphans become NULL when the parent is empty.
        /// </summary>
        private static async Task RepairImpliedReferencesAsync(NpgsqlConnection connection, List<UserTable> tables, Dictionary<long, List<Column>> columns, List<ForeignKey> foreignKeys, List<string> notes, CancellationToken cancellationToken)
        {
            Dictionary<long, (string Column, string Type)> primaryKeys = await SingleColumnPrimaryKeysAsync(connection, tables, cancellationToken).ConfigureAwait(false);
            foreach (UserTable child in tables)
            {
                if (!columns.TryGetValue(child.Oid, out List<Column>? childColumns))
                    continue;
                foreach (Column column in childColumns)
                {
                    if (column.Generated || column.Identity || foreignKeys.Any(f => f.Table == child.Oid && f.Columns.Contains(column.Name)))
                        continue;
                    UserTable? parent = ImpliedParent(column.Name, child, tables);
                    if (parent is null || !primaryKeys.TryGetValue(parent.Oid, out var key) || key.Type != column.Type
                        || (parent.Oid == child.Oid && key.Column == column.Name))
                        continue;
                    var guessed = new ForeignKey(child.Oid, parent.Oid, new List<string> { column.Name }, new List<string> { key.Column }, validated: false, fromModel: false);
                    await RepairOrphansAsync(connection, child, parent, guessed, childColumns, certain: false, notes, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        /// <summary>The table a column named like a reference points at by EF's conventions, if there is one.</summary>
        private static UserTable? ImpliedParent(string columnName, UserTable child, List<UserTable> tables)
        {
            string name = columnName.ToLowerInvariant();
            string stem = name.EndsWith("_id", StringComparison.Ordinal) ? name.Substring(0, name.Length - 3)
                : name.EndsWith("id", StringComparison.Ordinal) ? name.Substring(0, name.Length - 2)
                : string.Empty;
            if (stem.Length == 0)
                return null;
            string[] candidates = { stem, stem + "s", stem + "es", stem.EndsWith("y", StringComparison.Ordinal) ? stem.Substring(0, stem.Length - 1) + "ies" : stem };
            return tables
                .Where(t => candidates.Contains(t.Name.ToLowerInvariant().Replace("_", string.Empty)) || candidates.Contains(t.Name.ToLowerInvariant()))
                .OrderBy(t => t.Schema == child.Schema ? 0 : 1)
                .FirstOrDefault();
        }

        private static async Task<Dictionary<long, (string Column, string Type)>> SingleColumnPrimaryKeysAsync(NpgsqlConnection connection, List<UserTable> tables, CancellationToken cancellationToken)
        {
            const string sql = @"SELECT con.conrelid::bigint, a.attname, format_type(a.atttypid, a.atttypmod)
FROM pg_constraint con JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
WHERE con.contype = 'p' AND array_length(con.conkey, 1) = 1 AND con.conrelid = ANY($1)";
            var result = new Dictionary<long, (string, string)>();
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = tables.Select(t => (uint)t.Oid).ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Oid });
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                result[reader.GetInt64(0)] = (reader.GetString(1), reader.GetString(2));
            return result;
        }

        private string? BuildInsert(UserTable table, List<Column> columns, List<ForeignKey> foreignKeys, Dictionary<long, UserTable> tables, int rows, out string sql)
        {
            sql = string.Empty;
            // Distinct values across rounds and clear of small ids a migration may have inserted itself.
            string v = $"({1_000_000 + _round * 1000}::bigint + g)";
            var names = new List<string>();
            var values = new List<string>();
            foreach (Column column in columns)
            {
                if (column.Generated || column.Identity)
                    continue;
                ForeignKey? foreignKey = foreignKeys.FirstOrDefault(f => f.Columns.Contains(column.Name));
                string? value;
                if (foreignKey is not null && tables.TryGetValue(foreignKey.Principal, out UserTable? parent))
                {
                    string parentColumn = foreignKey.PrincipalColumns[foreignKey.Columns.IndexOf(column.Name)];
                    // The same parent row for every column of a composite key: the same offset.
                    value = $"(SELECT p.{SqlIdentifier.Quote(parentColumn)} FROM {parent.Qualified} p ORDER BY {string.Join(", ", foreignKey.PrincipalColumns.Select(c => "p." + SqlIdentifier.Quote(c)))} "
                          + $"OFFSET ({v} % greatest((SELECT count(*) FROM {parent.Qualified}), 1)) LIMIT 1)";
                    if (!column.NotNull)
                        value = $"CASE WHEN g % 4 = 0 THEN NULL ELSE {value} END";
                }
                else if (column.HasDefault)
                {
                    continue;
                }
                else
                {
                    value = ValueFor(column, v);
                    if (value is null)
                    {
                        if (!column.NotNull)
                            continue;
                        return $"no value can be made up for NOT NULL column {SqlIdentifier.Quote(column.Name)} of type {column.Type}";
                    }
                    if (!column.NotNull)
                        value = $"CASE WHEN g % 4 = 0 THEN NULL ELSE {value} END";
                }
                names.Add(SqlIdentifier.Quote(column.Name));
                values.Add(value);
            }
            sql = names.Count == 0
                ? $"INSERT INTO {table.Qualified} SELECT FROM generate_series(1, {rows}) AS g ON CONFLICT DO NOTHING"
                : $"INSERT INTO {table.Qualified} ({string.Join(", ", names)}) SELECT {string.Join(", ", values)} FROM generate_series(1, {rows}) AS g ON CONFLICT DO NOTHING";
            return null;
        }

        /// <summary>A value expression of the column's type over the row number <paramref name="v"/>, or null when the type is unknown.</summary>
        private static string? ValueFor(Column column, string v)
        {
            string type = column.Type;
            if (column.Category == 'A')
                return $"'{{}}'::{type}";
            if (column.TypeKind == 'e')
                return $"(enum_range(NULL::{type}))[1 + ({v} % cardinality(enum_range(NULL::{type})))::int]";
            switch (column.BaseTypeName)
            {
                case "int2":
                    return $"({v} % 30000)::smallint";
                case "int4":
                    return $"({v})::integer::{type}";
                case "int8":
                    return $"({v})::{type}";
                case "numeric":
                    return $"({v} % 100)::{type}";
                case "float4":
                case "float8":
                case "money":
                    return $"({v} % 1000)::numeric::{type}";
                case "bool":
                    return $"({v} % 2 = 0)::{type}";
                case "text":
                case "varchar":
                case "bpchar":
                case "citext":
                case "name":
                    return column.Length > 0 ? $"left({v}::text || ' seed', {column.Length})::{type}" : $"({v}::text || ' seed')::{type}";
                case "uuid":
                    return $"md5({v}::text)::uuid::{type}";
                case "date":
                    return $"(date '2024-01-01' + ({v} % 3650)::int)::{type}";
                case "timestamp":
                case "timestamptz":
                    return $"(timestamp '2024-01-01' + {v} * interval '1 minute')::{type}";
                case "time":
                case "timetz":
                    return $"(time '00:00' + ({v} % 1440) * interval '1 minute')::{type}";
                case "interval":
                    return $"({v} * interval '1 second')::{type}";
                case "json":
                case "jsonb":
                    return $"json_build_object('seed', {v})::{type}";
                case "bytea":
                    return $"decode(md5({v}::text), 'hex')::{type}";
                case "inet":
                case "cidr":
                    return $"('10.' || ({v} / 62500 % 250) || '.' || ({v} / 250 % 250) || '.' || ({v} % 250))::{type}";
                case "xml":
                    return $"xmlelement(name seed, {v})::{type}";
                default:
                    return null;
            }
        }

        private static IEnumerable<UserTable> ParentsFirst(List<UserTable> tables, List<ForeignKey> foreignKeys)
        {
            var done = new HashSet<long>();
            var ordered = new List<UserTable>();
            bool progress = true;
            while (progress && done.Count < tables.Count)
            {
                progress = false;
                foreach (UserTable table in tables.Where(t => !done.Contains(t.Oid)))
                {
                    // Self references and parents outside the seeded tables do not hold a table back.
                    if (foreignKeys.Where(f => f.Table == table.Oid && f.Principal != table.Oid).All(f => done.Contains(f.Principal) || tables.All(t => t.Oid != f.Principal)))
                    {
                        ordered.Add(table);
                        done.Add(table.Oid);
                        progress = true;
                    }
                }
            }
            // Cycles: whatever is left, in name order.
            ordered.AddRange(tables.Where(t => !done.Contains(t.Oid)));
            return ordered;
        }

        private static async Task<long> CountAsync(NpgsqlConnection connection, UserTable table, CancellationToken cancellationToken)
        {
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table.Qualified}", connection);
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        private static async Task<Dictionary<long, List<Column>>> ColumnsAsync(NpgsqlConnection connection, List<UserTable> tables, CancellationToken cancellationToken)
        {
            const string sql = @"SELECT a.attrelid::bigint, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.atthasdef,
       a.attidentity <> '', a.attgenerated <> '', t.typtype, t.typcategory,
       coalesce(bt.typname, t.typname), CASE WHEN a.atttypmod > 4 AND coalesce(bt.typname, t.typname) IN ('varchar', 'bpchar') THEN a.atttypmod - 4 ELSE 0 END
FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
WHERE a.attrelid = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum";
            var result = new Dictionary<long, List<Column>>();
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = tables.Select(t => (uint)t.Oid).ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Oid });
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                long oid = reader.GetInt64(0);
                if (!result.TryGetValue(oid, out List<Column>? list))
                    result[oid] = list = new List<Column>();
                list.Add(new Column
                {
                    Name = reader.GetString(1),
                    Type = reader.GetString(2),
                    NotNull = reader.GetBoolean(3),
                    HasDefault = reader.GetBoolean(4),
                    Identity = reader.GetBoolean(5),
                    Generated = reader.GetBoolean(6),
                    TypeKind = reader.GetChar(7),
                    Category = reader.GetChar(8),
                    BaseTypeName = reader.GetString(9),
                    Length = reader.GetInt32(10),
                });
            }
            return result;
        }

        private static async Task<List<ForeignKey>> ForeignKeysAsync(NpgsqlConnection connection, List<UserTable> tables, CancellationToken cancellationToken)
        {
            const string sql = @"SELECT con.conrelid::bigint, con.confrelid::bigint, array_agg(a.attname ORDER BY k.ord), array_agg(fa.attname ORDER BY k.ord), con.convalidated
FROM pg_constraint con
CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(key, fkey, ord)
JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.key
JOIN pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = k.fkey
WHERE con.contype = 'f' AND con.conrelid = ANY($1)
GROUP BY con.oid, con.conrelid, con.confrelid, con.convalidated";
            var result = new List<ForeignKey>();
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = tables.Select(t => (uint)t.Oid).ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Oid });
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                result.Add(new ForeignKey(reader.GetInt64(0), reader.GetInt64(1), reader.GetFieldValue<string[]>(2).ToList(), reader.GetFieldValue<string[]>(3).ToList(), reader.GetBoolean(4), fromModel: false));
            return result;
        }

        private sealed class Column
        {
            public string Name { get; set; } = string.Empty;
            public string Type { get; set; } = string.Empty;
            public bool NotNull { get; set; }
            public bool HasDefault { get; set; }
            public bool Identity { get; set; }
            public bool Generated { get; set; }
            public char TypeKind { get; set; }
            public char Category { get; set; }
            public string BaseTypeName { get; set; } = string.Empty;
            public int Length { get; set; }
        }

        private sealed class ForeignKey
        {
            public ForeignKey(long table, long principal, List<string> columns, List<string> principalColumns, bool validated, bool fromModel)
            {
                Table = table;
                Principal = principal;
                Columns = columns;
                PrincipalColumns = principalColumns;
                Validated = validated;
                FromModel = fromModel;
            }

            public long Table { get; }
            public long Principal { get; }
            public List<string> Columns { get; }
            public List<string> PrincipalColumns { get; }

            /// <summary>False for a key added NOT VALID: rows from before it may still be orphans.</summary>
            public bool Validated { get; }

            /// <summary>Declared by the EF model, not (yet) in the database.</summary>
            public bool FromModel { get; }
        }
    }
}
