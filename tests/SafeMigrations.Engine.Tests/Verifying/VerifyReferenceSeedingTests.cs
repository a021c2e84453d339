using System;
using System.Linq;
using System.Threading.Tasks;
using SafeMigrations.Engine.Verifying;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Verifying
{
    /// <summary>Seeded rows keep foreign keys EF's naming convention does not find, so verify passes a valid history.</summary>
    [Collection(PostgresCollection.Name)]
    public sealed class VerifyReferenceSeedingTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public VerifyReferenceSeedingTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task Foreign_keys_on_unconventional_columns_added_later_validate_over_seeded_rows()
        {
            var log = new VerifyTests.CollectingLog(_output);
            VerifyResult result = await MigrationVerifier.RunAsync(new VerifyOptions
            {
                Assembly = typeof(TestApp.ReferencesContext).Assembly,
                ContextName = nameof(TestApp.ReferencesContext),
                ServerConnectionString = _server.AdminConnectionString,
                Log = log,
            });

            Assert.True(result.Passed, string.Join(Environment.NewLine, result.Findings));
            Assert.Equal(3, result.Migrations.Count);
            // The referencing rows existed before each key was added, so each VALIDATE checked seeded data.
            Assert.Contains(result.Seeding, s => s.Key == "20240402000000_OrderClientKeys" && s.Value.Any(l => l.StartsWith("\"sales\".\"Orders\": 60 row(s) added", StringComparison.Ordinal)));
            // "OwnerRef" got made-up values before the context's model was the one to declare it; they were repaired.
            Assert.Contains(result.Seeding, s => s.Key == "20240403000000_OrderOwnerKey" && s.Value.Any(l => l.StartsWith("\"sales\".\"Orders\" (\"OwnerRef\") -> \"auth\".\"Nutzer Ü\" (\"Id\"):", StringComparison.Ordinal) && l.Contains("pointed at parent rows")));
            Assert.Contains(result.Steps, s => s.Step.Name.StartsWith("20240402000000_OrderClientKeys step 2", StringComparison.Ordinal) && s.Error is null);
            Assert.Contains(result.Steps, s => s.Step.Name.StartsWith("20240403000000_OrderOwnerKey step 2", StringComparison.Ordinal) && s.Error is null);
        }
    }
}
