using SafeMigrations.Engine.Planning;
using SafeMigrations.Sql;

namespace SafeMigrations.Engine.Tests
{
    /// <summary>
    /// SM0017's fix ends EF's transaction with <c>Sql("DO 'BEGIN END'", suppressTransaction: true)</c>: the engine must
    /// plan it as a step with nothing to undo, or rolling back such a migration would refuse (SM1008).
    /// </summary>
    public class NoOpStatementTests
    {
        [Fact]
        public void An_empty_DO_block_needs_no_undo_and_a_DO_block_that_works_still_does()
        {
            var noOp = StatementFacts.Of(StatementScanner.Scan("DO 'BEGIN END'")[0]);
            Assert.Equal("no-op", noOp.Kind);
            Assert.True(noOp.NoUndoNeeded);

            var dollarQuoted = StatementFacts.Of(StatementScanner.Scan("DO $$ begin end; $$;")[0]);
            Assert.True(dollarQuoted.NoUndoNeeded);

            var working = StatementFacts.Of(StatementScanner.Scan("DO $$ BEGIN UPDATE t SET a = 1; END $$")[0]);
            Assert.False(working.NoUndoNeeded);
        }
    }
}
