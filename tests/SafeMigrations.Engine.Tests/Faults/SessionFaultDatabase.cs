using System;
using System.Threading.Tasks;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Tests.TestApp;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Faults
{
    /// <summary>The session fault tests' database: the test app's Initial migration applied and customers to backfill.</summary>
    internal static class SessionFaultDatabase
    {
        /// <summary>Customers, every third with a NULL email that Hardening's backfill sets to ''.</summary>
        public static async Task<TestDatabase> CreateAsync(PostgresServerFixture server, ITestOutputHelper output, int customers = 30000)
        {
            TestDatabase database = await server.CreateDatabaseAsync();
            var (engine, catalog) = Engine(database.ConnectionString, output, "Initial");
            using (catalog)
                await engine.ApplyAsync();
            await database.ExecuteAsync($@"
insert into customers (name, email) select 'c' || g, case when g % 3 = 0 then null else 'c' || g || '@x' end from generate_series(1, {customers}) g;
insert into orders (customer_id, total) select 1 + g % {customers}, g % 500 from generate_series(1, 100) g;
analyze customers; analyze orders;");
            return database;
        }

        public static (MigrationEngine Engine, MigrationCatalog Catalog) Engine(string connectionString, ITestOutputHelper output, string target, Action<EngineOptions>? configure = null, EngineApplyTests.TestLog? log = null)
        {
            var options = new EngineOptions
            {
                ConnectionString = connectionString,
                Target = target,
                Log = log ?? new EngineApplyTests.TestLog(output),
                LockTimeout = TimeSpan.FromMilliseconds(500),
                InitialBackoff = TimeSpan.FromMilliseconds(50),
            };
            configure?.Invoke(options);
            var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(ShopContext).Assembly, nameof(ShopContext), connectionString));
            return (new MigrationEngine(catalog, options), catalog);
        }

        /// <summary>An independent recompute of what the backfill must leave: every customer's id, name and email, NULL emails as ''.</summary>
        public static Task<string?> ExpectedAfterBackfillAsync(TestDatabase database)
            => database.ScalarAsync<string>("select md5(string_agg(id || ':' || name || ':' || coalesce(email, ''), ',' order by id)) from customers");

        /// <summary>The same fingerprint of the table as it is.</summary>
        public static Task<string?> ActualAsync(TestDatabase database)
            => database.ScalarAsync<string>("select md5(string_agg(id || ':' || name || ':' || email, ',' order by id)) from customers");
    }
}
