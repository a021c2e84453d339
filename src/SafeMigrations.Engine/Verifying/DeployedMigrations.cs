using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using SafeMigrations.Engine.Loading;

namespace SafeMigrations.Engine.Verifying
{
    /// <summary>
    /// The migrations verify applies without judging them: those up to <see cref="VerifyOptions.StartAfter"/>, deployed
    /// before SafeMigrations was adopted (the analyzers' <c>safe_migrations.start_after</c>, same meaning).
    /// </summary>
    internal static class DeployedMigrations
    {
        private static readonly Regex Timestamp = new Regex("^[0-9]{14}$", RegexOptions.CultureInvariant);

        /// <summary>
        /// How many of <paramref name="migrations"/> (in order) are covered: the id or name <paramref name="startAfter"/>
        /// and those before it, or, for a 14-digit timestamp, those of that second and before. 0 when not set; an id or
        /// name that is no migration is SM1007 (NotFound) with the list of ids.
        /// </summary>
        public static int Count(MigrationCatalog catalog, IReadOnlyList<MigrationInfo> migrations, string? startAfter)
        {
            string value = startAfter?.Trim() ?? string.Empty;
            if (value.Length == 0)
                return 0;

            Func<MigrationInfo, bool> covered;
            if (Timestamp.IsMatch(value))
            {
                covered = m => m.Id.Length >= 14 && string.CompareOrdinal(m.Id.Substring(0, 14), value) <= 0;
            }
            else
            {
                string last = catalog.Find(value).Id;
                covered = m => string.CompareOrdinal(m.Id, last) <= 0;
            }

            int count = 0;
            while (count < migrations.Count && covered(migrations[count]))
                count++;
            return count;
        }
    }
}
