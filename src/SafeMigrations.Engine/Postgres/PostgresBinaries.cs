using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace SafeMigrations.Engine.Postgres
{
    /// <summary>Locates a directory holding PostgreSQL server binaries (initdb, pg_ctl, postgres).</summary>
    public static class PostgresBinaries
    {
        /// <summary>Environment variable naming the binaries directory explicitly; it wins over every other place.</summary>
        public const string BinDirectoryVariable = "PG_BIN";

        private static readonly string[] Required = { "initdb", "pg_ctl", "postgres" };

        /// <summary>
        /// Returns the first directory that holds all three server binaries, looking at <c>PG_BIN</c>, PATH,
        /// <c>/usr/lib/postgresql/&lt;version&gt;/bin</c> (newest first), <c>/usr/local/pgsql/bin</c>, Homebrew and
        /// Windows install folders.
        /// </summary>
        /// <exception cref="PostgresNotFoundException">None was found; the message says how to install PostgreSQL.</exception>
        public static string Find()
        {
            return Find(Environment.GetEnvironmentVariable(BinDirectoryVariable), Environment.GetEnvironmentVariable("PATH"), searchInstallFolders: true);
        }

        internal static string Find(string? explicitDirectory, string? path, bool searchInstallFolders)
        {
            List<string> searched = new List<string>();
            foreach (string directory in CandidateDirectories(explicitDirectory, path, searchInstallFolders))
            {
                searched.Add(directory);
                if (HasServerBinaries(directory))
                    return directory;
            }

            string hint = !string.IsNullOrWhiteSpace(explicitDirectory)
                ? $"{BinDirectoryVariable} is set to '{explicitDirectory}' but initdb, pg_ctl and postgres are not all there. "
                : string.Empty;
            throw new PostgresNotFoundException(
                "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found. " + hint +
                "Install the PostgreSQL server: 'sudo apt-get install postgresql' (Debian/Ubuntu), " +
                "'sudo dnf install postgresql-server' (Fedora/RHEL), 'brew install postgresql' (macOS), " +
                "or the installer from https://www.postgresql.org/download/ (Windows); " +
                $"or set {BinDirectoryVariable} to the directory that holds initdb. " +
                "Alternatively pass a connection string to an existing server. Searched: " +
                string.Join(", ", searched.Distinct()));
        }

        /// <summary>True when <paramref name="directory"/> holds initdb, pg_ctl and postgres.</summary>
        public static bool HasServerBinaries(string directory)
        {
            return Directory.Exists(directory) && Required.All(name => File.Exists(Path.Combine(directory, ExecutableName(name))));
        }

        internal static string ExecutableName(string name)
        {
            return RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? name + ".exe" : name;
        }

        private static IEnumerable<string> CandidateDirectories(string? explicitDirectory, string? path, bool searchInstallFolders)
        {
            if (!string.IsNullOrWhiteSpace(explicitDirectory))
                yield return explicitDirectory!;

            foreach (string entry in (path ?? string.Empty).Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
                yield return entry;
            if (!searchInstallFolders)
                yield break;

            // Debian/Ubuntu keep server binaries off PATH, one folder per major version.
            foreach (string directory in VersionedDirectories("/usr/lib/postgresql", "bin"))
                yield return directory;
            yield return "/usr/local/pgsql/bin";
            foreach (string directory in VersionedDirectories("/usr", "bin", "pgsql-"))
                yield return directory;
            foreach (string directory in VersionedDirectories("/opt/homebrew/opt", "bin", "postgresql@"))
                yield return directory;
            yield return "/opt/homebrew/opt/postgresql/bin";
            foreach (string directory in VersionedDirectories("/usr/local/opt", "bin", "postgresql@"))
                yield return directory;
            yield return "/usr/local/opt/postgresql/bin";

            string programFiles = Environment.GetFolderPath(Environment.SpecialFolder.ProgramFiles);
            if (!string.IsNullOrEmpty(programFiles))
            {
                foreach (string directory in VersionedDirectories(Path.Combine(programFiles, "PostgreSQL"), "bin"))
                    yield return directory;
            }
        }

        /// <summary>Subfolders of <paramref name="root"/> named by a version (after a prefix), newest version first.</summary>
        private static IEnumerable<string> VersionedDirectories(string root, string leaf, string prefix = "")
        {
            if (!Directory.Exists(root))
                return Array.Empty<string>();
            try
            {
                return Directory.GetDirectories(root)
                    .Select(directory => (directory, version: ParseVersion(Path.GetFileName(directory), prefix)))
                    .Where(entry => entry.version is not null)
                    .OrderByDescending(entry => entry.version)
                    .Select(entry => Path.Combine(entry.directory, leaf))
                    .ToList();
            }
            catch (IOException)
            {
                return Array.Empty<string>();
            }
            catch (UnauthorizedAccessException)
            {
                return Array.Empty<string>();
            }
        }

        private static Version? ParseVersion(string name, string prefix)
        {
            if (!name.StartsWith(prefix, StringComparison.Ordinal))
                return null;
            string text = name.Substring(prefix.Length);
            if (int.TryParse(text, out int major))
                return new Version(major, 0);
            return Version.TryParse(text, out Version? version) ? version : null;
        }
    }
}
