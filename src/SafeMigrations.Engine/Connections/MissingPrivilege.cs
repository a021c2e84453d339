using System;
using System.Text.RegularExpressions;
using Npgsql;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.State;

namespace SafeMigrations.Engine.Connections
{
    /// <summary>
    /// Turns the server's insufficient_privilege (42501) on the engine's own bookkeeping (its state schema, the EF
    /// history table, the executor lock) into SM1001 naming the privilege to grant, instead of an unexpected failure.
    /// </summary>
    public static class MissingPrivilege
    {
        /// <summary>Whether <paramref name="exception"/> is the server refusing for lack of a privilege.</summary>
        public static bool Matches(Exception exception)
            => exception is PostgresException postgres && postgres.SqlState == PostgresErrorCodes.InsufficientPrivilege;

        /// <summary>SM1001 saying which privilege the user of <paramref name="connectionString"/> lacks and how to grant it.</summary>
        public static EngineException Explain(PostgresException exception, string? connectionString)
        {
            string text = exception.MessageText ?? exception.Message;
            string user = ConnectionTargetUser(connectionString);
            string grant;
            Match match;
            if ((match = Regex.Match(text, "permission denied for database \"?([^\"]+)\"?")).Success)
                grant = $"the engine creates its schema {SqlIdentifier.Quote(StepStateStore.SchemaName)} in the database, which needs CREATE on it: GRANT CREATE ON DATABASE {SqlIdentifier.Quote(match.Groups[1].Value)} TO {user}; (or have the owner run CREATE SCHEMA {SqlIdentifier.Quote(StepStateStore.SchemaName)} AUTHORIZATION {user};)";
            else if ((match = Regex.Match(text, "permission denied for schema \"?([^\"]+)\"?")).Success)
                grant = $"the engine reads and creates objects in schema {SqlIdentifier.Quote(match.Groups[1].Value)}, which needs USAGE and CREATE on it: GRANT USAGE, CREATE ON SCHEMA {SqlIdentifier.Quote(match.Groups[1].Value)} TO {user};";
            else if ((match = Regex.Match(text, "permission denied for (?:table|relation) \"?([^\"]+)\"?")).Success)
                grant = $"the engine reads and writes {SqlIdentifier.Quote(match.Groups[1].Value)}: GRANT SELECT, INSERT, UPDATE, DELETE ON {SqlIdentifier.Quote(match.Groups[1].Value)} TO {user};";
            else if (text.StartsWith("must be owner of", StringComparison.Ordinal))
                grant = "run SafeMigrations as the role that owns the application's tables (the one that ran its earlier migrations), or make that role a member of it";
            else
                grant = "grant it, or run SafeMigrations as the role that owns the application's schema";
            return new EngineException(EngineCodes.Configuration, $"the database user {user} lacks a privilege SafeMigrations needs ({ConnectionTarget.Describe(connectionString)}): {MigrationEngine.OneLine(text)}; {grant}.", exception);
        }

        private static string ConnectionTargetUser(string? connectionString)
        {
            try
            {
                string? user = new NpgsqlConnectionStringBuilder(connectionString ?? string.Empty).Username;
                return string.IsNullOrEmpty(user) ? "the connecting user" : SqlIdentifier.Quote(user);
            }
            catch (ArgumentException)
            {
                return "the connecting user";
            }
        }
    }
}
