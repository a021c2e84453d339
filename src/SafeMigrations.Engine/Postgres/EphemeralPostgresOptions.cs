using System;
using System.Collections.Generic;

namespace SafeMigrations.Engine.Postgres
{
    /// <summary>How <see cref="EphemeralPostgres"/> creates and starts its throwaway cluster.</summary>
    public sealed class EphemeralPostgresOptions
    {
        /// <summary>Directory with initdb, pg_ctl and postgres; null finds one (see <see cref="PostgresBinaries.Find()"/>).</summary>
        public string? BinDirectory { get; set; }

        /// <summary>
        /// Parent of the cluster's temporary directory; null uses the system temp folder (or /tmp when running as
        /// root and the temp folder is not reachable by the postgres user).
        /// </summary>
        public string? BaseDirectory { get; set; }

        /// <summary>How long initdb and start-up may take before the start is abandoned (and cleaned up).</summary>
        public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(90);

        /// <summary>Extra postgresql.conf settings (name → value, written quoted), applied after the defaults.</summary>
        public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Receives one line per lifecycle event (initdb, start, stop); null logs nothing.</summary>
        public Action<string>? Log { get; set; }
    }
}
