using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Linq;

namespace SafeMigrations.Build
{
    /// <summary>
    /// Catches a connection string that MSBuild cut at ';' (<c>-p:SafeMigrationsConnection=Host=h;Database=shop;...</c>
    /// becomes <c>Host=h</c> plus global properties <c>Database</c>, ...), before the runner could connect to a default
    /// database with a default user. Only key names are ever put into a message, never a value.
    /// </summary>
    internal static class SplitConnectionCheck
    {
        /// <summary>The property the targets read the connection string from.</summary>
        public const string ConnectionProperty = "SafeMigrationsConnection";

        /// <summary>How to pass the string so that it arrives whole.</summary>
        public const string Advice = "set the SAFEMIGRATIONS_CONNECTION environment variable instead (preferred: it stays out of command lines, binlogs and -v:diag output), or write every ';' in the value as %3B (-p:SafeMigrationsConnection=Host=db%3BDatabase=shop%3BUsername=app%3BPassword=...)";

        /// <summary>What is wrong with the connection the task would pass on, or null when nothing is.</summary>
        /// <param name="connection">The task's Connection parameter (SafeMigrationsConnection).</param>
        /// <param name="globalProperties">The build's global properties (-p:), when the engine exposes them.</param>
        /// <param name="fromEnvironment">SAFEMIGRATIONS_CONNECTION, used when <paramref name="connection"/> is empty.</param>
        public static string? Problem(string? connection, IReadOnlyDictionary<string, string>? globalProperties, string? fromEnvironment)
        {
            if (globalProperties is not null && globalProperties.Keys.Any(k => string.Equals(k, ConnectionProperty, StringComparison.OrdinalIgnoreCase)))
            {
                var keys = globalProperties.Keys.Where(ConnectionStringKeywords.IsKeyword).OrderBy(k => k, StringComparer.OrdinalIgnoreCase).ToList();
                if (keys.Count > 0)
                {
                    bool secretOnCommandLine = keys.Any(k => ConnectionStringKeywords.Secret.Any(s => ConnectionStringKeywords.Normalize(s) == ConnectionStringKeywords.Normalize(k)));
                    return $"{ConnectionProperty} was cut at ';' by MSBuild: the build also has global properties named like connection-string keys ({string.Join(", ", keys)}), so only the text before the first ';' arrived and nothing was run; {Advice}."
                        + (secretOnCommandLine ? " The password given on the command line is now in the shell history and this build's logs; consider changing it." : string.Empty);
                }
            }

            bool fromProperty = !string.IsNullOrWhiteSpace(connection);
            string? effective = fromProperty ? connection : fromEnvironment;
            // No string: plan and verify run without one, the runner explains the rest. A URI: the runner explains.
            if (string.IsNullOrWhiteSpace(effective) || effective!.Contains("://"))
                return null;
            string source = fromProperty ? ConnectionProperty : "SAFEMIGRATIONS_CONNECTION";
            DbConnectionStringBuilder pairs;
            try
            {
                pairs = new DbConnectionStringBuilder { ConnectionString = effective };
            }
            catch (ArgumentException)
            {
                return $"{source} is not a list of Key=Value pairs separated by ';' (a value containing ';' or a quote must be quoted); nothing was run.";
            }
            if (!ConnectionStringKeywords.NamesDatabase(pairs))
                return $"{source} names no database (Database=...), and SafeMigrations never connects to a default one; nothing was run. If it was passed with -p: it was probably cut at ';' by MSBuild: {Advice}.";
            return null;
        }
    }
}
