using System.Linq;
using SafeMigrations.Sql;

namespace SafeMigrations.Sql.Tests
{
    public class LexerTests
    {
        private static SqlToken Single(string sql)
        {
            var tokens = SqlLexer.Tokenize(sql);
            Assert.Single(tokens);
            return tokens[0];
        }

        [Fact]
        public void Unquoted_identifiers_fold_to_lower_case()
        {
            var t = Single("Orders");
            Assert.Equal(SqlTokenKind.Identifier, t.Kind);
            Assert.Equal("orders", t.Value);
            Assert.Equal("Orders", t.Text);
        }

        [Fact]
        public void Quoted_identifiers_keep_case_and_unescape_doubled_quotes()
        {
            var t = Single("\"quoted\"\"Id\"");
            Assert.Equal(SqlTokenKind.QuotedIdentifier, t.Kind);
            Assert.Equal("quoted\"Id", t.Value);
        }

        [Fact]
        public void Quoted_identifier_is_never_a_keyword()
        {
            Assert.False(Single("\"select\"").IsKeyword("select"));
            Assert.True(Single("SELECT").IsKeyword("select"));
        }

        [Fact]
        public void Standard_string_with_doubled_quote()
        {
            var t = Single("'it''s; fine'");
            Assert.Equal(SqlTokenKind.String, t.Kind);
            Assert.Equal("it's; fine", t.Value);
        }

