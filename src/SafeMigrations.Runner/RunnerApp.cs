using System;
using System.IO;
using System.Reflection;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations.Runner
{
    /// <summary>
    /// The application whose migrations a command acts on: an assembly file (<c>--assembly</c>, loaded by path in the
    /// app's dependency context) or an assembly already loaded by a host (a bundle, where nothing has a path).
    /// </summary>
    internal sealed class RunnerApp
    {
        private readonly Assembly? _loaded;

        private RunnerApp(string fileName, string? path, Assembly? loaded)
        {
            FileName = fileName;
            Path = path;
            _loaded = loaded;
        }

        /// <summary>The assembly's file name, for messages.</summary>
        public string FileName { get; }

        /// <summary>Full path of the assembly file; null for an assembly a host loaded.</summary>
        public string? Path { get; }

        public static RunnerApp FromPath(string path)
        {
            string full = System.IO.Path.GetFullPath(path);
            return new RunnerApp(System.IO.Path.GetFileName(full), full, null);
        }

        public static RunnerApp FromLoaded(Assembly assembly)
            => new RunnerApp((assembly ?? throw new ArgumentNullException(nameof(assembly))).GetName().Name + ".dll", null, assembly);

        /// <summary>Creates the app's context and reads its migrations.</summary>
        public MigrationCatalog LoadCatalog(string? contextName, string connectionString)
            => _loaded is null
                ? MigrationCatalog.Load(Path!, contextName, connectionString)
                : new MigrationCatalog(DbContextLoader.Create(_loaded, contextName, connectionString));

        /// <summary>verify replays on a throwaway server from the assembly file; a bundle has none.</summary>
        public string PathForVerify()
            => Path ?? throw new EngineException(EngineCodes.Configuration, "verify does not run from a bundle: it replays the migrations on a throwaway PostgreSQL at CI time; run `dotnet safemigrations verify` (or the SafeMigrationsVerify target) on the project instead.");
    }
}
