using System;
using System.Text.RegularExpressions;

namespace SafeMigrations.Sql
{
    /// <summary>
    /// The last migration deployed before SafeMigrations was adopted (the analyzers' <c>safe_migrations.start_after</c>,
    /// verify's <c>--start-after</c>): a migration id (<c>20240115093000_AddOrders</c>) or a 14-digit timestamp alone. A
    /// migration is covered when its id sorts at or before the id (ordinal, as EF orders migrations), or when its
    /// timestamp is at or before the timestamp. An id only counts when it names a migration of the project: the
    /// analyzers then check everything, verify stops.
    /// </summary>
    public sealed class MigrationCutoff
    {
        private static readonly Regex Timestamp = new Regex("^[0-9]{14}$", RegexOptions.CultureInvariant);

        private MigrationCutoff(string value)
        {
            Value = value;
        }

        /// <summary>The text as written (trimmed).</summary>
        public string Value { get; }

        /// <summary>True when the value is a timestamp only (<c>yyyyMMddHHmmss</c>), not a whole id.</summary>
        public bool IsTimestamp => Timestamp.IsMatch(Value);

        /// <summary>The cutoff, or null when <paramref name="text"/> is empty or has white space inside (no id has).</summary>
        public static MigrationCutoff? Parse(string? text)
        {
            var value = text?.Trim() ?? string.Empty;
            foreach (var c in value)
            {
                if (char.IsWhiteSpace(c))
                {
                    return null;
                }
            }

            return value.Length > 0 ? new MigrationCutoff(value) : null;
        }

        /// <summary>The cutoff at a migration known to exist (its exact id).</summary>
        public static MigrationCutoff AtMigration(string id) => new MigrationCutoff(id);

        /// <summary>True when the migration <paramref name="id"/> is at or before the cutoff (already deployed).</summary>
        public bool Covers(string id) =>
            IsTimestamp
                ? id.Length >= 14 && string.CompareOrdinal(id.Substring(0, 14), Value) <= 0
                : string.CompareOrdinal(id, Value) <= 0;
    }
}
