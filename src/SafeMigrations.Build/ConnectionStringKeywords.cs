using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Linq;

namespace SafeMigrations.Build
{
    /// <summary>
    /// Npgsql's connection-string keywords, synonyms and property names (Npgsql 8 to 10), for a task that cannot load
    /// Npgsql: MSBuild runs it, not the app. Compared as Npgsql compares them: case-insensitive, spaces ignored. A test
    /// checks this list against NpgsqlConnectionStringBuilder so it cannot fall behind.
    /// </summary>
    internal static class ConnectionStringKeywords
    {
        public static readonly IReadOnlyList<string> All = new[]
        {
            "Application Name", "Array Nullability Mode", "Auto Prepare Min Usages", "Cancellation Timeout", "Channel Binding",
            "Check Certificate Revocation", "Client Encoding", "Command Timeout", "Connection Idle Lifetime", "Connection Lifetime",
            "Connection Pruning Interval", "Database", "DB", "Encoding", "Enlist", "GSS Encryption Mode", "Host",
            "Host Recheck Seconds", "Include Error Detail", "Include Failed Batched Command", "Include Realm",
            "Internal Command Timeout", "Keepalive", "Kerberos Service Name", "Krbsrvname", "Load Balance Hosts",
            "Load Balance Timeout", "Load Table Composites", "Log Parameters", "Max Auto Prepare", "Maximum Pool Size",
            "MaxPoolSize", "Minimum Pool Size", "MinPoolSize", "Multiplexing", "No Reset On Close", "Options", "Passfile",
            "Password", "Persist Security Info", "Pooling", "Port", "PSW", "PWD", "Read Buffer Size", "Require Auth",
            "Root Certificate", "Search Path", "Server", "Server Compatibility Mode", "Socket Receive Buffer Size",
            "Socket Send Buffer Size", "SSL Certificate", "SSL Key", "SSL Mode", "SSL Negotiation", "SSL Password",
            "Target Session Attributes", "TCP Keepalive", "TCP Keepalive Interval", "TCP Keepalive Time", "Timeout", "Timezone",
            "Trust Server Certificate", "UID", "User Id", "User Name", "UserId", "Username",
            "Write Buffer Size", "Write Coalescing Buffer Threshold Bytes",
        };

        /// <summary>The keys whose value is a secret (Npgsql's Password and SslPassword with their synonyms).</summary>
        public static readonly IReadOnlyList<string> Secret = new[] { "Password", "PSW", "PWD", "SSL Password" };

        /// <summary>The keys that name the database.</summary>
        public static readonly IReadOnlyList<string> DatabaseKeys = new[] { "Database", "DB" };

        private static readonly HashSet<string> Normalized = new HashSet<string>(All.Select(Normalize), StringComparer.Ordinal);

        /// <summary>Whether <paramref name="name"/> is read by Npgsql as a connection-string key.</summary>
        public static bool IsKeyword(string name) => Normalized.Contains(Normalize(name));

        /// <summary>Keyword spelling that ignores case and spaces: <c>SslMode</c>, <c>ssl mode</c>, <c>SSL Mode</c> are one.</summary>
        public static string Normalize(string name) => name.Replace(" ", string.Empty).ToUpperInvariant();

        /// <summary>Whether the key/value pairs name a database.</summary>
        public static bool NamesDatabase(DbConnectionStringBuilder pairs)
        {
            foreach (string key in pairs.Keys)
            {
                if (DatabaseKeys.Any(d => Normalize(d) == Normalize(key)) && pairs[key] is string value && value.Trim().Length > 0)
                    return true;
            }
            return false;
        }

        /// <summary>The values of <paramref name="connectionString"/> under a secret key; empty when it cannot be read.</summary>
        public static IReadOnlyList<string> SecretValues(string? connectionString)
        {
            var values = new List<string>();
            if (string.IsNullOrWhiteSpace(connectionString))
                return values;
            try
            {
                var pairs = new DbConnectionStringBuilder { ConnectionString = connectionString };
                foreach (string key in pairs.Keys)
                {
                    if (Secret.Any(s => Normalize(s) == Normalize(key)) && pairs[key] is string value && value.Length > 0)
                        values.Add(value);
                }
            }
            catch (ArgumentException)
            {
                // Not readable: the whole string is still hidden by the caller.
            }
            return values;
        }
    }
}
