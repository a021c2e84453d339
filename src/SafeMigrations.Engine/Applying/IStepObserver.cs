using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Planning;

namespace SafeMigrations.Engine.Applying
{
    /// <summary>
    /// Watches the apply run step by step (the verifier traces locks, rewrites and scans through it). Calls happen on
    /// the executor's connection between its statements, so an observer may query through it but must leave it as it
    /// found it; an exception from an observer fails the step.
    /// </summary>
    public interface IStepObserver
    {
        /// <summary>Just before a step runs (after the "already in place" check); <paramref name="connection"/> is the executor's, idle.</summary>
        Task BeforeStepAsync(PlanStep step, NpgsqlConnection connection, CancellationToken cancellationToken);

        /// <summary>
        /// In a step that runs in its own transaction, after its SQL and before the commit: every lock the step took is
        /// still held. Called once per attempt that reached the commit.
        /// </summary>
        Task BeforeCommitAsync(PlanStep step, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken);

        /// <summary>Right after a step ran (before its verification query), or failed (<paramref name="failure"/> set).</summary>
        Task AfterStepAsync(PlanStep step, NpgsqlConnection connection, Exception? failure, CancellationToken cancellationToken);
    }
}
