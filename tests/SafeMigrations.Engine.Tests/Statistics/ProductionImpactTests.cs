using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using SafeMigrations.Analyzers.Rules;
using SafeMigrations.Engine.Applying;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Reporting;
using SafeMigrations.Engine.Statistics;
using SafeMigrations.Engine.Tests.TestApp;
using SafeMigrations.Engine.Verifying;
using SafeMigrations.Sql.Statistics;
using SafeMigrations.Testing.RuntimeSql;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Statistics
{
    /// <summary>
    /// The statistics snapshot used: the engine's writer and the analyzers' reader agree; the analyzers name the real
    /// row count a snapshot of the real server holds and exempt its small table; plan prints each step's estimated
    /// production impact.
    /// </summary>
    [Collection(PostgresCollection.Name)]
    public sealed class ProductionImpactTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public ProductionImpactTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public void The_engine_writer_and_the_analyzers_reader_agree_on_every_field()
        {
            var written = new StatisticsSnapshot(new DateTimeOffset(2026, 11, 30, 8, 15, 7, TimeSpan.Zero), 160004, 10, new[]
            {
                new TableEstimate("public", "Orders", 4_200_000, 1_300_000_000, 210_000_000, 12.345, 0, 1.5),
                new TableEstimate("sales", "na\"me\\é", 7, 8192, 16384, null, null, null),
            });

            StatisticsFile read = StatisticsFile.Parse(written.ToJson());

            Assert.Equal(written.TakenAt, read.TakenAt);
            Assert.Equal(written.ServerVersionNumber, read.ServerVersionNumber);
            Assert.Equal(written.IntervalSeconds, read.IntervalSeconds);
            Assert.Equal(
                written.Tables.Select(t => (t.Schema, t.Name, t.EstimatedRows, t.HeapBytes, t.IndexBytes, t.InsertsPerSecond, t.UpdatesPerSecond, t.DeletesPerSecond)),
                read.Tables.Select(t => (t.Schema, t.Name, t.EstimatedRows, t.HeapBytes, t.IndexBytes, t.InsertsPerSecond, t.UpdatesPerSecond, t.DeletesPerSecond)));
        }

        [Fact]
        public async Task A_snapshot_of_the_real_server_gives_the_analyzers_its_row_counts()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync(
                "create table \"Orders\" (id bigint generated always as identity primary key, \"CustomerId\" bigint not null, note text);" +
                "insert into \"Orders\" (\"CustomerId\", note) select g % 500, repeat('x', 40) from generate_series(1, 20000) g;" +
                "create table \"Countries\" (id int primary key, \"Code\" text);" +
                "insert into \"Countries\" select g, 'c' || g from generate_series(1, 50) g;" +
                "analyze \"Orders\"; analyze \"Countries\";");
            string path = Path.Combine(Path.GetTempPath(), "sm-impact-" + Guid.NewGuid().ToString("N"), StatisticsFile.DefaultFileName);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            try
            {
                StatisticsSnapshot taken = await new StatisticsSampler(database.ConnectionString) { Interval = TimeSpan.Zero }.TakeAsync();
                taken.Write(path);
                long orderRows = await database.ScalarAsync<long>("select count(*) from \"Orders\"");
                Assert.Equal(orderRows, taken.Find("public", "Orders")!.EstimatedRows);

                ImmutableArray<Diagnostic> diagnostics = await AnalyzeAsync(new CreateIndexNonConcurrentlyAnalyzer(), """
                    migrationBuilder.CreateIndex(name: "IX_Orders_CustomerId", table: "Orders", column: "CustomerId");
                    migrationBuilder.CreateIndex(name: "IX_Countries_Code", table: "Countries", column: "Code");
                    """, path);

                Diagnostic orders = Assert.Single(diagnostics);
                string message = orders.GetMessage();
                _output.WriteLine(message);
                Assert.Equal("SM0001", orders.Id);
                Assert.Contains("production estimate: 'Orders' has " + ProductionEstimate.Rows(orderRows) + ", ", message);
                Assert.Contains("(statistics snapshot of " + taken.TakenAt.UtcDateTime.ToString("yyyy-MM-dd") + ")", message);
                Assert.Contains("the index build takes an estimated", message);
            }
            finally
            {
                Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
            }
        }

        [Fact]
        public async Task Plan_prints_the_estimated_production_impact_of_each_step_and_a_bad_snapshot_never_stops_it()
        {
            string directory = Path.Combine(Path.GetTempPath(), "sm-impact-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            string path = Path.Combine(directory, "production.json");
            new StatisticsSnapshot(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero), 160004, 0, new[]
            {
                new TableEstimate("public", "accounts", 2_000_000, 600_000_000, 90_000_000, null, null, null),
            }).Write(path);
            try
            {
                var planned = await PlanAsync(path);
                string size = "production: 'accounts' has ~2M rows, 600 MB + 90 MB of indexes (statistics snapshot of 2026-11-30)";
                // Rewritten to CREATE INDEX CONCURRENTLY: nothing blocks for the build.
                Assert.Contains(planned, l => l.StartsWith("info: " + RuntimeSqlCases.IndexAccountRegion.Migration) && l.EndsWith(size + "; no blocking part grows with the table"));
                // A run-time UPDATE rewritten into keyset batches: no lock for the whole change; the table it creates: no line.
                Assert.Contains(planned, l => l.StartsWith("info: " + RuntimeSqlCases.ActivateAccounts.Migration) && l.EndsWith(size + "; in keyset batches, each a short transaction"));
                Assert.DoesNotContain(planned, l => l.StartsWith("info: " + RuntimeSqlCases.Accounts) && l.Contains(" production: "));
                // Two whole-table UPDATEs kept as written: the row changes are the blocking part.
                Assert.Contains(planned, l => l.StartsWith("info: " + RuntimeSqlCases.RescoreAccounts.Migration) && l.EndsWith(size + "; changing the rows takes an estimated ~10 s under the lock (600 MB at 60 MB/s, safe_migrations.write_mb_per_second) (SM0015)"));

                File.WriteAllText(path, "{ \"formatVersion\": 1, ");
                var broken = await PlanAsync(path);
                Assert.Contains(broken, l => l.StartsWith("warn: SM1001: the statistics snapshot '" + path + "' cannot be read (line 1: expected a property name in quotes)"));
                Assert.DoesNotContain(broken, l => l.Contains(" production: "));
                Assert.Contains(broken, l => l.Contains(RuntimeSqlCases.RescoreAccounts.Migration + ": 1 step(s) to run"));

                var missing = await Assert.ThrowsAsync<EngineException>(() => PlanAsync(Path.Combine(directory, "missing.json")));
                Assert.Equal(EngineCodes.Configuration, missing.Code);
                Assert.Contains("does not exist", missing.Message);

                // No snapshot given and none in the working directory: the plan as before.
                Assert.DoesNotContain(await PlanAsync(null), l => l.Contains(" production: "));
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        [Fact]
        public async Task Verify_reports_the_estimated_production_impact_of_each_traced_step()
        {
            string directory = Path.Combine(Path.GetTempPath(), "sm-impact-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(directory);
            string statistics = Path.Combine(directory, StatisticsFile.DefaultFileName);
            string report = Path.Combine(directory, "verify.md");
            new StatisticsSnapshot(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero), 160004, 0, new[]
            {
                new TableEstimate("public", "accounts", 2_000_000, 600_000_000, 90_000_000, null, null, null),
            }).Write(statistics);
            try
            {
                VerifyResult result = await MigrationVerifier.RunAsync(new VerifyOptions
                {
                    Assembly = typeof(RuntimeSqlContext).Assembly,
                    ContextName = nameof(RuntimeSqlContext),
                    ServerConnectionString = _server.AdminConnectionString,
                    Log = new Verifying.VerifyTests.CollectingLog(_output),
                    ReportPath = report,
                    StatisticsPath = statistics,
                });

                string markdown = File.ReadAllText(report);
                Assert.Contains("## Estimated production impact", markdown);
                Assert.Contains("- " + RuntimeSqlCases.RescoreAccounts.Migration + " step 1 ", markdown);
                Assert.Contains("'accounts' has ~2M rows, 600 MB + 90 MB of indexes (statistics snapshot of 2026-11-30); changing the rows takes an estimated ~10 s under the lock (600 MB at 60 MB/s, safe_migrations.write_mb_per_second) (SM0015)", markdown);
                Assert.Equal(result.Steps.Count(t => t.Round != VerifyRound.Reapply && t.Step.MigrationId != RuntimeSqlCases.Accounts), result.ProductionImpact.Count);
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        private async Task<string[]> PlanAsync(string? statistics)
        {
            var log = new EngineApplyTests.TestLog(_output);
            using var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(RuntimeSqlContext).Assembly, nameof(RuntimeSqlContext), "Host=localhost"));
            var engine = new MigrationEngine(catalog, new EngineOptions { ConnectionString = string.Empty, Log = log, StatisticsPath = statistics });
            await engine.PlanAsync();
            return log.Lines.ToArray();
        }

        /// <summary>
        /// Runs one analyzer over a migration with <paramref name="up"/> as its Up body at <paramref name="sourcePath"/>
        /// and the snapshot at <paramref name="snapshotPath"/> as an additional file, with <paramref name="config"/>'s .editorconfig keys.
        /// </summary>
        internal static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(DiagnosticAnalyzer analyzer, string up, string snapshotPath, string sourcePath = "/app/Migrations/AddIndexes.cs", AnalyzerConfigOptionsProvider? config = null)
        {
            string source = $$"""
                using Microsoft.EntityFrameworkCore;
                using Microsoft.EntityFrameworkCore.Infrastructure;
                using Microsoft.EntityFrameworkCore.Migrations;
                namespace App.Migrations
                {
                    public class AppDbContext : DbContext { }

                    [DbContext(typeof(AppDbContext))]
                    [Migration("20260101000000_AddIndexes")]
                    public partial class AddIndexes : Migration
                    {
                        protected override void Up(MigrationBuilder migrationBuilder)
                        {
                {{up}}
                        }
                    }
                }
                """;
            var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
                .Where(p => Path.GetFileName(p) is var name && (name.StartsWith("System.", StringComparison.Ordinal) || name is "netstandard.dll" or "mscorlib.dll"
                            || name.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal) || name.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal)))
                .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p));
            var compilation = CSharpCompilation.Create("Snapshot", new[] { CSharpSyntaxTree.ParseText(source, path: sourcePath) }, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
            Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
            var additional = ImmutableArray.Create<AdditionalText>(new FileText(snapshotPath));
            var options = config is null ? new AnalyzerOptions(additional) : new AnalyzerOptions(additional, config);
            return await compilation.WithAnalyzers(ImmutableArray.Create(analyzer), options).GetAnalyzerDiagnosticsAsync(CancellationToken.None);
        }

        /// <summary>An additional file as the compiler passes it: path and text from disk.</summary>
        private sealed class FileText : AdditionalText
        {
            public FileText(string path) => Path = path;

            public override string Path { get; }

            public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(File.ReadAllText(Path));
        }
    }
}
