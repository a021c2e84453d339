using System;
using System.Linq;
using System.Threading.Tasks;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Pacing
{
    /// <summary>The runner's pacing options reach the engine, and a bad one is a coded error.</summary>
    [Collection(PostgresCollection.Name)]
    public sealed class RunnerPacingOptionsTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public RunnerPacingOptionsTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        private (int ExitCode, string[] Lines) Run(params string[] arguments)
            => RunnerLaunch.Run(_output, typeof(TestApp.ShopContext), arguments);

        [Fact]
        public async Task Apply_takes_the_pacing_options_and_refuses_bad_values_with_SM1001()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            string connection = database.ConnectionString;

            // Hardening backfills the NULL emails: the probe is timed before its first batch.
            Assert.Equal(0, Run("apply", "--connection", connection, "--target", "Initial").ExitCode);
            await database.ExecuteAsync("insert into customers (name, email) select 'c' || g, case when g % 2 = 0 then null else 'x' end from generate_series(1, 100) g");
            var (exit, lines) = Run("apply", "--connection", connection, "--target", "Hardening", "--latency-probe", "select count(*) from customers where id = 1",
                "--latency-factor", "4.5", "--max-replica-lag", "0", "--max-replica-lag-time", "0", "--max-pacing-pause", "60000");
            Assert.Equal(0, exit);
            Assert.Contains(lines, l => l.StartsWith("info: 20240102000000_Hardening step ", StringComparison.Ordinal) && l.Contains(": pacing: latency probe baseline ") && l.Contains(" ms, slowing down above "));

            var (lagExit, lagLines) = Run("apply", "--connection", connection, "--max-replica-lag", "lots");
            Assert.Equal(1, lagExit);
            Assert.Contains(lagLines, l => l.StartsWith("error: SM1001: --max-replica-lag must be a number of megabytes (0: not watched), not 'lots'", StringComparison.Ordinal));

            var (planExit, planLines) = Run("plan", "--max-replica-lag", "16");
            Assert.Equal(1, planExit);
            Assert.Contains(planLines, l => l.StartsWith("error: SM1001: unknown option '--max-replica-lag'", StringComparison.Ordinal));
        }
    }
}
