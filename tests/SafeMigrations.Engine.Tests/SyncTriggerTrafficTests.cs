using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Tests.TestApp;
using SafeMigrations.Engine.Verifying;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>
    /// Two-way sync triggers under mixed app versions: while the engine installs the triggers and runs the batched
    /// backfills, old-version writers use only the old columns, new-version writers only the new ones, a third writes
    /// both (conflicting values too), with NULLs and defaults on either side. Afterwards every row agrees and holds what
    /// an independent model of the writes says; a rollback refuses while a new column holds values the old one does not.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class SyncTriggerTrafficTests
    {
        private const int SeededRows = 20_000;

        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public SyncTriggerTrafficTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        /// <summary>What a row must hold, in old-column terms; the new columns must hold the same.</summary>
        private sealed record Member(string Handle, string? Nick, int Tier);

        private (MigrationEngine Engine, MigrationCatalog Catalog) Engine(string connectionString, string? target = null)
        {
            var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(MembersContext).Assembly, nameof(MembersContext), connectionString));
            var options = new EngineOptions
            {
                ConnectionString = connectionString,
                Phase = PhaseSelection.Expand,
                Target = target,
                Log = new EngineApplyTests.TestLog(_output),
                LockTimeout = TimeSpan.FromMilliseconds(500),
                // Small, paced batches: the backfills last long enough for every writer to run during them.
                BackfillBatchDuration = TimeSpan.FromMilliseconds(20),
                BackfillPause = TimeSpan.FromMilliseconds(15),
            };
            return (new MigrationEngine(catalog, options), catalog);
        }

        [Fact]
        public void Two_way_sync_trigger_step_is_undone_by_DropSyncTrigger_and_guarded_by_a_count_of_values_only_the_new_column_holds()
        {
            var (engine, catalog) = Engine("Host=localhost");
            using (catalog)
            {
                List<PlanStep> installs = engine.Plan(catalog.Find("MemberRenames")).Steps.Where(s => s.SafeStep == SafeMigrationSteps.CreateSyncTrigger).ToList();
                Assert.Equal(3, installs.Count);
                PlanStep nick = installs[1];
                Assert.StartsWith("DO $sync_drop$", nick.UndoSql);
                Assert.Contains("DROP TRIGGER IF EXISTS \"sync-back_nick_to_nickname\" ON \"members\";", nick.UndoSql);
                Assert.EndsWith("DROP FUNCTION IF EXISTS \"sync_members_nick_to_nickname\"();", nick.UndoSql);
                Assert.Equal("SELECT count(*) FROM \"members\" AS new WHERE new.\"nickname\" IS NOT NULL AND new.\"nick\" IS DISTINCT FROM (NEW.\"nickname\")", nick.UndoGuard?.CountSql);
                Assert.StartsWith("ACCESS EXCLUSIVE on \"members\", brief", nick.Lock);
            }
        }

        [Fact]
        public async Task Mixed_version_writers_during_trigger_install_and_backfill_leave_every_row_in_agreement_and_none_lost()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            var (initial, c0) = Engine(database.ConnectionString, target: "Members");
            using (c0)
                await initial.ApplyAsync();
            await database.ExecuteAsync($"insert into members (handle, nick, tier) select 'h' || g, case when g % 5 = 0 then null else 'n' || g end, g % 100 from generate_series(1, {SeededRows}) g; analyze members;");
            SortedSet<string> beforeExpand = await SchemaSnapshot.ReadAsync(database.ConnectionString, default);

            var expected = new ConcurrentDictionary<long, Member>();
            for (long id = 1; id <= SeededRows; id++)
                expected[id] = new Member("h" + id, id % 5 == 0 ? null : "n" + id, (int)(id % 100));

            using var stop = new CancellationTokenSource();
            var errors = new ConcurrentQueue<string>();
            var operations = new ConcurrentDictionary<string, long>();
            var duringExpand = new ConcurrentDictionary<string, long>();
            bool expandDone = false;
            Task triggersInstalled = WaitForTriggersAsync(database.ConnectionString, 6, stop.Token); // two per two-way sync

            async Task RunAsync(string name, int seed, Task gate, Func<NpgsqlConnection, Random, long, Task> step)
            {
                await gate;
                await using NpgsqlConnection connection = await database.OpenAsync();
                var random = new Random(seed);
                for (long n = 0; !stop.IsCancellationRequested; n++)
                {
                    try
                    {
                        await step(connection, random, n);
                        operations.AddOrUpdate(name, 1, (_, c) => c + 1);
                        if (!Volatile.Read(ref expandDone))
                            duringExpand.AddOrUpdate(name, 1, (_, c) => c + 1);
                    }
                    catch (NpgsqlException exception)
                    {
                        errors.Enqueue($"{name}: {exception.Message}");
                    }
                    await Task.Delay(1);
                }
            }

            // The old version knows handle, nick, tier only: it writes them, or leaves handle to its default.
            Task oldInserts = RunAsync("old-insert", 1, Task.CompletedTask, async (connection, random, n) =>
            {
                string value = "old-" + n;
                string? nick = random.Next(3) == 0 ? null : "oldnick-" + n;
                int tier = 1000 + (int)n;
                switch (random.Next(3))
                {
                    case 0:
                        expected[await InsertAsync(connection, "insert into members (handle, nick, tier) values ($1, $2, $3) returning id", value, nick, tier)] = new Member(value, nick, tier);
                        break;
                    case 1:
                        expected[await InsertAsync(connection, "insert into members (nick, tier) values ($1, $2) returning id", nick, tier)] = new Member("anon", nick, tier);
                        break;
                    default:
                        expected[await InsertAsync(connection, "insert into members (handle, tier) values ($1, $2) returning id", value, tier)] = new Member(value, null, tier);
                        break;
                }
            });
            Task oldUpdates = RunAsync("old-update", 2, Task.CompletedTask, async (connection, random, n) =>
            {
                long id = 3 * random.Next(1, SeededRows / 3);
                Member row = expected[id];
                if (random.Next(2) == 0)
                {
                    string? nick = random.Next(3) == 0 ? null : "oldnick-u" + n;
                    await ExecuteAsync(connection, "update members set handle = $1, nick = $2 where id = $3", "old-u" + n, nick, id);
                    expected[id] = row with { Handle = "old-u" + n, Nick = nick };
                }
                else
                {
                    await ExecuteAsync(connection, "update members set tier = $1 where id = $2", 3_000_000 + (int)n, id);
                    expected[id] = row with { Tier = 3_000_000 + (int)n };
                }
            });

            // The new version knows display_name, nickname, level only; it starts once the triggers are in place.
            Task newInserts = RunAsync("new-insert", 3, triggersInstalled, async (connection, random, n) =>
            {
                string value = "new-" + n;
                string? nickname = random.Next(3) == 0 ? null : "newnick-" + n;
                int level = 4_000_000 + (int)n;
                switch (random.Next(3))
                {
                    case 0:
                        expected[await InsertAsync(connection, "insert into members (display_name, nickname, level) values ($1, $2, $3) returning id", value, nickname, level)] = new Member(value, nickname, level);
                        break;
                    case 1: // display_name left out: the old column's default reaches both
                        expected[await InsertAsync(connection, "insert into members (nickname, level) values ($1, $2) returning id", nickname, level)] = new Member("anon", nickname, level);
                        break;
                    default: // level left out: its default reaches both (tier is NOT NULL and has none)
                        expected[await InsertAsync(connection, "insert into members (display_name, nickname) values ($1, $2) returning id", value, nickname)] = new Member(value, nickname, 1);
                        break;
                }
            });
            Task newUpdates = RunAsync("new-update", 4, triggersInstalled, async (connection, random, n) =>
            {
                long id = 3 * random.Next(1, SeededRows / 3) + 1;
                Member row = expected[id];
                if (random.Next(2) == 0)
                {
                    string? nickname = random.Next(3) == 0 ? null : "newnick-u" + n;
                    await ExecuteAsync(connection, "update members set display_name = $1, nickname = $2 where id = $3", "new-u" + n, nickname, id);
                    expected[id] = row with { Handle = "new-u" + n, Nick = nickname };
                }
                else
                {
                    await ExecuteAsync(connection, "update members set level = $1 where id = $2", 5_000_000 + (int)n, id);
                    expected[id] = row with { Tier = 5_000_000 + (int)n };
                }
            });

            // A writer that sets both sides, with different values: the new column wins; a NULL side takes the other.
            Task bothWrites = RunAsync("both", 5, triggersInstalled, async (connection, random, n) =>
            {
                string? nick = random.Next(3) == 0 ? null : "bothnick-old-" + n;
                string? nickname = random.Next(3) == 0 ? null : "bothnick-new-" + n;
                var row = new Member("both-new-" + n, nickname ?? nick, 7_000_000 + (int)n);
                object?[] values = { "both-old-" + n, row.Handle, nick, nickname, 6_000_000 + (int)n, row.Tier };
                if (random.Next(2) == 0)
                {
                    expected[await InsertAsync(connection, "insert into members (handle, display_name, nick, nickname, tier, level) values ($1, $2, $3, $4, $5, $6) returning id", values)] = row;
                }
                else
                {
                    long id = 3 * random.Next(1, SeededRows / 3) + 2;
                    await ExecuteAsync(connection, "update members set handle = $1, display_name = $2, nick = $3, nickname = $4, tier = $5, level = $6 where id = $7", values.Append(id).ToArray());
                    expected[id] = row;
                }
            });

            var (engine, catalog) = Engine(database.ConnectionString);
            using (catalog)
                await engine.ApplyAsync();
            Volatile.Write(ref expandDone, true);
            var clock = Stopwatch.StartNew();
            while (new[] { "old-insert", "old-update", "new-insert", "new-update", "both" }.Any(w => operations.GetValueOrDefault(w) < 30) && clock.Elapsed < TimeSpan.FromSeconds(15))
                await Task.Delay(50);
            stop.Cancel();
            await Task.WhenAll(oldInserts, oldUpdates, newInserts, newUpdates, bothWrites);
            _output.WriteLine("operations: " + string.Join(", ", operations.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value} ({duringExpand.GetValueOrDefault(o.Key)} during expand)")));

            Assert.Empty(errors);
            Assert.All(new[] { "old-insert", "old-update", "new-insert", "new-update", "both" }, w => Assert.True(duringExpand.GetValueOrDefault(w) > 0, w + " wrote nothing while the expand ran"));

            // Every row agrees, on the server...
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from members where display_name is distinct from handle or nickname is distinct from nick or level is distinct from tier"));
            // ...and holds exactly what the model of the writes says: no row lost, none wrong.
            var actual = new Dictionary<long, (string Handle, string? Nick, int Tier, string? DisplayName, string? Nickname, int? Level)>();
            await using (NpgsqlConnection reader = await database.OpenAsync())
            await using (var command = new NpgsqlCommand("select id, handle, nick, tier, display_name, nickname, level from members", reader))
            await using (NpgsqlDataReader rows = await command.ExecuteReaderAsync())
            {
                while (await rows.ReadAsync())
                    actual[rows.GetInt64(0)] = (rows.GetString(1), rows.IsDBNull(2) ? null : rows.GetString(2), rows.GetInt32(3), rows.IsDBNull(4) ? null : rows.GetString(4), rows.IsDBNull(5) ? null : rows.GetString(5), rows.IsDBNull(6) ? null : rows.GetInt32(6));
            }
            Assert.Equal(expected.Count, actual.Count);
            var wrong = expected
                .Where(e => !actual.TryGetValue(e.Key, out var row) || row != (e.Value.Handle, e.Value.Nick, e.Value.Tier, e.Value.Handle, e.Value.Nick, e.Value.Tier))
                .Take(5)
                .Select(e => $"id {e.Key}: expected {e.Value}, found {(actual.TryGetValue(e.Key, out var row) ? row.ToString() : "nothing")}")
                .ToList();
            Assert.True(wrong.Count == 0, string.Join("\n", wrong));

            // A rerun of a trigger install (a crash between its commit and its record) keeps the defaults it took over.
            var (again, c3) = Engine(database.ConnectionString);
            using (c3)
            {
                PlanStep install = again.Plan(c3.Find("MemberRenames")).Steps.First(s => s.SafeStep == SafeMigrationSteps.CreateSyncTrigger);
                await database.ExecuteAsync(install.Sql);
            }
            await database.ExecuteAsync("insert into members (tier) values (1)");
            Assert.Equal("anon", await database.ScalarAsync<string>("select display_name from members where id = (select max(id) from members)"));

            // The rollback check passes (nothing would be lost); rolled back, the schema is the one before the expand:
            // handle has its DEFAULT 'anon' again, the new columns, triggers and functions are gone.
            var (rollback, c4) = Engine(database.ConnectionString);
            using (c4)
                await rollback.RollbackAsync();
            Assert.Empty(SchemaSnapshot.Differences(beforeExpand, await SchemaSnapshot.ReadAsync(database.ConnectionString, default)));
            Assert.Equal(expected.Count + 1L, await database.ScalarAsync<long>("select count(*) from members"));
        }

        [Fact]
        public async Task Rollback_refuses_while_a_new_column_holds_values_the_old_one_does_not_and_goes_through_once_they_are_copied_back()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            var (initial, c0) = Engine(database.ConnectionString, target: "Members");
            using (c0)
                await initial.ApplyAsync();
            await database.ExecuteAsync("insert into members (handle, nick, tier) select 'h' || g, 'n' || g, g from generate_series(1, 500) g");
            SortedSet<string> beforeExpand = await SchemaSnapshot.ReadAsync(database.ConnectionString, default);
            var (expand, c1) = Engine(database.ConnectionString);
            using (c1)
                await expand.ApplyAsync();
            SortedSet<string> afterExpand = await SchemaSnapshot.ReadAsync(database.ConnectionString, default);

            // A writer that bypasses the triggers (replica mode, as logical replication or a restore would) leaves
            // values only in the new column.
            await database.ExecuteAsync("set session_replication_role = replica; update members set nickname = 'only new ' || id where id <= 3; set session_replication_role = origin;");

            var (refused, c2) = Engine(database.ConnectionString);
            using (c2)
            {
                var failure = await Assert.ThrowsAsync<EngineException>(() => refused.RollbackAsync());
                Assert.Equal(EngineCodes.RollbackNotPossible, failure.Code);
                Assert.Contains("3 row(s) of \"members\" hold a value in \"nickname\" that \"nick\" does not", failure.Message);
                Assert.Contains("20240502000000_MemberRenames step", failure.Message);
                Assert.Contains("UPDATE \"members\" AS new SET \"nick\" = NEW.\"nickname\"", failure.Message);
            }
            Assert.Empty(SchemaSnapshot.Differences(afterExpand, await SchemaSnapshot.ReadAsync(database.ConnectionString, default)));
            Assert.Equal(3L, await database.ScalarAsync<long>("select count(*) from members where nickname like 'only new %'"));

            // The remedy the message gives, then the rollback goes through.
            await database.ExecuteAsync("UPDATE \"members\" AS new SET \"nick\" = NEW.\"nickname\" WHERE new.\"nickname\" IS NOT NULL AND new.\"nick\" IS DISTINCT FROM (NEW.\"nickname\")");
            var (rollback, c3) = Engine(database.ConnectionString);
            using (c3)
                await rollback.RollbackAsync();
            Assert.Empty(SchemaSnapshot.Differences(beforeExpand, await SchemaSnapshot.ReadAsync(database.ConnectionString, default)));
            Assert.Equal(3L, await database.ScalarAsync<long>("select count(*) from members where nick like 'only new %'"));
        }

        private static async Task WaitForTriggersAsync(string connectionString, int count, CancellationToken cancellationToken)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            while (!cancellationToken.IsCancellationRequested)
            {
                await using var command = new NpgsqlCommand("select count(*) from pg_trigger where tgrelid = to_regclass('members') and not tgisinternal", connection);
                if ((long)(await command.ExecuteScalarAsync(cancellationToken))! >= count)
                    return;
                await Task.Delay(10, cancellationToken);
            }
        }

        private static async Task<long> InsertAsync(NpgsqlConnection connection, string sql, params object?[] values)
        {
            await using NpgsqlCommand command = Command(connection, sql, values);
            return (long)(await command.ExecuteScalarAsync())!;
        }

        private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, params object?[] values)
        {
            await using NpgsqlCommand command = Command(connection, sql, values);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object?[] values)
        {
            var command = new NpgsqlCommand(sql, connection);
            foreach (object? value in values)
                command.Parameters.Add(value is null ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text } : new NpgsqlParameter { Value = value });
            return command;
        }
    }
}
