using System;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Tests.TestApp;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Runtime
{
    /// <summary>What the in-app API says to a context or options it cannot work with: one coded exception, with what to do.</summary>
    [Collection(PostgresCollection.Name)]
    public sealed class InAppBadInputTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public InAppBadInputTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        private sealed class NoProviderContext : DbContext
        {
        }

        private async Task<SafeMigrationsException> FailsAsync(DbContext context, SafeMigrationOptions? options = null)
        {
            var log = new CapturedLog(_output);
            if (options is not null)
                options.LoggerFactory = log.Factory;
            var failure = await Assert.ThrowsAsync<SafeMigrationsException>(() => context.Database.MigrateSafelyAsync(MigrationPhase.Expand, options));
            _output.WriteLine(failure.Message);
            Assert.StartsWith(failure.Code + ": ", failure.Message);
            Assert.DoesNotMatch(@"\n\s*at ", failure.Message);
            return failure;
        }

        [Fact]
        public async Task A_context_without_the_Npgsql_provider_gets_SM1001_saying_to_configure_UseNpgsql()
        {
            await using var context = new NoProviderContext();
            SafeMigrationsException failure = await FailsAsync(context, new SafeMigrationOptions());
            Assert.Equal(EngineCodes.Configuration, failure.Code);
            Assert.Contains("NoProviderContext has no database provider", failure.Message);
            Assert.Contains("UseNpgsql(...)", failure.Message);
        }

        [Fact]
        public async Task A_connection_string_without_a_database_gets_SM1001_and_never_shows_the_password()
        {
            const string secret = "n0t-Shown-7";
            string connection = new NpgsqlConnectionStringBuilder(_server.AdminConnectionString) { Database = null, Password = secret }.ConnectionString;
            await using ShopContext context = InAppApiTests.Context(connection);
            SafeMigrationsException failure = await FailsAsync(context, new SafeMigrationOptions());
            Assert.Equal(EngineCodes.Configuration, failure.Code);
            Assert.Contains("names no database", failure.Message);
            Assert.Contains("add Database=<name>", failure.Message);
            Assert.DoesNotContain(secret, failure.Message);
        }

        [Fact]
        public async Task An_unreachable_server_gets_SM1001_naming_the_target_without_the_password()
        {
            const string secret = "n0t-Shown-8";
            string connection = new NpgsqlConnectionStringBuilder(_server.AdminConnectionString) { Port = 1, Timeout = 3, Password = secret }.ConnectionString;
            await using ShopContext context = InAppApiTests.Context(connection);
            SafeMigrationsException failure = await FailsAsync(context, new SafeMigrationOptions());
            Assert.Equal(EngineCodes.Configuration, failure.Code);
            Assert.Contains("cannot reach host=", failure.Message);
            Assert.Contains(" port=1 ", failure.Message);
            Assert.Contains("check the connection string and that the server is reachable", failure.Message);
            Assert.DoesNotContain(secret, failure.Message);
        }

        [Fact]
        public async Task A_bad_option_or_an_unknown_target_migration_gets_a_coded_error_naming_it()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await using ShopContext context = InAppApiTests.Context(database.ConnectionString);

            SafeMigrationsException option = await FailsAsync(context, new SafeMigrationOptions { LockRetries = -1 });
            Assert.Equal(EngineCodes.Configuration, option.Code);
            Assert.Contains("SafeMigrationOptions.LockRetries must be from 0 to 1000", option.Message);

            SafeMigrationsException workers = await FailsAsync(context, new SafeMigrationOptions { BackfillWorkers = 0 });
            Assert.Equal(EngineCodes.Configuration, workers.Code);
            Assert.Contains("SafeMigrationOptions.BackfillWorkers must be from 1 to 64", workers.Message);

            SafeMigrationsException target = await FailsAsync(context, new SafeMigrationOptions { TargetMigration = "NoSuchMigration" });
            Assert.Equal(EngineCodes.NotFound, target.Code);
            Assert.Contains("no migration 'NoSuchMigration' in ShopContext", target.Message);
            Assert.NotNull(target.Result);
            Assert.Contains(target.Result!.Findings, f => f.Code == EngineCodes.NotFound);
        }
    }
}
