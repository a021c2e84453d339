using System;
using System.Text.RegularExpressions;

namespace SafeMigrations.Analyzers.Infrastructure
{
    /// <summary>
    /// The value of <c>safe_migrations.start_after</c>: a migration id (<c>20240115093000_AddOrders</c>) or its
    /// 14-digit timestamp alone. A migration is covered when its id sorts at or before the id (ordinal, as EF orders
    /// migrations), or when its timestamp is at or before the timestamp.
    /// </summary>
    public sealed class MigrationCutoff
    {
        // EF's ids: yyyyMMddHHmmss, then _ and the migration's name.
        private static readonly Regex Shape = new Regex(@"^[0-9]{14}(_[^\s]+)?$", RegexOptions.CultureInvariant);

        private MigrationCutoff(string value)
        {
            Value = value;
        }

        /// <summary>The text as written (trimmed).</summary>
        public string Value { get; }

        /// <summary>True when the value is a timestamp only, not a whole id.</summary>
        public bool IsTimestamp => Value.Length == 14;

        /// <summary>The cutoff, or null when <paramref name="text"/> is neither an id nor a timestamp.</summary>
        public static MigrationCutoff? Parse(string? text)
        {
            var value = text?.Trim() ?? string.Empty;
            return Shape.IsMatch(value) ? new MigrationCutoff(value) : null;
        }

        /// <summary>True when the migration <paramref name="id"/> is at or before the cutoff (already deployed).</summary>
        public bool Covers(string id) =>
            IsTimestamp
                ? id.Length >= 14 && string.CompareOrdinal(id.Substring(0, 14), Value) <= 0
                : string.CompareOrdinal(id, Value) <= 0;
    }
}
