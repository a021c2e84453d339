using System;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace SafeMigrations
{
    /// <summary>
    /// The Application Name convention by which an app instance tells the contract gate which schema version it runs:
    /// <c>"&lt;app&gt; sm=&lt;latest migration id it knows&gt;"</c>, e.g. <c>shop sm=20261201120000_AddOrderStatus</c>.
    /// Ordinary application names (no <c>sm=</c> at the end) still work and are simply not versioned. The whole value
    /// fits PostgreSQL's 63-byte <c>application_name</c>: the app part is shortened first, then the id's tail.
    /// </summary>
    public static class SchemaVersionApplicationName
    {
        /// <summary>What precedes the migration id.</summary>
        public const string Marker = "sm=";

        /// <summary>PostgreSQL keeps NAMEDATALEN - 1 bytes of application_name.</summary>
        public const int MaxBytes = 63;

        private static readonly Regex Pattern = new Regex(@"(?:^|\s)sm=(?<id>\S+)$", RegexOptions.CultureInvariant);

        /// <summary>
        /// <c>"&lt;applicationName&gt; sm=&lt;migrationId&gt;"</c> cut to 63 bytes (the app part first; at least the
        /// id's 14-digit timestamp stays); just <c>"sm=&lt;migrationId&gt;"</c> without an app name.
        /// </summary>
        /// <exception cref="ArgumentException">The migration id is empty or contains white space.</exception>
        public static string Format(string? applicationName, string migrationId)
        {
            if (string.IsNullOrWhiteSpace(migrationId) || migrationId.Any(char.IsWhiteSpace))
                throw new ArgumentException($"A migration id without white space is required, not '{migrationId}'.", nameof(migrationId));
            string marker = Marker + migrationId;
            string app = (applicationName ?? string.Empty).Trim();
            int room = MaxBytes - Encoding.UTF8.GetByteCount(marker) - 1;
            if (app.Length > 0 && room > 0)
                return Cut(app, room).TrimEnd() + " " + marker;
            return Cut(marker, MaxBytes);
        }

        /// <summary>The migration id an application_name carries, or null for an ordinary name.</summary>
        public static string? Parse(string? applicationName)
        {
            Match match = Pattern.Match(applicationName ?? string.Empty);
            return match.Success ? match.Groups["id"].Value : null;
        }

        /// <summary>
        /// True when an app at <paramref name="appMigrationId"/> predates <paramref name="migrationId"/>. An id cut to
        /// fit 63 bytes (<paramref name="truncated"/>) is compared on its length only: equal there counts as not older.
        /// </summary>
        public static bool IsOlder(string appMigrationId, string migrationId, bool truncated)
        {
            if (truncated && appMigrationId.Length < migrationId.Length)
                return string.CompareOrdinal(appMigrationId, migrationId.Substring(0, appMigrationId.Length)) < 0;
            return string.CompareOrdinal(appMigrationId, migrationId) < 0;
        }

        /// <summary>
        /// The newest migration id of <typeparamref name="TContext"/> found in the context's own assembly (the
        /// <c>[DbContext]</c> + <c>[Migration]</c> attributes EF Core reads), or null when it has none there.
        /// </summary>
        public static string? LatestMigrationId<TContext>() where TContext : DbContext
            => LatestMigrationId(typeof(TContext), typeof(TContext).Assembly);

        /// <summary>The newest migration id of <paramref name="contextType"/> in <paramref name="migrationsAssembly"/>, or null.</summary>
        public static string? LatestMigrationId(Type contextType, Assembly migrationsAssembly)
        {
            if (contextType is null)
                throw new ArgumentNullException(nameof(contextType));
            if (migrationsAssembly is null)
                throw new ArgumentNullException(nameof(migrationsAssembly));
            return migrationsAssembly.GetTypes()
                .Where(t => typeof(Migration).IsAssignableFrom(t) && t.GetCustomAttribute<DbContextAttribute>()?.ContextType == contextType)
                .Select(t => t.GetCustomAttribute<MigrationAttribute>()?.Id)
                .Where(id => id is not null)
                .OrderBy(id => id, StringComparer.Ordinal)
                .LastOrDefault();
        }

        /// <summary>
        /// Sets <see cref="NpgsqlConnectionStringBuilder.ApplicationName"/> to <paramref name="applicationName"/> with
        /// the newest migration of <typeparamref name="TContext"/>, so the contract gate can tell this app version's
        /// sessions from older ones. Unchanged (the plain name) when the context has no migrations in its assembly.
        /// </summary>
        public static NpgsqlConnectionStringBuilder WithSchemaVersion<TContext>(this NpgsqlConnectionStringBuilder builder, string applicationName) where TContext : DbContext
        {
            string? latest = LatestMigrationId<TContext>();
            return latest is null ? Set(builder, applicationName) : builder.WithSchemaVersion(applicationName, latest);
        }

        /// <summary>Sets <see cref="NpgsqlConnectionStringBuilder.ApplicationName"/> to <c>"&lt;applicationName&gt; sm=&lt;migrationId&gt;"</c> (see <see cref="Format"/>).</summary>
        public static NpgsqlConnectionStringBuilder WithSchemaVersion(this NpgsqlConnectionStringBuilder builder, string applicationName, string migrationId)
            => Set(builder, Format(applicationName, migrationId));

        private static NpgsqlConnectionStringBuilder Set(NpgsqlConnectionStringBuilder builder, string applicationName)
        {
            if (builder is null)
                throw new ArgumentNullException(nameof(builder));
            builder.ApplicationName = applicationName;
            return builder;
        }

        private static string Cut(string text, int maxBytes)
        {
            if (Encoding.UTF8.GetByteCount(text) <= maxBytes)
                return text;
            var cut = new StringBuilder();
            int bytes = 0;
            foreach (Rune rune in text.EnumerateRunes())
            {
                if (bytes + rune.Utf8SequenceLength > maxBytes)
                    break;
                cut.Append(rune.ToString());
                bytes += rune.Utf8SequenceLength;
            }
            return cut.ToString();
        }
    }
}
