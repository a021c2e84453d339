using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Scripting;
using SafeMigrations.Engine.Tests.TestApp;
using SafeMigrations.Engine.Verifying;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Scripting
{
    /// <summary>
    /// expand.sql and contract.sql of the shop app (index, drop index, FK and check NOT VALID + VALIDATE, NOT NULL
    /// through a check after a batched backfill, unique key through an index, add column, contract drop) run with psql.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class PhaseScriptTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public PhaseScriptTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        private static PhaseScripts Scripts(string? from = null, string? to = null, string context = nameof(ShopContext))
        {
            using var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(ShopContext).Assembly, context, "Host=localhost"));
            var writer = new PhaseScriptWriter(catalog, TimeSpan.FromMilliseconds(1500));
            return writer.Write(writer.Range(from, to));
        }

        private async Task<string> RunAsync(TestDatabase database, string script)
        {
            var (exitCode, output) = await Psql.RunAsync(database.ConnectionString, script);
            _output.WriteLine(output);
            Assert.True(exitCode == 0, $"psql exited with {exitCode}:\n{output}");
            return output;
        }

        private static Task<IReadOnlyList<object?[]>> History(TestDatabase database)
            => database.RowsAsync("select \"MigrationId\", \"ProductVersion\" from \"__EFMigrationsHistory\" order by 1");

        /// <summary>Runs plain EF's Database.Migrate() on <paramref name="plain"/>; the schema and the history rows must be the scripted ones.</summary>
        private static async Task<SortedSet<string>> AssertSameAsPlainEfAsync(TestDatabase scripted, TestDatabase plain, string context)
        {
            await using (var app = DbContextLoader.Create(typeof(ShopContext).Assembly, context, plain.ConnectionString))
                await app.Database.MigrateAsync();
            SortedSet<string> expected = await SchemaSnapshot.ReadAsync(plain.ConnectionString, CancellationToken.None);
            Assert.Empty(SchemaSnapshot.Differences(expected, await SchemaSnapshot.ReadAsync(scripted.ConnectionString, CancellationToken.None)));
            Assert.Equal((await History(plain)).Select(r => string.Join("|", r)), (await History(scripted)).Select(r => string.Join("|", r)));
            return expected;
        }

        [Fact]
        public async Task Expand_then_contract_build_the_schema_and_history_plain_EF_builds_and_a_second_expand_changes_nothing()
        {
            PhaseScripts scripts = Scripts();
            Assert.Contains("SET LOCAL lock_timeout = '1500ms';", scripts.Expand);
            Assert.Contains("CREATE INDEX CONCURRENTLY", scripts.Expand);
            Assert.DoesNotContain("DROP COLUMN", scripts.Expand);
            Assert.Contains("DROP COLUMN", scripts.Contract);

            await using TestDatabase scripted = await _server.CreateDatabaseAsync();
            await using TestDatabase plain = await _server.CreateDatabaseAsync();
            await RunAsync(scripted, scripts.Expand);
            await RunAsync(scripted, scripts.Contract);
            SortedSet<string> expected = await AssertSameAsPlainEfAsync(scripted, plain, nameof(ShopContext));
            Assert.Contains(expected, line => line.StartsWith("index public.customers CREATE INDEX \"IX_customers_nickname\"", StringComparison.Ordinal));
            Assert.Equal(3, (await History(scripted)).Count);

            // A rerun skips every migration in the history, and the contract's steps see themselves done.
            string again = await RunAsync(scripted, scripts.Expand);
            Assert.Equal(3, again.Split('\n').Count(l => l.Contains("in the EF history already, skipped", StringComparison.Ordinal)));
            await RunAsync(scripted, scripts.Contract);
            Assert.Empty(SchemaSnapshot.Differences(expected, await SchemaSnapshot.ReadAsync(scripted.ConnectionString, CancellationToken.None)));
            Assert.Equal(3, (await History(scripted)).Count);
        }

        [Theory]
        [InlineData(nameof(PaymentsContext))]
        [InlineData(nameof(MembersContext))]
        [InlineData(nameof(ProfilesContext))]
        [InlineData(nameof(ReferencesContext))]
        [InlineData(nameof(AccountsContext))]
        [InlineData(nameof(EventsContext))]
        [InlineData(nameof(RuntimeSqlContext))]
        [InlineData(nameof(ClocksContext))]
        [InlineData(nameof(ZonesContext))]
        [InlineData(nameof(RawReadingsContext))]
        public async Task Scripts_of_each_test_app_build_plain_EF_schema_and_rerun_cleanly(string context)
        {
            PhaseScripts scripts = Scripts(context: context);
            await using TestDatabase scripted = await _server.CreateDatabaseAsync();
            await using TestDatabase plain = await _server.CreateDatabaseAsync();
            await RunAsync(scripted, scripts.Expand);
            await RunAsync(scripted, scripts.Contract);
            await RunAsync(scripted, scripts.Expand);
            await RunAsync(scripted, scripts.Contract);
            await AssertSameAsPlainEfAsync(scripted, plain, context);
        }

        [Fact]
        public async Task A_raw_timestamptz_change_runs_alone_in_its_transaction_and_says_what_apply_does_instead()
        {
            string expand = Scripts(context: nameof(RawReadingsContext)).Expand;
            string step = expand.Substring(expand.IndexOf("-- step 1: sql: SET LOCAL TimeZone", StringComparison.Ordinal));
            Assert.Contains("-- the runner (apply) reads the column's type first and, when it is the other timestamp type, drops the column's plain indexes concurrently", step);
            Assert.Contains("BEGIN;\nSET LOCAL lock_timeout = '1500ms';\nSET LOCAL TimeZone = 'UTC';\nALTER TABLE public.\"readings\" ALTER COLUMN \"at\" SET DATA TYPE timestamp with time zone", step);

            // A row stored before the change keeps its instant under a database zone that is not UTC: the SET LOCAL ran in the ALTER's transaction.
            await using TestDatabase scripted = await _server.CreateDatabaseAsync();
            await RunAsync(scripted, Scripts(to: "20240701000000_Readings", context: nameof(RawReadingsContext)).Expand);
            await scripted.ExecuteAsync($"ALTER DATABASE \"{new Npgsql.NpgsqlConnectionStringBuilder(scripted.ConnectionString).Database}\" SET TimeZone = 'Europe/Berlin'; INSERT INTO readings (at, sensor) VALUES (timestamp '2020-01-01 00:00', 1)");
            await RunAsync(scripted, Scripts(from: "20240701000000_Readings", context: nameof(RawReadingsContext)).Expand);
            Assert.Equal(1L, await scripted.ScalarAsync<long>("SELECT count(*) FROM readings WHERE at = timestamptz '2020-01-01 00:00+00'"));
        }

        [Fact]
        public async Task Expand_backfills_the_NULLs_in_committed_keyset_batches_before_NOT_NULL()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await RunAsync(database, Scripts(to: "Initial").Expand);
            await database.ExecuteAsync(@"
insert into customers (name, email) select 'c' || g, case when g % 3 = 0 then null else 'c' || g || '@x' end from generate_series(1, 2500) g;
insert into orders (customer_id, total) select 1 + g % 2500, g % 500 from generate_series(1, 5000) g;");

            string output = await RunAsync(database, Scripts(from: "Initial").Expand);

            // 2500 keys in batches of 1000: three batches, each its own transaction.
            Assert.Contains("fill NULLs of \"email\" in batches: 833 row(s) in 3 batch(es)", output);
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from customers where email is distinct from case when id % 3 = 0 then '' else 'c' || id || '@x' end"));
            Assert.True(await database.ScalarAsync<bool>("select attnotnull from pg_attribute where attrelid = 'customers'::regclass and attname = 'email'"));
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from pg_constraint where conname like 'CK_customers_email%'"));
            Assert.True(await database.ScalarAsync<bool>("select bool_and(convalidated) from pg_constraint where conname in ('FK_orders_customers_customer_id', 'CK_orders_total_positive')"));
        }

        [Fact]
        public async Task Expand_of_renames_fills_the_new_columns_in_batches_and_leaves_the_two_way_triggers_syncing()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await RunAsync(database, Scripts(to: "Members", context: nameof(MembersContext)).Expand);
            await database.ExecuteAsync("insert into members (handle, nick, tier) select 'h' || g, case when g % 4 = 0 then null else 'n' || g end, g % 5 from generate_series(1, 1200) g;");

            string output = await RunAsync(database, Scripts(from: "Members", context: nameof(MembersContext)).Expand);

            Assert.Contains("1200 row(s) in 3 batch(es)", output); // batchSize: 500
            Assert.Equal(0L, await database.ScalarAsync<long>(
                "select count(*) from members where display_name is distinct from 'h' || id or nickname is distinct from case when id % 4 = 0 then null else 'n' || id end or level is distinct from id % 5"));
            // The old app version keeps writing the old names; the triggers fill the new ones.
            await database.ExecuteAsync("insert into members (handle, nick, tier) values ('late', 'l', 9)");
            Assert.Equal("late|l|9", await database.ScalarAsync<string>("select display_name || '|' || nickname || '|' || level from members where handle = 'late'"));
        }

        [Fact]
        public async Task Batched_loop_walks_a_composite_text_key_with_quotes_and_commits_per_batch()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync(@"
create schema ""odd schema"";
create table ""odd schema"".""line items"" (""order ref"" text, n integer, qty integer, doubled integer, primary key (""order ref"", n));
insert into ""odd schema"".""line items"" select 'o''' || (g % 7), g, g, null from generate_series(1, 2345) g;");
            var step = new PlanStep("20990101000000_Test", MigrationPhase.Expand, "backfill", "double the quantities", "-- batched", StepTransaction.Batched, "ROW EXCLUSIVE")
            {
                Backfill = new BackfillSpec("odd schema", "line items", "doubled = qty * 2", "doubled IS NULL AND qty % 100 <> 0", 400, null),
            };

            string output = await RunAsync(database, BatchedLoop.Write(step));

            // 2345 keys in batches of 400: six batches; rows with qty % 100 = 0 stay untouched.
            Assert.Contains("2322 row(s) in 6 batch(es)", output);
            Assert.Equal(0L, await database.ScalarAsync<long>(@"select count(*) from ""odd schema"".""line items"" where doubled is distinct from case when qty % 100 = 0 then null else qty * 2 end"));
        }

        [Fact]
        public async Task Expand_drops_an_INVALID_leftover_of_an_interrupted_concurrent_build_and_builds_the_index()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await RunAsync(database, Scripts(to: "Initial").Expand);
            await database.ExecuteAsync("insert into customers (name) values ('a'); insert into orders (customer_id, total) select 1, 7 from generate_series(1, 3);");
            // A failed concurrent build (duplicates for a unique index) leaves an INVALID index under the name.
            await Assert.ThrowsAnyAsync<Npgsql.PostgresException>(() => database.ExecuteAsync("create unique index concurrently \"IX_orders_total\" on orders (total)"));
            Assert.False(await database.ScalarAsync<bool>("select indisvalid from pg_index where indexrelid = '\"IX_orders_total\"'::regclass"));

            string output = await RunAsync(database, Scripts(from: "Initial", to: "Hardening").Expand);

            Assert.Contains("dropping the INVALID leftover", output);
            Assert.True(await database.ScalarAsync<bool>("select indisvalid and not indisunique from pg_index where indexrelid = '\"IX_orders_total\"'::regclass"));
        }

        [Fact]
        public async Task A_failing_step_stops_expand_before_the_history_row_and_a_rerun_after_the_fix_completes()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await RunAsync(database, Scripts(to: "Initial").Expand);
            await database.ExecuteAsync("insert into customers (name) values ('a'); insert into orders (customer_id, total) values (1, 5), (1, -3);");
            string expand = Scripts(from: "Initial", to: "Hardening").Expand;

            var (exitCode, output) = await Psql.RunAsync(database.ConnectionString, expand);

            // VALIDATE of CK_orders_total_positive meets the negative total: psql stops (exit 3), no history row.
            Assert.Equal(3, exitCode);
            Assert.Contains("CK_orders_total_positive", output);
            Assert.Equal(1L, await database.ScalarAsync<long>("select count(*) from \"__EFMigrationsHistory\""));
            Assert.False(await database.ScalarAsync<bool>("select convalidated from pg_constraint where conname = 'CK_orders_total_positive'"));

            await database.ExecuteAsync("update orders set total = 3 where total < 0");
            string rerun = await RunAsync(database, expand);
            Assert.Contains("already done, skipped", rerun); // the index, the dropped index, the foreign key
            Assert.Equal(2L, await database.ScalarAsync<long>("select count(*) from \"__EFMigrationsHistory\""));
            Assert.True(await database.ScalarAsync<bool>("select convalidated from pg_constraint where conname = 'CK_orders_total_positive'"));
        }

        [Fact]
        public async Task Contract_before_expand_stops_with_a_coded_error_and_changes_nothing()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await RunAsync(database, Scripts(to: "Hardening").Expand);

            var (exitCode, output) = await Psql.RunAsync(database.ConnectionString, Scripts(from: "Hardening").Contract);

            Assert.NotEqual(0, exitCode);
            Assert.Contains("SM1001 20240103000000_Nicknames: its expand phase has not run", output);
            Assert.True(await database.ScalarAsync<bool>("select exists (select 1 from information_schema.columns where table_name = 'orders' and column_name = 'legacy_code')"));
        }

        [Fact]
        public void Range_is_from_exclusive_to_inclusive_and_refuses_unknown_migrations()
        {
            using var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(ShopContext).Assembly, nameof(ShopContext), "Host=localhost"));
            var writer = new PhaseScriptWriter(catalog, TimeSpan.FromSeconds(2));
            Assert.Equal(new[] { "20240102000000_Hardening" }, writer.Range("Initial", "Hardening").Select(m => m.Id));
            Assert.Equal(3, writer.Range(null, null).Count);
            var unknown = Assert.Throws<Reporting.EngineException>(() => writer.Range(null, "Nope"));
            Assert.Equal(Reporting.EngineCodes.NotFound, unknown.Code);
            var backwards = Assert.Throws<Reporting.EngineException>(() => writer.Range("Nicknames", "Initial"));
            Assert.Equal(Reporting.EngineCodes.Configuration, backwards.Code);
        }
    }
}
