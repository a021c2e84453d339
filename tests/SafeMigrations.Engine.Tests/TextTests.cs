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
}
