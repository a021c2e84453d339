using System;
using System.Linq;
using System.Threading.Tasks;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>The runner's --backfill-workers reaches the engine's backfills, and a bad value is a coded error.</summary>
    [Collection(PostgresCollection.Name)]
    public sealed class RunnerBackfillWorkersTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public RunnerBackfillWorkersTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        private (int ExitCode, string[] Lines) Run(params string[] arguments)
            => RunnerLaunch.Run(_output, typeof(TestApp.ShopContext), arguments);

        [Fact]
        public async Task Apply_runs_the_backfill_on_the_workers_asked_for_and_refuses_a_bad_count_with_SM1001()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            string connection = database.ConnectionString;
            Assert.Equal(0, Run("apply", "--connection", connection, "--target", "Initial").ExitCode);
            // Hardening backfills the NULL emails: enough rows for two workers at the first batch's 1,000 rows.
            await database.ExecuteAsync("insert into customers (name, email) select 'c' || g, case when g % 2 = 0 then null else 'x' end from generate_series(1, 30000) g; analyze customers;");

            var (exit, _) = Run("apply", "--connection", connection, "--target", "Hardening", "--backfill-workers", "2");
            Assert.Equal(0, exit);
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from customers where email is null"));
            Assert.Equal(2, await database.ScalarAsync<int>("select jsonb_array_length(position::jsonb -> 'segments') from safemigrations.state where step_kind = 'backfill'"));

            foreach (string bad in new[] { "0", "-1", "two", "65" })
            {
                var (badExit, badLines) = Run("apply", "--connection", connection, "--backfill-workers", bad);
                Assert.Equal(1, badExit);
                Assert.Contains(badLines, l => l.StartsWith($"error: SM1001: --backfill-workers must be a number of connections from 1 to 64, not '{bad}'", StringComparison.Ordinal));
            }

            var (planExit, planLines) = Run("plan", "--backfill-workers", "2");
            Assert.Equal(1, planExit);
            Assert.Contains(planLines, l => l.StartsWith("error: SM1001: unknown option '--backfill-workers'", StringComparison.Ordinal));
        }
    }
}
