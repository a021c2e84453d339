using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Data.Common;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Npgsql;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations.Engine.Connections
{
    /// <summary>
    /// The database a connection string points at, as far as it may be printed: host, port, database, user and SSL mode,
    /// read through <see cref="NpgsqlConnectionStringBuilder"/>. An allow-list: nothing else of the string (passwords
    /// under any synonym, misspelled keys, certificates) is ever part of <see cref="ToString"/> or of an error message.
    /// </summary>
    public sealed class ConnectionTarget
    {
        /// <summary>Printed instead of a connection string that cannot be read; contains no part of it.</summary>
        public const string Unreadable = "<connection string not understood>";

        /// <summary>How to pass a connection string through MSBuild so that it is not cut at ';'.</summary>
        public const string PassingAdvice = "set the SAFEMIGRATIONS_CONNECTION environment variable (preferred: it stays out of command lines, binlogs and -v:diag output), or pass --connection to the runner; with -p:SafeMigrationsConnection=... write every ';' as %3B, because MSBuild splits -p values at ';'";

        private ConnectionTarget(string? host, int port, string database, string? username, SslMode sslMode)
        {
            Host = host;
            Port = port;
            Database = database;
            Username = username;
            SslMode = sslMode;
        }

        /// <summary>Host (or comma-separated hosts), when the string names one.</summary>
        public string? Host { get; }

        /// <summary>Port (Npgsql's default 5432 when the string names none).</summary>
        public int Port { get; }

        /// <summary>The database; never empty (<see cref="Parse"/> refuses a string without one).</summary>
        public string Database { get; }

        /// <summary>The user, when the string names one (otherwise Npgsql uses PGUSER or the OS user).</summary>
        public string? Username { get; }

        /// <summary>SSL mode (Npgsql's default when the string names none).</summary>
        public SslMode SslMode { get; }

        /// <summary>
        /// Reads <paramref name="connectionString"/> the way Npgsql will, and refuses (SM1001) what SafeMigrations must not
        /// connect with: no string, a URI, text that is not Key=Value pairs, an unknown key, a value Npgsql cannot read, no
        /// Database. The error says what is wrong in words and never repeats a value of the string.
        /// </summary>
        /// <exception cref="EngineException">SM1001, with what to do.</exception>
        public static ConnectionTarget Parse(string? connectionString)
        {
            NpgsqlConnectionStringBuilder builder = Read(connectionString, out string? problem);
            if (problem is not null)
                throw new EngineException(EngineCodes.Configuration, problem);
            if (string.IsNullOrWhiteSpace(builder.Database))
                throw new EngineException(EngineCodes.Configuration, $"the connection string ({Render(builder)}) names no database, and SafeMigrations never falls back to Npgsql's default (a database named like the user); add Database=<name>. A connection string passed with -p: that lost its Database was probably cut at ';' by MSBuild: {PassingAdvice}.");
            return new ConnectionTarget(builder.Host, builder.Port, builder.Database!, builder.Username, builder.SslMode);
        }

        /// <summary>
        /// The printable description of <paramref name="connectionString"/>: <c>host=db port=5432 database=shop user=app
        /// ssl=Prefer</c>; <c>(none)</c> without one; <see cref="Unreadable"/> when it cannot be read. Never throws.
        /// </summary>
        public static string Describe(string? connectionString)
        {
            if (string.IsNullOrWhiteSpace(connectionString))
                return "(none)";
            NpgsqlConnectionStringBuilder builder = Read(connectionString, out string? problem);
            return problem is null ? Render(builder) : Unreadable;
        }

        /// <summary>
        /// The secret values of <paramref name="connectionString"/> (password and SSL key password, under whichever
        /// synonym they were written), for a last scrub of output lines. Empty when the string cannot be read.
        /// </summary>
        public static IReadOnlyList<string> Secrets(string? connectionString)
        {
            var secrets = new List<string>();
            if (string.IsNullOrWhiteSpace(connectionString))
                return secrets;
            NpgsqlConnectionStringBuilder builder = Read(connectionString, out string? problem);
            if (problem is null)
            {
                if (!string.IsNullOrEmpty(builder.Password))
                    secrets.Add(builder.Password!);
                if (!string.IsNullOrEmpty(builder.SslPassword))
                    secrets.Add(builder.SslPassword!);
            }
            return secrets;
        }

        /// <summary>The allow-listed description, e.g. <c>host=db port=5432 database=shop user=app ssl=Prefer</c>.</summary>
        public override string ToString()
            => Describe(Host, Port, Database, Username, SslMode);

        /// <summary>Same as <see cref="ToString"/> without the database: a server on which verify creates its own databases.</summary>
        public string ServerDescription()
            => $"host={Value(Host)} port={Port.ToString(CultureInfo.InvariantCulture)} user={User(Username)} ssl={SslMode}";

        private static string Render(NpgsqlConnectionStringBuilder builder)
            => Describe(builder.Host, builder.Port, builder.Database, builder.Username, builder.SslMode);

        private static string Describe(string? host, int port, string? database, string? username, SslMode sslMode)
            => $"host={Value(host)} port={port.ToString(CultureInfo.InvariantCulture)} database={Value(database)} user={User(username)} ssl={sslMode}";

        private static string User(string? username)
        {
            if (!string.IsNullOrEmpty(username))
                return Value(username);
            string? fromEnvironment = Environment.GetEnvironmentVariable("PGUSER");
            return string.IsNullOrEmpty(fromEnvironment) ? "(not set: the OS user)" : Value(fromEnvironment) + " (from PGUSER)";
        }

        private static string Value(string? value)
        {
            if (string.IsNullOrEmpty(value))
                return "(not set)";
            // Quoted when it would not read as one word; an embedded quote doubled.
            return value.Any(c => char.IsWhiteSpace(c) || c == '"' || c == '=') ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
        }

        private static NpgsqlConnectionStringBuilder Read(string? connectionString, out string? problem)
        {
            var npgsql = new NpgsqlConnectionStringBuilder();
            problem = null;
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                problem = $"no connection string; {PassingAdvice}.";
                return npgsql;
            }
            string text = connectionString.Trim();
            if (Regex.IsMatch(text, @"^[A-Za-z][A-Za-z0-9+.\-]*://"))
            {
                problem = "the connection string is a URI (postgres://...), which Npgsql does not read; write it as Key=Value pairs: Host=<host>;Port=<port>;Database=<database>;Username=<user>;Password=<password> (and SSL Mode=Require for sslmode=require).";
                return npgsql;
            }

            // The generic parser first: it accepts any key, so an unknown one can be named without Npgsql's message
            // (Npgsql's inner exceptions quote the value, which may be a password under a misspelled key).
            var pairs = new DbConnectionStringBuilder();
            try
            {
                pairs.ConnectionString = text;
            }
            catch (ArgumentException exception)
            {
                Match position = Regex.Match(exception.Message, @"index (\d+)");
                problem = "the connection string is not a list of Key=Value pairs separated by ';'" + (position.Success ? $" (it stops making sense at character {position.Groups[1].Value})" : string.Empty) + "; a value that contains ';', '=' or a quote must be enclosed in quotes (\"...\" or '...').";
                return npgsql;
            }

            foreach (string key in pairs.Keys)
            {
                if (!npgsql.ContainsKey(key))
                {
                    string? suggestion = ClosestKeyword(key);
                    problem = $"the connection string has a key Npgsql does not know, {KeyName(key)}" + (suggestion is null ? string.Empty : $" (did you mean '{suggestion}'?)") + "; fix or remove it (see Npgsql's connection string parameters).";
                    return npgsql;
                }
                try
                {
                    npgsql[key] = pairs[key];
                }
                catch (Exception exception) when (exception is ArgumentException || exception is FormatException || exception is InvalidCastException || exception is OverflowException)
                {
                    problem = $"the value of {KeyName(key)} in the connection string is not one Npgsql can read for that key (a number, true/false or one of its documented names); fix it.";
                    return npgsql;
                }
            }
            return npgsql;
        }

        /// <summary>A key is printed only when it looks like a keyword, so a fragment of a mangled secret never is.</summary>
        private static string KeyName(string key)
            => key.Length <= 40 && Regex.IsMatch(key, @"^[A-Za-z][A-Za-z ]*$") ? "'" + key + "'" : "a key that is not a keyword";

        private static readonly Lazy<IReadOnlyList<string>> Keywords = new Lazy<IReadOnlyList<string>>(() =>
            typeof(NpgsqlConnectionStringBuilder).GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Select(p => p.GetCustomAttribute<DisplayNameAttribute>()?.DisplayName)
                .Where(n => !string.IsNullOrEmpty(n))
                .Select(n => n!)
                .ToList());

        private static string? ClosestKeyword(string key)
        {
            if (!Regex.IsMatch(key, @"^[A-Za-z ]{1,40}$"))
                return null;
            string wanted = key.Replace(" ", string.Empty).ToUpperInvariant();
            string? best = null;
            int bestDistance = 3;
            foreach (string keyword in Keywords.Value)
            {
                int distance = EditDistance(wanted, keyword.Replace(" ", string.Empty).ToUpperInvariant());
                if (distance < bestDistance)
                {
                    best = keyword;
                    bestDistance = distance;
                }
            }
            return best;
        }

        private static int EditDistance(string a, string b)
        {
            var previous = new int[b.Length + 1];
            var current = new int[b.Length + 1];
            for (int j = 0; j <= b.Length; j++)
                previous[j] = j;
            for (int i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                for (int j = 1; j <= b.Length; j++)
                {
                    int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                    current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), substitution);
                }
                (previous, current) = (current, previous);
            }
            return previous[b.Length];
        }
    }
}
