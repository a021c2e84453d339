using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using SafeMigrations.Engine.Verifying;
using Xunit.Abstractions;

namespace SafeMigrations.Engine.Tests.Verifying
{
    /// <summary>The verify seeder against foreign keys the EF model declares before the database has them.</summary>
    [Collection(PostgresCollection.Name)]
    public sealed class TableSeederTests
    {
        private readonly PostgresServerFixture _server;
        private readonly ITestOutputHelper _output;

        public TableSeederTests(PostgresServerFixture server, ITestOutputHelper output)
        {
            _server = server;
            _output = output;
        }

        [Fact]
        public async Task Rows_seeded_before_a_composite_key_was_declared_are_repointed_and_orphans_of_an_empty_parent_are_cleared()
        {
            await using TestDatabase database = await _server.CreateDatabaseAsync();
            await database.ExecuteAsync(@"
create schema ""Lager"";
create table ""Lager"".""Regal Ö"" (zone text not null, nr int not null, primary key (zone, nr));
create table ""Fach"" (id int primary key, ""Zone X"" text not null, ""Nr X"" int not null);
-- A parent the seeder cannot fill (no value is made up for a NOT NULL point): it stays empty.
create table ""Leer"" (id int primary key, p point not null);
create table ""Kind"" (id int primary key, ""Pflicht"" int not null, ""Optional"" int);");
            await using NpgsqlConnection connection = await database.OpenAsync();
            var seeder = new TableSeeder(rowsPerRound: 20, maxRows: 100);

            // Rows from before the model declared the reference (an earlier round's made-up values) point nowhere.
            await database.ExecuteAsync("insert into \"Fach\" values (1, 'nirgends', 7), (2, 'nirgends', 8); insert into \"Kind\" values (1, 5, 6), (2, 5, null)");

            var declared = new List<DeclaredReference>
            {
                new DeclaredReference(null, "Fach", new[] { "Zone X", "Nr X" }, "Lager", "Regal Ö", new[] { "zone", "nr" }),
                new DeclaredReference("public", "Kind", new[] { "Pflicht" }, null, "Leer", new[] { "id" }),
                new DeclaredReference("public", "Kind", new[] { "Optional" }, null, "Leer", new[] { "id" }),
            };
            List<string> notes = await seeder.SeedAsync(connection, declared, CancellationToken.None);
            foreach (string note in notes)
                _output.WriteLine(note);

            // Every row of both rounds now points at a parent row: the key the migration adds next validates.
            await database.ExecuteAsync("alter table \"Fach\" add foreign key (\"Zone X\", \"Nr X\") references \"Lager\".\"Regal Ö\" (zone, nr)");
            Assert.Equal(22L, await database.ScalarAsync<long>("select count(*) from \"Fach\""));
            Assert.Contains(notes, n => n.StartsWith("\"public\".\"Fach\" (\"Zone X\", \"Nr X\") -> \"Lager\".\"Regal Ö\" (\"zone\", \"nr\"): 2 seeded value(s) pointed at parent rows"));
            // An empty parent: the nullable reference becomes NULL, rows with the required one are removed, none point nowhere.
            await database.ExecuteAsync("alter table \"Kind\" add foreign key (\"Pflicht\") references \"Leer\" (id), add foreign key (\"Optional\") references \"Leer\" (id)");
            Assert.Equal(0L, await database.ScalarAsync<long>("select count(*) from \"Kind\""));
            Assert.Contains(notes, n => n.StartsWith("\"public\".\"Kind\" (\"Pflicht\") -> \"public\".\"Leer\" (\"id\"): 2 orphan row(s) deleted"));
        }
    }
}