        [Fact]
        public void Backslash_is_literal_in_standard_strings()
        {
            var tokens = SqlLexer.Tokenize(@"'a\' , 1");
            Assert.Equal(SqlTokenKind.String, tokens[0].Kind);
            Assert.Equal(@"a\", tokens[0].Value);
            Assert.Equal(SqlTokenKind.Comma, tokens[1].Kind);
        }

        [Theory]
        [InlineData(@"E'\''", "'")]
        [InlineData(@"e'a\nb'", "a\nb")]
        [InlineData(@"E'\x41\101\u0042'", "AAB")]
        [InlineData(@"E'it''s'", "it's")]
        [InlineData(@"E'back\\slash'", @"back\slash")]
        public void Escape_strings(string sql, string value)
        {
            var t = Single(sql);
            Assert.Equal(SqlTokenKind.String, t.Kind);
            Assert.Equal(value, t.Value);
        }

        [Fact]
        public void Unicode_escape_string_and_identifier()
        {
            var s = Single(@"U&'d\0061t\+000061'");
            Assert.Equal(SqlTokenKind.String, s.Kind);
            Assert.Equal("data", s.Value);
            var id = Single(@"U&""d\0061t\+000061""");
            Assert.Equal(SqlTokenKind.QuotedIdentifier, id.Kind);
            Assert.Equal("data", id.Value);
        }

        [Theory]
        [InlineData("B'1010'")]
        [InlineData("X'1F'")]
        [InlineData("N'text'")]
        public void Prefixed_strings(string sql)
        {
            Assert.Equal(SqlTokenKind.String, Single(sql).Kind);
        }

        [Fact]
        public void Dollar_quoted_body_with_semicolons_and_quotes()
        {
            var t = Single("$$ BEGIN; 'x'; END; $$");
            Assert.Equal(SqlTokenKind.DollarString, t.Kind);
            Assert.Equal(" BEGIN; 'x'; END; ", t.Value);
        }

        [Fact]
        public void Tagged_dollar_quote_contains_other_tags()
        {
            var t = Single("$fn$ select $x$ a; $x$; select $$b$$; $fn$");
            Assert.Equal(SqlTokenKind.DollarString, t.Kind);
            Assert.Equal(" select $x$ a; $x$; select $$b$$; ", t.Value);
        }

        [Fact]
        public void Dollar_closing_after_inner_tag_matches_postgres()
        {
            // "$x$$" ends with "$$": PostgreSQL closes a $$ body there too.
            var tokens = SqlLexer.Tokenize("$$ a $x$$ b");
            Assert.Equal(SqlTokenKind.DollarString, tokens[0].Kind);
            Assert.Equal(" a $x", tokens[0].Value);
            Assert.Equal("b", tokens[1].Value);
        }

        [Fact]
        public void Positional_parameters_are_not_dollar_quotes()
        {
            var tokens = SqlLexer.Tokenize("id BETWEEN $1 AND $2");
            Assert.Equal(new[] { SqlTokenKind.Identifier, SqlTokenKind.Identifier, SqlTokenKind.Parameter, SqlTokenKind.Identifier, SqlTokenKind.Parameter }, tokens.Select(t => t.Kind));
            Assert.Equal("$2", tokens[4].Text);
        }

        [Fact]
        public void Dollar_inside_identifier_is_part_of_it()
        {
            var t = Single("a$b$c");
            Assert.Equal(SqlTokenKind.Identifier, t.Kind);
        }

        [Fact]
        public void Named_parameters()
        {
            var tokens = SqlLexer.Tokenize("id >= @p0 AND tags @> x");
            Assert.Equal(SqlTokenKind.Parameter, tokens[2].Kind);
            Assert.Equal("@p0", tokens[2].Text);
            Assert.True(tokens[5].IsOperator("@>"));
        }

        [Fact]
        public void Nested_block_comments()
        {
            var tokens = SqlLexer.Tokenize("/* a /* b */ still comment; */ select", includeComments: true);
            Assert.Equal(2, tokens.Count);
            Assert.Equal(SqlTokenKind.BlockComment, tokens[0].Kind);
            Assert.True(tokens[1].IsKeyword("select"));
        }

        [Fact]
        public void Comments_are_dropped_by_default()
        {
            var tokens = SqlLexer.Tokenize("-- lead; \nselect /* x */ 1 -- tail");
            Assert.Equal(new[] { "select", "1" }, tokens.Select(t => t.Text));
        }

        [Fact]
        public void Offsets_point_into_the_input()
        {
            string sql = "  ALTER  TABLE \"T\"";
            var tokens = SqlLexer.Tokenize(sql);
            Assert.Equal(2, tokens[0].Offset);
            Assert.Equal(9, tokens[1].Offset);
            Assert.Equal("\"T\"", sql.Substring(tokens[2].Offset, tokens[2].Length));
        }

        [Theory]
        [InlineData("42", "42")]
        [InlineData("3.14", "3.14")]
        [InlineData(".5", ".5")]
        [InlineData("1e10", "1e10")]
        [InlineData("2.5E-3", "2.5E-3")]
        [InlineData("0x1F", "0x1F")]
        [InlineData("1_000_000", "1_000_000")]
        public void Numbers(string sql, string text)
        {
            var t = Single(sql);
            Assert.Equal(SqlTokenKind.Number, t.Kind);
            Assert.Equal(text, t.Text);
        }

        [Fact]
        public void Cast_operator_and_sign_rule()
        {
            var tokens = SqlLexer.Tokenize("a=-1 and b::text <= c || d");
            Assert.Equal(new[] { "a", "=", "-", "1", "and", "b", "::", "text", "<=", "c", "||", "d" }, tokens.Select(t => t.Text));
        }

        [Fact]
        public void Operator_followed_by_comment()
        {
            var tokens = SqlLexer.Tokenize("a =-- comment\n 1");
            Assert.Equal(new[] { "a", "=", "1" }, tokens.Select(t => t.Text));
        }

        [Fact]
        public void Punctuation_kinds()
        {
            var kinds = SqlLexer.Tokenize("(a.b[1],c);").Select(t => t.Kind).ToArray();
            Assert.Equal(new[]
            {
                SqlTokenKind.OpenParen, SqlTokenKind.Identifier, SqlTokenKind.Dot, SqlTokenKind.Identifier,
                SqlTokenKind.OpenBracket, SqlTokenKind.Number, SqlTokenKind.CloseBracket, SqlTokenKind.Comma,
                SqlTokenKind.Identifier, SqlTokenKind.CloseParen, SqlTokenKind.Semicolon,
            }, kinds);
        }

        [Theory]
        [InlineData("'never closed")]
        [InlineData("E'never \\' closed")]
        [InlineData("\"never closed")]
        [InlineData("$$ never closed")]
        [InlineData("$tag$ never closed $other$")]
        [InlineData("/* never /* closed */")]
        public void Unterminated_tokens_run_to_the_end(string sql)
        {
            var tokens = SqlLexer.Tokenize(sql, includeComments: true);
            Assert.Single(tokens);
            Assert.True(tokens[0].IsUnterminated);
            Assert.Equal(sql.Length, tokens[0].End);
        }

        [Theory]
        [InlineData("")]
        [InlineData("\\")]
        [InlineData("$")]
        [InlineData("$ $")]
        [InlineData("U&")]
        [InlineData("E")]
        [InlineData("\u00a0\u2028")]
        [InlineData("'")]
        [InlineData("E'\\")]
        [InlineData("E'\\x")]
        [InlineData("U&'\\")]
        public void Never_throws(string sql)
        {
            var tokens = SqlLexer.Tokenize(sql, includeComments: true);
            Assert.NotNull(tokens);
        }

        [Fact]
        public void Non_ascii_identifiers()
        {
            var t = Single("Größe");
            Assert.Equal(SqlTokenKind.Identifier, t.Kind);
            Assert.Equal("größe", t.Value);
        }
    }
}
