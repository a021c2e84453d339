using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>The rollback's data check runs each step's guard on the server and turns every outcome into go or SM1008.</summary>
    [Collection(PostgresCollection.Name)]
    public sealed class RollbackDataCheckTests
    {
        private readonly PostgresServerFixture _server;

        public RollbackDataCheckTests(PostgresServerFixture server) => _server = server;

        private static PlanStep Guarded(string countSql) =>
            new PlanStep("20240101000000_Test", MigrationPhase.Expand, "sql", "guarded step", "SELECT 1", StepTransaction.Own, "none")
            {
                Index = 2,
                UndoGuard = new UndoGuard(countSql, "of \"t\" would be lost", "copy them first"),
            };

        [Fact]
        public async Task Counts_rows_refuses_above_zero_passes_for_a_missing_column_and_refuses_when_the_check_itself_fails()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync("create table t (a integer, b bigint); insert into t values (1, 1), (2, 5000000000)");
            await using NpgsqlConnection connection = await database.OpenAsync();

            await RollbackDataCheck.EnsureNothingLostAsync(connection, new[] { Guarded("SELECT count(*) FROM t AS new WHERE new.b IS NOT NULL AND new.a IS DISTINCT FROM new.b AND new.b < 10") }, default);
            await RollbackDataCheck.EnsureNothingLostAsync(connection, new[] { Guarded("SELECT count(*) FROM t WHERE gone IS NOT NULL") }, default);

            var lost = await Assert.ThrowsAsync<EngineException>(() => RollbackDataCheck.EnsureNothingLostAsync(connection, new[] { Guarded("SELECT count(*) FROM t AS new WHERE new.a IS DISTINCT FROM new.b") }, default));
            Assert.Equal(EngineCodes.RollbackNotPossible, lost.Code);
            Assert.Equal("20240101000000_Test step 2 (guarded step): 1 row(s) of \"t\" would be lost; nothing was rolled back. To go on: copy them first.", lost.Message);

            // The reverse conversion cannot hold 5000000000 as an integer: the check fails, and so does the rollback, with a code.
            var checkFailed = await Assert.ThrowsAsync<EngineException>(() => RollbackDataCheck.EnsureNothingLostAsync(connection, new[] { Guarded("SELECT count(*) FROM t AS new WHERE new.b IS NOT NULL AND new.a IS DISTINCT FROM (NEW.b::integer)") }, default));
            Assert.Equal(EngineCodes.RollbackNotPossible, checkFailed.Code);
            Assert.Contains("could not check what its undo would lose (22003", checkFailed.Message);
        }
    }
}
