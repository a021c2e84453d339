using System;
using System.Collections.Generic;
using System.Linq;

namespace SafeMigrations.Engine.Connections
{
    /// <summary>
    /// The last guard of every output channel (runner lines, in-app log entries and exception messages): replaces a
    /// connection string and its passwords (under whichever synonym) with <c>***</c>. Nothing prints them on purpose;
    /// this catches a provider message that echoes one, and a password equal to a printed name (the database, the user).
    /// </summary>
    public sealed class SecretScrubber
    {
        private readonly object _gate = new object();
        private readonly List<string> _secrets = new List<string>();

        /// <summary>Hides <paramref name="connectionString"/> and its passwords from now on; nothing for null or blank.</summary>
        public void Hide(string? connectionString)
        {
            if (string.IsNullOrWhiteSpace(connectionString))
                return;
            lock (_gate)
            {
                _secrets.Add(connectionString!);
                // A password of one to three characters cannot be told apart from ordinary text; nothing prints it on purpose.
                _secrets.AddRange(ConnectionTarget.Secrets(connectionString).Where(secret => secret.Length >= 4));
                // Longest first, so a password inside the whole string does not leave the rest of it behind.
                _secrets.Sort((a, b) => b.Length.CompareTo(a.Length));
            }
        }

        /// <summary><paramref name="text"/> with every hidden value replaced by <c>***</c>.</summary>
        public string Scrub(string text)
        {
            lock (_gate)
            {
                foreach (string secret in _secrets)
                    text = text.Replace(secret, "***", StringComparison.Ordinal);
                return text;
            }
        }
    }
}
