using System;
using System.Threading.Tasks;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Faults
{
    /// <summary>
    /// The old app version keeps writing through the old columns — NULLs included — for the whole expand phase: no row
    /// is left unbackfilled, every new value equals the recompute, and the old app version never sees an error.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class MixedVersionTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public MixedVersionTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task The_old_app_version_writing_NULLs_and_old_column_values_during_expand_leaves_no_row_unbackfilled()
        {
            Random random = FaultSeed.Create(_output, nameof(The_old_app_version_writing_NULLs_and_old_column_values_during_expand_leaves_no_row_unbackfilled));
            const int rows = 40_000;
            await using PaymentsDatabase payments = await PaymentsDatabase.CreateAsync(_server, rows, _output);
            await using OldAppWriter app = OldAppWriter.Start(payments, random.Next());

            await using (RunnerProcess runner = RunnerProcess.Start(_output, "apply", PaymentsDatabase.Context, "apply", payments.ConnectionString))
                Assert.Equal(0, await runner.WaitForExitAsync(RunnerKillTests.RunTimeout));
            // And after expand, before contract: the old version still writes only the old columns.
            long written = app.Inserts + app.Updates;
            while (app.Inserts + app.Updates < written + 50)
                await Task.Delay(20);
            Assert.Empty(await app.StopAsync());
            _output.WriteLine($"old app version: {app.Inserts} inserts, {app.Updates} updates");

            Assert.True(await payments.ScalarAsync<long>($"select count(*) from payments where id > {rows} and amount is null") > 0, "the old app version inserted no NULL amount");
            Assert.True(await payments.ScalarAsync<long>($"select count(*) from payments where id <= {rows} and label like 'Old-App-%'") > 0, "the old app version updated no existing row");
            await payments.AssertExpandedExactlyAsync();
        }
    }
}
