using System;
using System.Reflection;
using SafeMigrations.Engine.Postgres;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations.Engine.Verifying
{
    /// <summary>Settings of a verify run.</summary>
    public sealed class VerifyOptions
    {
        /// <summary>Path of the app's built assembly (its migrations and DbContext). Either this or <see cref="Assembly"/>.</summary>
        public string? AssemblyPath { get; set; }

        /// <summary>The app's assembly when it is already loaded (tests); wins over <see cref="AssemblyPath"/>.</summary>
        public Assembly? Assembly { get; set; }

        /// <summary>DbContext name when the assembly has several.</summary>
        public string? ContextName { get; set; }

        /// <summary>
        /// Connection string of a server to verify on: a throwaway database is created there and dropped afterwards
        /// (the user needs CREATEDB). Null starts a throwaway PostgreSQL cluster from local binaries instead.
        /// </summary>
        public string? ServerConnectionString { get; set; }

        /// <summary>Last migration to verify (id or name); null for all.</summary>
        public string? Target { get; set; }

        /// <summary>
        /// The last migration deployed before SafeMigrations was adopted (id, name, or a 14-digit <c>yyyyMMddHHmmss</c>
        /// timestamp), as the analyzers' <c>safe_migrations.start_after</c>: it and those before it are applied without
        /// being traced or judged; only later ones are verified. Null verifies every migration.
        /// </summary>
        public string? StartAfter { get; set; }

        /// <summary>Longest a step may hold a lock that blocks reads or writes on a pre-existing table. Default 100 ms.</summary>
        public TimeSpan LockBudget { get; set; } = TimeSpan.FromMilliseconds(100);

        /// <summary>lock_timeout of the engine's blocking steps. Default 2 s.</summary>
        public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(2);

        /// <summary>
        /// Share (0 to 1] of a pre-existing table's seeded rows that one step may update or delete (or insert from it)
        /// in one transaction before verify fails with SM1015. Default 0.5.
        /// </summary>
        public double DataChangeShare { get; set; } = 0.5;

        /// <summary>Rows added to every existing table before each migration. Default 60.</summary>
        public int SeedRowsPerMigration { get; set; } = 60;

        /// <summary>No table is seeded beyond this many rows. Default 200.</summary>
        public int MaxSeedRowsPerTable { get; set; } = 200;

        /// <summary>How often the executor's locks are sampled while a step runs. Default 5 ms.</summary>
        public TimeSpan SampleInterval { get; set; } = TimeSpan.FromMilliseconds(5);

        /// <summary>
        /// The session TimeZone every replay connection uses. Default <see cref="DefaultSessionTimeZone"/>, deliberately not
        /// UTC: timestamp ↔ timestamptz is rewrite-free only under UTC, and a throwaway server that happens to run in UTC
        /// must not pass a migration that rewrites (and shifts the instants of) every row on a production server that does
        /// not. Set it to the zone production sessions really use; a migration that sets TimeZone itself is unaffected.
        /// </summary>
        public string SessionTimeZone { get; set; } = DefaultSessionTimeZone;

        /// <summary>The replay's TimeZone when none is given: a zone whose offset is never 0.</summary>
        public const string DefaultSessionTimeZone = "Europe/Berlin";

        /// <summary>Markdown report path, or null.</summary>
        public string? ReportPath { get; set; }

        /// <summary>SARIF 2.1.0 report path, or null.</summary>
        public string? SarifPath { get; set; }

        /// <summary>The statistics snapshot for the report's estimated production impact; null for safemigrations.stats.json in the working directory when it exists.</summary>
        public string? StatisticsPath { get; set; }

        /// <summary>Settings of the throwaway cluster (binaries, base directory).</summary>
        public EphemeralPostgresOptions? Ephemeral { get; set; }

        /// <summary>Where messages go.</summary>
        public IEngineLog Log { get; set; } = NullEngineLog.Instance;
    }
}
