using System.Collections.Generic;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql.Rules;

namespace SafeMigrations.Analyzers.Rules
{
    /// <summary>
    /// Where in a migration method the session <c>TimeZone</c> is UTC, the way plain EF Core runs it: every command on
    /// one connection, in one transaction that a <c>suppressTransaction</c> command commits (EF's MigrationCommandExecutor).
    /// So <c>SET LOCAL TimeZone</c> lasts until that commit and is lost in a suppressed command (autocommit); a plain
    /// <c>SET TimeZone</c> lasts for the rest of the migration. Unknown SQL (built at run time) is assumed to leave it alone.
    /// </summary>
    internal sealed class SessionTimeZone
    {
        private readonly HashSet<(int Step, int Statement)> _utc = new HashSet<(int, int)>();

        private SessionTimeZone()
        {
        }

        /// <summary>True when TimeZone is UTC when the step (and, inside a Sql step, the statement) starts.</summary>
        public bool IsUtcAt(int stepIndex, int statementIndex = -1) => _utc.Contains((stepIndex, statementIndex));

        public static SessionTimeZone Of(MigrationModel model)
        {
            var zones = new SessionTimeZone();
            var state = new SessionTimeZoneState();
            foreach (var step in model.Steps)
            {
                if (EndsTransaction(step))
                {
                    state.Commit();
                }

                if (!(step.Sql is { IsConstant: true } sql))
                {
                    if (state.IsUtc)
                    {
                        zones._utc.Add((step.Index, -1));
                    }

                    continue;
                }

                var suppressed = sql.SuppressTransaction == true;
                var statements = sql.Statements;
                for (var i = 0; i < statements.Count; i++)
                {
                    if (state.IsUtc)
                    {
                        zones._utc.Add((step.Index, i));
                    }

                    state.Statement(statements[i], !suppressed);
                }

                if (suppressed)
                {
                    state.Commit();
                }
            }

            return zones;
        }

        /// <summary>
        /// EF commits its transaction before a suppressed command: a Sql(..., suppressTransaction: true), and the builder
        /// steps <see cref="TransactionLocks"/> knows to run outside it (a concurrent CreateIndex, SafeMigrations' suppressed
        /// steps). Another extension method may run anything, so it is taken to commit too.
        /// </summary>
        private static bool EndsTransaction(MigrationStep step)
        {
            if (step.Sql is { } sql)
            {
                return sql.SuppressTransaction != false;
            }

            return TransactionLocks.RunsOutsideTheTransaction(step)
                   || (step.IsExtension && !(step.Method.ContainingType is { Name: "SafeMigrationBuilderExtensions" }));
        }
    }
}
