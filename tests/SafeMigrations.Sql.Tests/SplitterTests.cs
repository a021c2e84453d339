using System.Linq;
using SafeMigrations.Sql;

namespace SafeMigrations.Sql.Tests
{
    public class SplitterTests
    {
        [Fact]
        public void Splits_on_top_level_semicolons()
        {
            var statements = StatementScanner.Scan("SELECT 1; SELECT 2;SELECT 3");
            Assert.Equal(new[] { "SELECT 1", "SELECT 2", "SELECT 3" }, statements.Select(s => s.Text));
        }

        [Fact]
        public void Start_is_the_offset_of_the_first_token()
        {
            string sql = "SELECT 1;\n  -- note\n  UPDATE t SET a = 1";
            var statements = StatementScanner.Scan(sql);
            Assert.Equal(2, statements.Count);
            Assert.Equal(0, statements[0].Start);
            Assert.Equal(sql.IndexOf("UPDATE"), statements[1].Start);
            Assert.Equal(StatementKind.Update, statements[1].Kind);
        }

        [Fact]
        public void Semicolons_inside_strings_identifiers_comments_and_dollar_bodies_do_not_split()
        {
            string sql = "INSERT INTO t VALUES ('a;b', E'\\';', \"c;d\"); /* x; y */ -- z;\n" +
                         "DO $$ BEGIN PERFORM 1; END; $$; DO $tag$ BEGIN RAISE NOTICE '$$;'; END $tag$";
            var statements = StatementScanner.Scan(sql);
            Assert.Equal(new[] { StatementKind.Insert, StatementKind.Do, StatementKind.Do }, statements.Select(s => s.Kind));
        }

        [Fact]
        public void Empty_statements_are_skipped()
        {
            var statements = StatementScanner.Scan(";; -- only a comment\n ; /* c */ ; SELECT 1;;");
            Assert.Single(statements);
            Assert.Equal(StatementKind.Select, statements[0].Kind);
        }

        [Theory]
        [InlineData("")]
        [InlineData("   ")]
        [InlineData("-- nothing")]
        [InlineData("/* nothing */")]
        public void Blank_input_gives_no_statements(string sql)
        {
            Assert.Empty(StatementScanner.Scan(sql));
        }

        [Fact]
        public void Classify_of_blank_text_is_Empty()
        {
            Assert.Equal(StatementKind.Empty, StatementScanner.Classify(" -- x ").Kind);
        }

        [Fact]
        public void Sql_standard_function_body_keeps_its_semicolons()
        {
            string sql = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END; SELECT 3";
            var statements = StatementScanner.Scan(sql);
            Assert.Equal(2, statements.Count);
            Assert.Equal(StatementKind.CreateFunction, statements[0].Kind);
            Assert.EndsWith("END", statements[0].Text);
            Assert.Equal("SELECT 3", statements[1].Text);
        }

        [Fact]
        public void Text_excludes_leading_comments_and_the_semicolon()
        {
            var s = StatementScanner.Scan("/* why */ -- because\nCREATE INDEX i ON t (c) /* inner */;").Single();
            Assert.Equal("CREATE INDEX i ON t (c)", s.Text);
            Assert.Equal(StatementKind.CreateIndex, s.Kind);
        }

        [Fact]
        public void Tokens_are_exposed_without_comments()
        {
            var s = StatementScanner.Scan("DROP /* c */ TABLE t").Single();
            Assert.Equal(new[] { "DROP", "TABLE", "t" }, s.Tokens.Select(t => t.Text));
        }

        [Fact]
        public void Unterminated_string_swallows_the_rest_without_throwing()
        {
            var statements = StatementScanner.Scan("UPDATE t SET a = 'oops; DROP TABLE t;");
            Assert.Single(statements);
            Assert.Equal(StatementKind.Update, statements[0].Kind);
        }
    }
}
