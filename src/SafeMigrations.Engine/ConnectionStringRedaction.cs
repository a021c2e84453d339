using System;
using System.Data.Common;
using System.Text;

namespace SafeMigrations.Engine
{
    /// <summary>Renders connection strings for logs and reports without their secrets.</summary>
    public static class ConnectionStringRedaction
    {
        /// <summary>
        /// Returns <paramref name="connectionString"/> with every password removed (<c>Password</c>, <c>Pwd</c>,
        /// <c>SSL Password</c>, and the password part of a <c>postgres://user:password@host</c> URI). Never throws:
        /// text that cannot be parsed is replaced by a placeholder rather than risk printing a secret.
        /// </summary>
        public static string ForLog(string? connectionString)
        {
            if (string.IsNullOrWhiteSpace(connectionString))
                return string.Empty;
            string text = connectionString!.Trim();

            if (text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) ||
                text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
                return RedactUri(text);

            try
            {
                var parsed = new DbConnectionStringBuilder { ConnectionString = text };
                var kept = new DbConnectionStringBuilder();
                foreach (string key in parsed.Keys)
                {
                    if (!IsSecretKey(key))
                        kept[key] = parsed[key];
                }
                return kept.ConnectionString;
            }
            catch (ArgumentException)
            {
                return "<unparsable connection string>";
            }
        }

        private static bool IsSecretKey(string key)
        {
            string compact = key.Replace(" ", string.Empty);
            return compact.IndexOf("password", StringComparison.OrdinalIgnoreCase) >= 0 ||
                   compact.Equals("pwd", StringComparison.OrdinalIgnoreCase);
        }

        private static string RedactUri(string uri)
        {
            int schemeEnd = uri.IndexOf("://", StringComparison.Ordinal) + 3;
            int authorityEnd = uri.IndexOfAny(new[] { '/', '?' }, schemeEnd);
            string authority = authorityEnd < 0 ? uri.Substring(schemeEnd) : uri.Substring(schemeEnd, authorityEnd - schemeEnd);
            string rest = authorityEnd < 0 ? string.Empty : uri.Substring(authorityEnd);

            // user:password@host — the last '@' ends the user info (a password may contain '@').
            int at = authority.LastIndexOf('@');
            if (at >= 0)
            {
                string userInfo = authority.Substring(0, at);
                int colon = userInfo.IndexOf(':');
                if (colon >= 0)
                    authority = userInfo.Substring(0, colon) + authority.Substring(at);
            }

            var result = new StringBuilder(uri.Substring(0, schemeEnd)).Append(authority);
            int query = rest.IndexOf('?');
            if (query < 0)
                return result.Append(rest).ToString();
            result.Append(rest, 0, query + 1);
            string[] pairs = rest.Substring(query + 1).Split('&');
            bool first = true;
            foreach (string pair in pairs)
            {
                int eq = pair.IndexOf('=');
                string key = Uri.UnescapeDataString(eq < 0 ? pair : pair.Substring(0, eq));
                if (IsSecretKey(key))
                    continue;
                if (!first)
                    result.Append('&');
                result.Append(pair);
                first = false;
            }
            return result.ToString().TrimEnd('?');
        }
    }
}
