using System;
using SafeMigrations.Engine;

namespace SafeMigrations.Engine.Tests
{
    public sealed class SqlIdentifierTests
    {
        [Theory]
        [InlineData("orders", "\"orders\"")]
        [InlineData("OrderLines", "\"OrderLines\"")]
        [InlineData("weird\"name", "\"weird\"\"name\"")]
        [InlineData("\"", "\"\"\"\"")]
        [InlineData("x; drop table y; --", "\"x; drop table y; --\"")]
        public void Quote_wraps_in_double_quotes_and_doubles_embedded_ones(string name, string expected)
        {
            Assert.Equal(expected, SqlIdentifier.Quote(name));
        }

        [Fact]
        public void Qualify_quotes_both_parts_and_skips_a_missing_schema()
        {
            Assert.Equal("\"Sales\".\"Order\"\"s\"", SqlIdentifier.Qualify("Sales", "Order\"s"));
            Assert.Equal("\"orders\"", SqlIdentifier.Qualify(null, "orders"));
            Assert.Equal("\"orders\"", SqlIdentifier.Qualify(string.Empty, "orders"));
        }

        [Fact]
        public void Empty_and_nul_names_are_refused()
        {
            Assert.Throws<ArgumentException>(() => SqlIdentifier.Quote(string.Empty));
            Assert.Throws<ArgumentException>(() => SqlIdentifier.Quote("a\0b"));
        }
    }

    public sealed class ConnectionStringRedactionTests
    {
        [Theory]
        [InlineData("Host=db;Username=app;Password=s3cret;Database=shop")]
        [InlineData("host=db;username=app;PASSWORD='s3cret;x';database=shop")]
        [InlineData("Server=db;User Id=app;Pwd=s3cret;Database=shop")]
        [InlineData("Host=db;Username=app;SSL Password=s3cret;Database=shop")]
        public void Passwords_are_removed_and_the_rest_kept(string connectionString)
        {
            string redacted = ConnectionStringRedaction.ForLog(connectionString);
            Assert.DoesNotContain("s3cret", redacted);
            Assert.DoesNotContain("assword", redacted, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("db", redacted);
            Assert.Contains("app", redacted);
            Assert.Contains("shop", redacted);
        }

        [Fact]
        public void Uri_passwords_are_removed()
        {
            Assert.Equal("postgres://app@db:5432/shop?sslmode=require",
                ConnectionStringRedaction.ForLog("postgres://app:p%40ss@w0rd@db:5432/shop?sslmode=require&password=other"));
            Assert.Equal("postgresql://app@db/shop", ConnectionStringRedaction.ForLog("postgresql://app:s3cret@db/shop"));
        }

        [Fact]
        public void Unparsable_text_is_not_echoed()
        {
            string redacted = ConnectionStringRedaction.ForLog("Host=db;Password='unterminated");
            Assert.DoesNotContain("unterminated", redacted);
        }

        [Fact]
        public void Empty_input_gives_empty_output()
        {
            Assert.Equal(string.Empty, ConnectionStringRedaction.ForLog(null));
            Assert.Equal(string.Empty, ConnectionStringRedaction.ForLog("  "));
        }
    }
}
