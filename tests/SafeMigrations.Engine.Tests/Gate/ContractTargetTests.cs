using System.Linq;
using SafeMigrations.Engine.Gate;
using SafeMigrations.Engine.Loading;
using SafeMigrations.Engine.Planning;
using Xunit;

namespace SafeMigrations.Engine.Tests.Gate
{
    /// <summary>What the gate checks: the names a contract takes away, found in the plan; and how statements and application names are read.</summary>
    public sealed class ContractTargetTests
    {
        [Fact]
        public void Targets_are_the_names_the_contract_takes_away_and_not_the_ones_that_live_on()
        {
            using var catalog = new MigrationCatalog(DbContextLoader.Create(typeof(GateTargetsContext).Assembly, nameof(GateTargetsContext), "Host=localhost"));
            MigrationPlan plan = new MigrationPlanner(catalog).Plan(catalog.Find("Everything"));

            var targets = ContractTarget.Find(plan.ContractSteps).Select(t => $"{t.Display} {t.Change}").ToList();

            Assert.Equal(new[]
            {
                "\"orders\".\"state\" dropped",
                "\"orders\".\"total_old\" dropped",
                "\"shop\".\"purchases\" dropped (view under the old name)",
                "\"orders\".\"note\" dropped",
                "\"Legacy\" dropped",
                "\"items\" renamed away",
                "\"orders\".\"amount\" swapped out",
                "\"orders\".\"amount_new\" renamed away",
                "\"orders\".\"code\" no longer synced",
            }, targets);
            Assert.True(ContractTarget.Find(plan.ContractSteps).Single(t => t.Column == "amount").NameLivesOn);
            Assert.Empty(ContractTarget.Find(plan.ExpandSteps));
        }

        private static readonly ContractTarget Status = Target(null, "orders", "status");

        private static ContractTarget Target(string? schema, string table, string? column)
            => ContractTarget.Find(new[] { Step(column is null ? $"DROP TABLE {SqlIdentifier.Qualify(schema, table)}" : $"ALTER TABLE {SqlIdentifier.Qualify(schema, table)} DROP COLUMN {SqlIdentifier.Quote(column)}") }).Single();

        private static PlanStep Step(string sql) => new PlanStep("m", MigrationPhase.Contract, "sql", "sql", sql, StepTransaction.Own, "lock");

        [Theory]
        [InlineData("SELECT o.id, o.status FROM orders AS o WHERE o.id = $1")]
        [InlineData("SELECT \"status\" FROM \"orders\" WHERE id = $1")]
        [InlineData("UPDATE public.orders SET status = $1 WHERE id = $2")]
        [InlineData("INSERT INTO orders (state, status) VALUES ($1, $2)")]
        [InlineData("WITH x AS (SELECT status FROM orders) SELECT count(*) FROM x")]
        [InlineData("DELETE FROM orders WHERE orders.status = $1")]
        public void A_statement_naming_the_column_and_its_table_references_it(string query)
        {
            Assert.True(StatementReferences.References(query, Status), query);
        }

        [Theory]
        [InlineData("SELECT id, state FROM orders WHERE id = $1")] // another column
        [InlineData("SELECT \"Status\" FROM orders")] // quoted: another name
        [InlineData("SELECT status FROM shipments")] // same column name, other table
        [InlineData("SELECT id FROM orders WHERE note = 'status'")] // a literal
        [InlineData("SELECT id /* status */ FROM orders")] // a comment
        [InlineData("SELECT * FROM orders")] // no name: a dropped column does not break it
        [InlineData("ALTER TABLE orders DROP COLUMN status")] // the migration's own DDL
        [InlineData("CREATE OR REPLACE FUNCTION sync() RETURNS trigger AS $$ BEGIN NEW.status := NEW.state; RETURN NEW; END $$ LANGUAGE plpgsql")]
        [InlineData("DO $$ BEGIN PERFORM status FROM orders; END $$")]
        [InlineData("SELECT status(id) FROM orders")] // a function
        public void Look_alikes_do_not_reference_it(string query)
        {
            Assert.False(StatementReferences.References(query, Status), query);
        }

        [Fact]
        public void A_qualified_table_counts_only_in_the_targets_schema()
        {
            ContractTarget shopOrders = Target("shop", "orders", null);
            Assert.True(StatementReferences.References("SELECT id FROM shop.orders", shopOrders));
            Assert.True(StatementReferences.References("SELECT id FROM orders", shopOrders)); // through the search_path
            Assert.False(StatementReferences.References("SELECT id FROM archive.orders", shopOrders));
            Assert.True(StatementReferences.References("SELECT id FROM \"Legacy\"", Target(null, "Legacy", null)));
            Assert.False(StatementReferences.References("SELECT id FROM legacy", Target(null, "Legacy", null))); // folds to legacy
        }

        [Fact]
        public void Application_names_carry_the_schema_version_within_63_bytes()
        {
            Assert.Equal("shop sm=20250302000000_DropStatus", SchemaVersionApplicationName.Format("shop", "20250302000000_DropStatus"));
            Assert.Equal("sm=20250302000000_DropStatus", SchemaVersionApplicationName.Format(null, "20250302000000_DropStatus"));
            Assert.Equal("20250302000000_DropStatus", SchemaVersionApplicationName.Parse("shop sm=20250302000000_DropStatus"));
            Assert.Null(SchemaVersionApplicationName.Parse("shop"));
            Assert.Null(SchemaVersionApplicationName.Parse("psql"));
            Assert.Null(SchemaVersionApplicationName.Parse("prism=3"));

            string longId = "20250302000000_" + new string('X', 60);
            string formatted = SchemaVersionApplicationName.Format("a-very-long-application-name-that-takes-room", longId);
            Assert.Equal(63, System.Text.Encoding.UTF8.GetByteCount(formatted));
            string parsed = SchemaVersionApplicationName.Parse(formatted)!;
            Assert.StartsWith("20250302000000_", parsed);
            Assert.False(SchemaVersionApplicationName.IsOlder(parsed, longId, truncated: true));
            Assert.True(SchemaVersionApplicationName.IsOlder(parsed, "20250303000000_Next", truncated: true));

            string shortened = SchemaVersionApplicationName.Format(new string('ä', 40), "20250302000000_DropStatus");
            Assert.True(System.Text.Encoding.UTF8.GetByteCount(shortened) <= 63);
            Assert.EndsWith(" sm=20250302000000_DropStatus", shortened);

            Assert.True(SchemaVersionApplicationName.IsOlder("20250301000000_Orders", "20250302000000_DropStatus", truncated: false));
            Assert.False(SchemaVersionApplicationName.IsOlder("20250302000000_DropStatus", "20250302000000_DropStatus", truncated: false));
            Assert.Equal("20250302000000_DropStatus", SchemaVersionApplicationName.LatestMigrationId<GateContext>());
        }
    }
}
