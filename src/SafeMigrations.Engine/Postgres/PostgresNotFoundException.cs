using System;

namespace SafeMigrations.Engine.Postgres
{
    /// <summary>No PostgreSQL server binaries (initdb, pg_ctl, postgres) were found on this machine.</summary>
    public sealed class PostgresNotFoundException : Exception
    {
        /// <summary>Creates the exception with a message that lists where we looked and how to install PostgreSQL.</summary>
        public PostgresNotFoundException(string message)
            : base(message)
        {
        }
    }

    /// <summary>A throwaway PostgreSQL cluster could not be initialised or started.</summary>
    public sealed class EphemeralPostgresException : Exception
    {
        /// <summary>Creates the exception; the message carries the failing command's output or the server log tail.</summary>
        public EphemeralPostgresException(string message, Exception? inner = null)
            : base(message, inner)
        {
        }
    }
}
