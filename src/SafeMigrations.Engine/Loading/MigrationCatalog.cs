using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations.Engine.Loading
{
    /// <summary>One migration of the application, in id order.</summary>
    public sealed class MigrationInfo
    {
        internal MigrationInfo(string id, TypeInfo type)
        {
            Id = id;
            Type = type;
        }

        /// <summary>EF migration id, e.g. <c>20240101120000_AddOrders</c>.</summary>
        public string Id { get; }

        /// <summary>The name part of the id (after the timestamp).</summary>
        public string Name => Id.IndexOf('_') is int i && i >= 0 ? Id.Substring(i + 1) : Id;

        /// <summary>The migration class.</summary>
        public TypeInfo Type { get; }

        /// <inheritdoc />
        public override string ToString() => Id;
    }

    /// <summary>
    /// The application's migrations and the EF services that turn them into SQL, read through the DbContext's own
    /// service provider (as EF's Migrator does), so the app's EF Core and Npgsql versions decide the SQL.
    /// </summary>
    public sealed class MigrationCatalog : IDisposable
    {
        private readonly IMigrationsAssembly _migrationsAssembly;
        private readonly IMigrationsSqlGenerator _sqlGenerator;
        private readonly IHistoryRepository _historyRepository;
        private readonly IModelRuntimeInitializer _modelRuntimeInitializer;
        private readonly bool _ownsContext;

        /// <summary>Reads the services of <paramref name="context"/>; disposing the catalog disposes the context when <paramref name="ownsContext"/>.</summary>
        public MigrationCatalog(DbContext context, bool ownsContext = true)
        {
            Context = context ?? throw new ArgumentNullException(nameof(context));
            _ownsContext = ownsContext;
            _migrationsAssembly = context.GetService<IMigrationsAssembly>();
            _sqlGenerator = context.GetService<IMigrationsSqlGenerator>();
            _historyRepository = context.GetService<IHistoryRepository>();
            _modelRuntimeInitializer = context.GetService<IModelRuntimeInitializer>();
            ProviderName = context.Database.ProviderName ?? string.Empty;
            Migrations = _migrationsAssembly.Migrations
                .OrderBy(pair => pair.Key, StringComparer.Ordinal)
                .Select(pair => new MigrationInfo(pair.Key, pair.Value))
                .ToList();
            ProductVersion = ReadProductVersion();
        }

        /// <summary>Loads the app assembly and creates its context (see <see cref="DbContextLoader"/>).</summary>
        public static MigrationCatalog Load(string assemblyPath, string? contextName, string connectionString)
            => new MigrationCatalog(DbContextLoader.Create(assemblyPath, contextName, connectionString));

        /// <summary>The application's context.</summary>
        public DbContext Context { get; }

        /// <summary>The EF provider's name, written into created migrations as EF does.</summary>
        public string ProviderName { get; }

        /// <summary>EF Core's version, as EF writes it into the history table.</summary>
        public string ProductVersion { get; }

        /// <summary>Every migration of the context, in id order.</summary>
        public IReadOnlyList<MigrationInfo> Migrations { get; }

        /// <summary>Creates the migration object (fresh operations each call).</summary>
        public Migration Create(MigrationInfo migration) => _migrationsAssembly.CreateMigration(migration.Type, ProviderName);

        /// <summary>The migration's target model, finalized and initialized as EF's Migrator does, or null.</summary>
        public IModel? TargetModel(Migration migration)
        {
            IModel? model = migration.TargetModel;
            if (model is null)
                return null;
            if (model is IMutableModel mutable)
                model = mutable.FinalizeModel();
            return _modelRuntimeInitializer.Initialize(model, designTime: true, validationLogger: null);
        }

        /// <summary>The provider's commands for <paramref name="operations"/>.</summary>
        public IReadOnlyList<MigrationCommand> GenerateSql(IReadOnlyList<MigrationOperation> operations, IModel? model)
            => _sqlGenerator.Generate(operations, model, MigrationsSqlGenerationOptions.Default);

        /// <summary>SQL creating the history table when missing.</summary>
        public string HistoryCreateIfNotExistsSql => _historyRepository.GetCreateIfNotExistsScript();

        /// <summary>SQL inserting the history row of <paramref name="migrationId"/>.</summary>
        public string HistoryInsertSql(string migrationId) => _historyRepository.GetInsertScript(new HistoryRow(migrationId, ProductVersion));

        /// <summary>SQL deleting the history row of <paramref name="migrationId"/>.</summary>
        public string HistoryDeleteSql(string migrationId) => _historyRepository.GetDeleteScript(migrationId);

        /// <summary>Ids in the history table (empty when it does not exist), read through the app's context.</summary>
        public IReadOnlyCollection<string> AppliedMigrationIds()
            => _historyRepository.Exists()
                ? new HashSet<string>(_historyRepository.GetAppliedMigrations().Select(r => r.MigrationId), StringComparer.Ordinal)
                : new HashSet<string>(StringComparer.Ordinal);

        /// <summary>
        /// Finds a migration by id or by name (the part after the timestamp), as <c>dotnet ef database update</c> does.
        /// </summary>
        /// <exception cref="EngineException">SM1007 when nothing or more than one migration matches.</exception>
        public MigrationInfo Find(string idOrName)
        {
            var matches = Migrations.Where(m => string.Equals(m.Id, idOrName, StringComparison.OrdinalIgnoreCase)).ToList();
            if (matches.Count == 0)
                matches = Migrations.Where(m => string.Equals(m.Name, idOrName, StringComparison.OrdinalIgnoreCase)).ToList();
            if (matches.Count == 1)
                return matches[0];
            string known = Migrations.Count == 0 ? "none" : string.Join(", ", Migrations.Select(m => m.Id));
            throw new EngineException(EngineCodes.NotFound, $"{(matches.Count == 0 ? "no" : "more than one")} migration '{idOrName}' in {Context.GetType().Name}; the migrations are: {known}.");
        }

        private static string ReadProductVersion()
        {
            string? version = typeof(DbContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            if (string.IsNullOrEmpty(version))
                return typeof(DbContext).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
            int plus = version!.IndexOf('+');
            return plus < 0 ? version : version.Substring(0, plus);
        }

        /// <inheritdoc />
        public void Dispose()
        {
            if (_ownsContext)
                Context.Dispose();
        }
    }
}
