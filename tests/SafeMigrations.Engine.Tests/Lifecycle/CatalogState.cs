using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;

namespace SafeMigrations.Engine.Tests.Lifecycle
{
    /// <summary>
    /// The user schema of a test database as text, read from the server's catalog: relations, columns (type, NOT NULL),
    /// constraints (with NOT VALID), indexes (with validity), triggers, functions, view definitions, and a digest of
    /// each table's rows. Two reads compare equal when a rollback or re-apply left nothing different. The engine's own
    /// state and EF's history table are left out (tests count their rows).
    /// </summary>
    internal static class CatalogState
    {
        private const string UserRelations = """
            select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname not like 'pg\_%' and n.nspname not in ('information_schema', 'safemigrations')
              and c.relname not like '%\_\_EFMigrationsHistory'
            """;

        private static readonly string Query = $"""
            with rel as ({UserRelations})
            select 'relation ' || c.oid::regclass || ' ' || c.relkind::text from pg_class c where c.oid in (select oid from rel) and c.relkind in ('r', 'v', 'm', 'p', 'S')
            union all
            select 'column ' || a.attrelid::regclass || '.' || quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod) || case when a.attnotnull then ' not null' else '' end
              from pg_attribute a where a.attrelid in (select oid from rel) and a.attnum > 0 and not a.attisdropped
            union all
            select 'constraint ' || conrelid::regclass || ' ' || quote_ident(conname) || ' ' || pg_get_constraintdef(oid) || ' validated=' || convalidated
              from pg_constraint where conrelid in (select oid from rel)
            union all
            select 'index ' || indexrelid::regclass || ' ' || pg_get_indexdef(indexrelid) || ' valid=' || indisvalid || ' ready=' || indisready
              from pg_index where indrelid in (select oid from rel)
            union all
            select 'trigger ' || tgrelid::regclass || ' ' || quote_ident(tgname) || ' ' || tgfoid::regprocedure || ' enabled=' || tgenabled::text
              from pg_trigger where tgrelid in (select oid from rel) and not tgisinternal
            union all
            select 'function ' || p.oid::regprocedure || ' ' || md5(p.prosrc)
              from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname not like 'pg\_%' and n.nspname not in ('information_schema', 'safemigrations')
            union all
            select 'view ' || c.oid::regclass || ' ' || pg_get_viewdef(c.oid) from pg_class c where c.oid in (select oid from rel) and c.relkind = 'v'
            order by 1
            """;

        /// <summary>Reads the state of <paramref name="database"/>'s user schema.</summary>
        public static async Task<string> ReadAsync(TestDatabase database)
        {
            var text = new StringBuilder();
            foreach (object?[] row in await database.RowsAsync(Query))
                text.Append(row[0]).Append('\n');
            IEnumerable<string> tables = (await database.RowsAsync($"select c.oid::regclass::text from pg_class c where c.oid in ({UserRelations}) and c.relkind = 'r' order by 1"))
                .Select(r => (string)r[0]!);
            foreach (string table in tables)
            {
                // The regclass text is already quoted as SQL needs it.
                string? digest = await database.ScalarAsync<string>($"select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from {table} t");
                text.Append("rows ").Append(table).Append(' ').Append(digest).Append('\n');
            }
            return text.ToString();
        }
    }
}
