using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Tests.TestApp;
using SafeMigrations.Engine.Verifying;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Verifying
{
    /// <summary>
    /// Verify replays timestamp → timestamptz under a session TimeZone that is not UTC unless told otherwise, so a
    /// server that happens to run in UTC cannot pass a change that rewrites every row on one that does not.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class VerifyTimeZoneTests
    {
        private const string AlterStep = "20240502000000_ClocksToTimestamptz step ";

        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public VerifyTimeZoneTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        private Task<VerifyResult> VerifyAsync(string context, VerifyTests.CollectingLog log, string? zone = null)
        {
            var options = new VerifyOptions
            {
                Assembly = typeof(ShopContext).Assembly,
                ContextName = context,
                ServerConnectionString = _server.AdminConnectionString,
                Log = log,
                LockBudget = VerifyTests.SafeSampleLockBudget,
            };
            if (zone is not null)
                options.SessionTimeZone = zone;
            return MigrationVerifier.RunAsync(options);
        }

        [Fact]
        public async Task Set_local_utc_before_the_change_passes_with_the_table_not_rewritten()
        {
            var log = new VerifyTests.CollectingLog(_output);
            VerifyResult result = await VerifyAsync(nameof(ClocksContext), log);

            Assert.True(result.Passed, string.Join(Environment.NewLine, result.Findings));
            Assert.Contains(log.Lines, l => l == "info: replaying with session TimeZone '" + VerifyOptions.DefaultSessionTimeZone + "': timestamp <-> timestamptz rewrites unless a migration sets it to UTC (--time-zone sets the zone production sessions use)");
            // The seeded table was traced through the change (and its undo and re-apply): same relfilenode each time.
            var traces = result.Steps.Where(s => s.Step.MigrationId == "20240502000000_ClocksToTimestamptz" && s.Step.Kind == "alter-column").ToList();
            Assert.Contains(traces, t => t.Round == VerifyRound.Expand);
            Assert.All(traces, t => Assert.Empty(t.Rewrites));
            Assert.Contains(result.Seeding, s => s.Key == "20240502000000_ClocksToTimestamptz" && s.Value.Any(l => l.StartsWith("\"public\".\"clocks\": 60 row(s) added", StringComparison.Ordinal)));
        }

        [Fact]
        public async Task With_an_index_on_the_column_the_index_is_rebuilt_concurrently_so_no_scan_under_the_lock()
        {
            // The ALTER alone would rebuild the index under ACCESS EXCLUSIVE (a scan of the whole table); the engine drops it
            // concurrently before the type change and builds it again concurrently after it.
            var log = new VerifyTests.CollectingLog(_output);
            VerifyResult result = await VerifyAsync(nameof(ClocksIndexedContext), log);

            Assert.True(result.Passed, string.Join(Environment.NewLine, result.Findings));
            Assert.DoesNotContain(result.Findings, f => f.Code == EngineCodes.TableRewrite || f.Code == EngineCodes.LockOverBudget);
            Assert.Contains(log.Lines, l => l.Contains(AlterStep + "2 (alter column \"at\" of \"clocks\", its plain indexes dropped and rebuilt concurrently): building index \"IX_clocks_at\" again concurrently", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Without_the_set_it_fails_with_a_rewrite_even_on_a_server_running_in_utc()
        {
            var log = new VerifyTests.CollectingLog(_output);
            VerifyResult result = await VerifyAsync(nameof(ClocksWithoutUtcContext), log);

            Assert.False(result.Passed);
            Assert.Contains(result.Findings, f => f.Code == EngineCodes.TableRewrite && f.Message.StartsWith(AlterStep + "1 (alter column \"at\" of \"clocks\")", StringComparison.Ordinal));
        }

        [Fact]
        public async Task The_configured_zone_decides_and_an_unknown_one_is_a_configuration_error()
        {
            // Production sessions in UTC: the same change is rewrite-free there.
            VerifyResult utc = await VerifyAsync(nameof(ClocksWithoutUtcContext), new VerifyTests.CollectingLog(_output), "Etc/UTC");
            Assert.DoesNotContain(utc.Findings, f => f.Code == EngineCodes.TableRewrite);

            EngineException unknown = await Assert.ThrowsAsync<EngineException>(() => VerifyAsync(nameof(ClocksContext), new VerifyTests.CollectingLog(_output), "Mars/Olympus"));
            Assert.Equal(EngineCodes.Configuration, unknown.Code);
            Assert.Contains("'Mars/Olympus'", unknown.Message);
        }

        [Fact]
        public async Task Runner_passes_time_zone_to_verify_only()
        {
            string app = typeof(ShopContext).Assembly.Location;
            async Task<(int, string)> RunAsync(params string[] arguments)
            {
                var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (string argument in RunnerLaunch.ExecArguments(app).Concat(arguments))
                    start.ArgumentList.Add(argument);
                start.Environment.Remove("SAFEMIGRATIONS_CONNECTION");
                using Process process = Process.Start(start)!;
                Task<string> error = process.StandardError.ReadToEndAsync();
                string output = await process.StandardOutput.ReadToEndAsync();
                await process.WaitForExitAsync();
                _output.WriteLine(output + await error);
                return (process.ExitCode, output);
            }

            var (verifyExit, verifyOutput) = await RunAsync("verify", "--assembly", app, "--context", nameof(ClocksContext), "--connection", _server.AdminConnectionString, "--time-zone", "Mars/Olympus");
            Assert.Equal(1, verifyExit);
            Assert.Contains("error: SM1001: verify: PostgreSQL does not know the time zone 'Mars/Olympus' (--time-zone)", verifyOutput);

            var (planExit, planOutput) = await RunAsync("plan", "--assembly", app, "--context", nameof(ClocksContext), "--time-zone", "UTC");
            Assert.Equal(1, planExit);
            Assert.Contains("error: SM1001: unknown option '--time-zone'", planOutput);
        }
    }
}
