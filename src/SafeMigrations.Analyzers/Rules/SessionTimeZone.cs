using System.Collections.Generic;
using SafeMigrations.Analyzers.Model;
using SafeMigrations.Sql;

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
            bool sessionUtc = false;
            bool? localUtc = null;
            foreach (var step in model.Steps)
            {
                if (EndsTransaction(step))
                {
                    localUtc = null;
                }

                if (!(step.Sql is { IsConstant: true } sql))
                {
                    if (localUtc ?? sessionUtc)
                    {
                        zones._utc.Add((step.Index, -1));
                    }

                    continue;
                }

                var suppressed = sql.SuppressTransaction == true;
                var statements = sql.Statements;
                for (var i = 0; i < statements.Count; i++)
                {
                    if (localUtc ?? sessionUtc)
                    {
                        zones._utc.Add((step.Index, i));
                    }

                    var statement = statements[i];
                    if (statement.Kind == StatementKind.TransactionControl && statement.EndsTransaction)
                    {
                        localUtc = null;
                    }

                    if (!(SessionSetting.Parse(statement) is { } setting) || (setting.Parameter != "timezone" && setting.Parameter != SessionSetting.All))
                    {
                        continue;
                    }

                    if (!setting.IsLocal)
                    {
                        sessionUtc = setting.SetsUtcTimeZone;
                        localUtc = null;
                    }
                    else if (!suppressed)
                    {
                        // Outside a transaction block SET LOCAL only warns.
                        localUtc = setting.SetsUtcTimeZone;
                    }
                }

                if (suppressed)
                {
                    localUtc = null;
                }
            }

            return zones;
        }

        /// <summary>
        /// EF commits its transaction before a suppressed command: a Sql(..., suppressTransaction: true), a concurrent
        /// CreateIndex, or (not knowing which of them suppress) any SafeMigrations step.
        /// </summary>
        private static bool EndsTransaction(MigrationStep step)
        {
            if (step.Sql is { } sql)
            {
                return sql.SuppressTransaction != false;
            }

            var concurrently = step.IsBuilderMethod("CreateIndex") ? step.FindAnnotation(NpgsqlAnnotations.CreatedConcurrently) : null;
            return step.IsExtension || (concurrently != null && concurrently.Value.AsBool() != false);
        }
    }
}
