using System;
using System.Collections.Generic;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Sql;

namespace SafeMigrations.Engine.Verifying
{
    /// <summary>
    /// The migrations verify applies without judging them: those up to <see cref="VerifyOptions.StartAfter"/>, deployed
    /// before SafeMigrations was adopted (the analyzers' <c>safe_migrations.start_after</c>, same meaning).
    /// </summary>
    internal static class DeployedMigrations
    {
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

            // A timestamp covers by itself; an id or a name only once the catalog knows it (else SM1007).
            MigrationCutoff cutoff = MigrationCutoff.Parse(value) is { IsTimestamp: true } timestamp ? timestamp : MigrationCutoff.AtMigration(catalog.Find(value).Id);
            int count = 0;
            while (count < migrations.Count && cutoff.Covers(migrations[count].Id))
                count++;
            return count;
        }
    }
}
