using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Tests.TestApp;
using SafeMigrations.Engine.Verifying;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>Plain EF AlterColumn steps (nullability, defaults, same-type TYPE clause) get an automatic undo.</summary>
    [Collection(PostgresCollection.Name)]
    public sealed class AlterColumnUndoTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public AlterColumnUndoTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        private (MigrationEngine Engine, MigrationCatalog Catalog) Engine(string connectionString, PhaseSelection phase = PhaseSelection.Expand, string? target = null)
        {
            var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(ProfilesContext).Assembly, nameof(ProfilesContext), connectionString));
            var options = new EngineOptions { ConnectionString = connectionString, Phase = phase, Target = target, Log = new EngineApplyTests.TestLog(_output), LockTimeout = TimeSpan.FromMilliseconds(500) };
            return (new MigrationEngine(catalog, options), catalog);
        }

        [Fact]
        public void Nullability_default_and_same_type_alters_get_an_undo_and_a_real_type_change_keeps_its_reason()
        {
            var (engine, catalog) = Engine("Host=localhost");
            using (catalog)
            {
                MigrationPlan tweaks = engine.Plan(catalog.Find("ProfileTweaks"));
                foreach (PlanStep step in tweaks.Steps)
                    _output.WriteLine($"{step.Name}: {step.Sql} => undo: {step.UndoSql ?? (step.NoUndoNeeded ? "(none needed)" : "NONE: " + step.NoUndoReason)}");
                Assert.All(tweaks.ExpandSteps, s => Assert.True(s.UndoSql is not null || s.NoUndoNeeded, s.Name + " has no undo: " + s.NoUndoReason));

                PlanStep nickname = tweaks.Steps.Single(s => s.Kind == "alter-column" && s.Sql.Contains("nickname"));
                Assert.Equal("ALTER TABLE \"profiles\" ALTER COLUMN \"nickname\" SET NOT NULL;", nickname.UndoSql);
                Assert.Equal("SELECT count(*) FROM \"profiles\" WHERE \"nickname\" IS NULL", nickname.UndoGuard?.CountSql);
                Assert.Equal("ALTER TABLE \"profiles\" ALTER COLUMN \"status\" SET DEFAULT 'new';", tweaks.Steps.Single(s => s.Sql.Contains("status")).UndoSql);
                Assert.Equal("ALTER TABLE \"profiles\" ALTER COLUMN \"bio\" DROP DEFAULT;", tweaks.Steps.Single(s => s.Sql.Contains("bio SET DEFAULT")).UndoSql);
                Assert.Equal("COMMENT ON COLUMN \"profiles\".\"bio\" IS NULL;", tweaks.Steps.Single(s => s.Sql.Contains("COMMENT ON COLUMN")).UndoSql);

                PlanStep bigint = engine.Plan(catalog.Find("ScoreBigint")).Steps.Single();
                Assert.Null(bigint.UndoSql);
                Assert.False(bigint.NoUndoNeeded);
                Assert.Contains("from integer to bigint", bigint.NoUndoReason);
            }
        }

        [Fact]
        public async Task Apply_rollback_apply_of_plain_AlterColumn_steps_restores_the_schema_exactly_and_refuses_over_new_NULLs_and_type_changes()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await ApplyAsync(database, "Profiles");
            await database.ExecuteAsync("insert into profiles (nickname, score, bio) select 'p' || g, case when g % 3 = 0 then null else g end, null from generate_series(1, 300) g");
            SortedSet<string> before = await SchemaSnapshot.ReadAsync(database.ConnectionString, default);

            await ApplyAsync(database, "ProfileTweaks");
            SortedSet<string> after = await SchemaSnapshot.ReadAsync(database.ConnectionString, default);
            Assert.NotEmpty(SchemaSnapshot.Differences(before, after));
            await database.ExecuteAsync("insert into profiles (nickname, rank) values ('written by the new version', 1)");

            Assert.Equal("shown on the profile page", await database.ScalarAsync<string>(BioComment));

            await RollbackAsync(database);
            Assert.Empty(SchemaSnapshot.Differences(before, await SchemaSnapshot.ReadAsync(database.ConnectionString, default)));
            Assert.Null(await database.ScalarAsync<string>(BioComment));
            Assert.Equal(1L, await database.ScalarAsync<long>("select count(*) from \"__EFMigrationsHistory\""));
            Assert.Equal(301L, await database.ScalarAsync<long>("select count(*) from profiles"));

            await ApplyAsync(database, "ProfileTweaks");
            Assert.Empty(SchemaSnapshot.Differences(after, await SchemaSnapshot.ReadAsync(database.ConnectionString, default)));

            // A NULL written since nickname became nullable: SET NOT NULL would fail, so the rollback refuses up front.
            await database.ExecuteAsync("insert into profiles (nickname, rank) values (null, 1)");
            var refused = await Assert.ThrowsAsync<EngineException>(() => RollbackAsync(database));
            Assert.Equal(EngineCodes.RollbackNotPossible, refused.Code);
            Assert.Contains("1 row(s) of \"profiles\" hold NULL in \"nickname\"", refused.Message);
            Assert.Empty(SchemaSnapshot.Differences(after, await SchemaSnapshot.ReadAsync(database.ConnectionString, default)));
            Assert.Equal(2L, await database.ScalarAsync<long>("select count(*) from \"__EFMigrationsHistory\""));

            // A real type change keeps SM1008, with the reason.
            await database.ExecuteAsync("update profiles set nickname = 'filled' where nickname is null");
            await ApplyAsync(database, "ScoreBigint");
            var typeChange = await Assert.ThrowsAsync<EngineException>(() => RollbackAsync(database));
            Assert.Equal(EngineCodes.RollbackNotPossible, typeChange.Code);
            Assert.Contains("from integer to bigint", typeChange.Message);
        }

        private const string BioComment = "select col_description('profiles'::regclass, (select attnum from pg_attribute where attrelid = 'profiles'::regclass and attname = 'bio'))";

        private async Task ApplyAsync(TestDatabase database, string target)
        {
            var (engine, catalog) = Engine(database.ConnectionString, PhaseSelection.All, target);
            using (catalog)
                await engine.ApplyAsync();
        }

        private async Task RollbackAsync(TestDatabase database)
        {
            var (engine, catalog) = Engine(database.ConnectionString);
            using (catalog)
                await engine.RollbackAsync();
        }
    }
}
