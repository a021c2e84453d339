using System;
using System.Collections.Generic;
using System.Linq;
using SafeMigrations.Build;
using SafeMigrations.Engine.Connections;
using SafeMigrations.Engine.Reporting;

namespace SafeMigrations.Engine.Tests.Connections
{
    public sealed class ConnectionTargetTests
    {
        private const string Canary = "CANARY-7f3a";

        public static IEnumerable<object[]> PasswordKeywords() => NpgsqlKeywords.PasswordKeywords().Select(k => new object[] { k });

        [Fact]
        public void Every_password_synonym_is_found_by_reflection()
        {
            // Guards the theory below: a reflection that found nothing would make it pass vacuously.
            Assert.Contains("PSW", NpgsqlKeywords.PasswordKeywords(), StringComparer.OrdinalIgnoreCase);
            Assert.Contains("PWD", NpgsqlKeywords.PasswordKeywords(), StringComparer.OrdinalIgnoreCase);
            Assert.Contains("SSL Password", NpgsqlKeywords.PasswordKeywords(), StringComparer.OrdinalIgnoreCase);
        }

        [Theory]
        [MemberData(nameof(PasswordKeywords))]
        public void The_description_is_host_port_database_user_and_ssl_mode_only(string passwordKey)
        {
            string connection = $"Server=db.internal;Port=6543;DB=shop;User Id=app;{passwordKey}={Canary};SSL Mode=Require;Application Name={Canary}x";

            Assert.Equal("host=db.internal port=6543 database=shop user=app ssl=Require", ConnectionTarget.Describe(connection));
            Assert.Equal("host=db.internal port=6543 database=shop user=app ssl=Require", ConnectionTarget.Parse(connection).ToString());
            Assert.Contains(Canary, ConnectionTarget.Secrets(connection));
        }

        [Fact]
        public void Values_that_are_not_one_word_are_quoted()
        {
            Assert.Equal("host=db port=5432 database=\"my shop\" user=\"a\"\"b\" ssl=Prefer", ConnectionTarget.Describe("Host=db;Database='my shop';Username='a\"b'"));
        }

        [Theory]
        [InlineData("Host=db;Database=shop;Passwrod=" + Canary, "'passwrod'", "did you mean 'Password'")]
        [InlineData("Host=db;Database=shop;Port=" + Canary, "'port'", "not one Npgsql can read")]
        [InlineData("Host=db;Database=shop;Pooling=" + Canary, "'pooling'", "not one Npgsql can read")]
        [InlineData("Host=db;Database=shop;Password='" + Canary, "not a list of Key=Value pairs", "quotes")]
        [InlineData("Host=db;" + Canary + ";Database=shop", "a key that is not a keyword", "fix or remove it")]
        [InlineData("Host=db;Database=shop;" + Canary + "=x", "a key that is not a keyword", "fix or remove it")]
        [InlineData("postgres://app:" + Canary + "@db:5432/shop", "URI", "Host=<host>;Port=<port>;Database=<database>")]
        [InlineData("postgresql://app:" + Canary + "@db/shop?sslmode=require", "URI", "SSL Mode=Require")]
        public void A_string_that_cannot_be_read_is_refused_in_words_without_its_values(string connection, string what, string todo)
        {
            var refused = Assert.Throws<EngineException>(() => ConnectionTarget.Parse(connection));

            Assert.Equal(EngineCodes.Configuration, refused.Code);
            Assert.Contains(what, refused.Message);
            Assert.Contains(todo, refused.Message);
            Assert.DoesNotContain(Canary, refused.Message);
            Assert.Equal(ConnectionTarget.Unreadable, ConnectionTarget.Describe(connection));
            Assert.Empty(ConnectionTarget.Secrets(connection));
        }

        [Theory]
        [InlineData("Host=db;Username=app;Password=" + Canary)]
        [InlineData("Host=db")]
        [InlineData("Host=db;Database=;Username=app")]
        public void A_string_without_a_database_is_refused_with_how_to_pass_it(string connection)
        {
            var refused = Assert.Throws<EngineException>(() => ConnectionTarget.Parse(connection));

            Assert.Equal(EngineCodes.Configuration, refused.Code);
            Assert.Contains("names no database", refused.Message);
            Assert.Contains("SAFEMIGRATIONS_CONNECTION", refused.Message);
            Assert.Contains("%3B", refused.Message);
            Assert.Contains("host=db", refused.Message);
            Assert.DoesNotContain(Canary, refused.Message);
        }

        [Theory]
        [InlineData(null)]
        [InlineData("  ")]
        public void No_string_is_refused_and_described_as_none(string? connection)
        {
            Assert.Equal("(none)", ConnectionTarget.Describe(connection));
            Assert.Equal(EngineCodes.Configuration, Assert.Throws<EngineException>(() => ConnectionTarget.Parse(connection)).Code);
        }
    }

    /// <summary>The MSBuild task's own keyword list (it cannot load Npgsql) and its check for a string cut at ';'.</summary>
    public sealed class SplitConnectionCheckTests
    {
        [Fact]
        public void The_task_knows_every_keyword_and_synonym_of_the_npgsql_in_use()
        {
            var missing = NpgsqlKeywords.Properties().SelectMany(NpgsqlKeywords.Of).Where(k => !ConnectionStringKeywords.IsKeyword(k)).ToList();
            Assert.Empty(missing);
            var secrets = NpgsqlKeywords.PasswordKeywords().Where(k => !ConnectionStringKeywords.Secret.Any(s => ConnectionStringKeywords.Normalize(s) == ConnectionStringKeywords.Normalize(k))).ToList();
            Assert.Empty(secrets);
        }

        [Fact]
        public void Global_properties_named_like_keys_next_to_the_connection_mean_it_was_cut()
        {
            var global = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            {
                ["SafeMigrationsConnection"] = "Host=db",
                ["Database"] = "shop",
                ["username"] = "app",
                ["PSW"] = "CANARY",
                ["Configuration"] = "Release",
            };

            string? problem = SplitConnectionCheck.Problem("Host=db", global, null);

            Assert.NotNull(problem);
            Assert.Contains("cut at ';'", problem);
            Assert.Contains("Database, PSW, username", problem);
            Assert.Contains("SAFEMIGRATIONS_CONNECTION", problem);
            Assert.Contains("%3B", problem);
            Assert.Contains("consider changing it", problem);
            Assert.DoesNotContain("CANARY", problem);
        }

        [Fact]
        public void A_whole_string_passes_and_one_without_a_database_does_not()
        {
            var global = new Dictionary<string, string> { ["SafeMigrationsConnection"] = "x", ["Configuration"] = "Release" };
            Assert.Null(SplitConnectionCheck.Problem("Host=db;Database=shop;Password=p", global, null));
            Assert.Null(SplitConnectionCheck.Problem(null, null, "Host=db;DB=shop"));
            Assert.Null(SplitConnectionCheck.Problem(null, null, null));

            string? fromProperty = SplitConnectionCheck.Problem("Host=db;Password=CANARY", null, "Host=db;Database=shop");
            Assert.Contains("SafeMigrationsConnection names no database", fromProperty);
            Assert.DoesNotContain("CANARY", fromProperty);
            Assert.Contains("SAFEMIGRATIONS_CONNECTION names no database", SplitConnectionCheck.Problem(null, null, "Host=db"));
            Assert.Contains("not a list of Key=Value pairs", SplitConnectionCheck.Problem("Host=db;Password='CANARY", null, null));
        }
    }
}
