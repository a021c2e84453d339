using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Planning;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations.Engine.Applying
{
    /// <summary>
    /// Before a rollback undoes anything: runs the <see cref="UndoGuard"/> of every step it will undo, counted on the
    /// server, and refuses (SM1008) when an undo would lose rows' values or could not take them.
    /// </summary>
    internal static class RollbackDataCheck
    {
        public static async Task EnsureNothingLostAsync(NpgsqlConnection connection, IEnumerable<PlanStep> stepsToUndo, CancellationToken cancellationToken)
        {
            foreach (PlanStep step in stepsToUndo)
            {
                if (step.UndoGuard is not { } guard)
                    continue;
                long count;
                try
                {
                    // Same as verification queries: a count over a big table may take long, and the lock it needs blocks nobody.
                    await using var command = new NpgsqlCommand(guard.CountSql, connection) { CommandTimeout = 0 };
                    count = (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                }
                catch (PostgresException exception) when (exception.SqlState is PostgresErrorCodes.UndefinedColumn or PostgresErrorCodes.UndefinedTable)
                {
                    continue; // the column (or table) is not there: it holds nothing to lose
                }
                catch (PostgresException exception)
                {
                    // E.g. a reverse conversion failing on a value the old column's type cannot hold: that row would be lost too.
                    throw new EngineException(EngineCodes.RollbackNotPossible, $"{step.Name}: could not check what its undo would lose ({exception.SqlState}: {exception.MessageText}); nothing was rolled back. Check the rows yourself ({guard.CountSql}); to go on: {guard.Remedy}.", exception);
                }
                if (count > 0)
                    throw new EngineException(EngineCodes.RollbackNotPossible, $"{step.Name}: {count} row(s) {guard.Problem}; nothing was rolled back. To go on: {guard.Remedy}.");
            }
        }
    }
}
