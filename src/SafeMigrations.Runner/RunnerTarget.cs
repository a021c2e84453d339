using SafeMigrations.Engine.Connections;

namespace SafeMigrations.Runner
{
    /// <summary>
    /// The first line of every command: which server and database it acts on (the allow-listed description of the
    /// connection string), so an operator sees the target before anything happens.
    /// </summary>
    internal static class RunnerTarget
    {
        /// <summary>
        /// <c>target: host=db port=5432 database=shop user=app ssl=Prefer</c>, or where verify and plan run without a
        /// connection; throws SM1001 (<see cref="ConnectionTarget.Parse"/>) for a string that must not be connected with.
        /// </summary>
        public static string FirstLine(string command, string? connection)
        {
            if (string.IsNullOrWhiteSpace(connection))
            {
                if (command == "verify")
                    return "target: a throwaway PostgreSQL cluster started from local binaries (no connection given)";
                if (command == "plan")
                    return "target: none (no connection given: the plan lists every migration up to the target)";
                if (command == "script")
                    return "target: none (the script is written from the plan; no database is read)";
            }
            ConnectionTarget target = ConnectionTarget.Parse(connection);
            return command == "verify" ? $"target: throwaway databases created on the server of {target}" : $"target: {target}";
        }

        /// <summary>
        /// When <c>--connection</c> and <see cref="RunnerCommand.ConnectionVariable"/> both hold a connection string and
        /// they differ: the line that says the argument wins and what the ignored variable names, so an operator who
        /// expected the variable's database sees at once that another one is targeted. Null otherwise.
        /// </summary>
        public static string? IgnoredVariableLine(string? argument, string? variable)
        {
            if (string.IsNullOrWhiteSpace(argument) || string.IsNullOrWhiteSpace(variable) || string.Equals(argument.Trim(), variable!.Trim(), System.StringComparison.Ordinal))
                return null;
            return $"connection: from --connection; {RunnerCommand.ConnectionVariable} is set too ({ConnectionTarget.Describe(variable)}) and is not used";
        }
    }
}
