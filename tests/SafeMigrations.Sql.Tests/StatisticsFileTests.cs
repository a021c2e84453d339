using System;
using SafeMigrations.Sql.Statistics;

namespace SafeMigrations.Sql.Tests;

/// <summary>The statistics snapshot reader the analyzers load in the compiler: the format, and clear errors for bad files.</summary>
public class StatisticsFileTests
{
    private const string Valid = """
        {
          "formatVersion": 1,
          "takenAt": "2026-11-30T08:15:00Z",
          "serverVersionNum": 160004,
          "intervalSeconds": 10,
          "tables": [
            { "schema": "public", "name": "Orders", "estimatedRows": 4200000, "heapBytes": 1395864371, "indexBytes": 210000000, "insertsPerSecond": 12.5, "updatesPerSecond": 3, "deletesPerSecond": 0 },
            { "schema": "sales", "name": "orders", "estimatedRows": 7, "heapBytes": 8192, "indexBytes": 16384 },
            { "schema": "public", "name": "na\u00efve \"q\"", "estimatedRows": -1, "heapBytes": 0, "indexBytes": 0 }
          ]
        }
        """;

    [Fact]
    public void Reads_every_field_and_keeps_absent_rates_apart_from_zero()
    {
        var file = StatisticsFile.Parse(Valid);

        Assert.Equal(new DateTimeOffset(2026, 11, 30, 8, 15, 0, TimeSpan.Zero), file.TakenAt);
        Assert.Equal(160004, file.ServerVersionNumber);
        Assert.Equal(10, file.IntervalSeconds);
        Assert.Equal(3, file.Tables.Count);
        var orders = file.Find(null, "Orders")!;
        Assert.Equal(4200000, orders.EstimatedRows);
        Assert.Equal(1395864371, orders.HeapBytes);
        Assert.Equal(210000000, orders.IndexBytes);
        Assert.Equal(15.5, orders.WritesPerSecond);
        Assert.Equal(0.0, orders.DeletesPerSecond);
        var small = file.Find("sales", "orders")!;
        Assert.Null(small.InsertsPerSecond);
        Assert.Null(small.WritesPerSecond);
        Assert.NotNull(file.Find("public", "naïve \"q\""));
    }

    [Fact]
    public void Find_matches_schema_and_name_exactly_with_no_schema_meaning_public()
    {
        var file = StatisticsFile.Parse(Valid);

        Assert.Equal("public", file.Find(null, "Orders")!.Schema);
        Assert.Equal("sales", file.Find("sales", "orders")!.Schema);
        Assert.Null(file.Find("public", "orders"));
        Assert.Null(file.Find("public", "customers"));
        Assert.Null(file.Find("audit", "Orders"));
    }

    [Theory]
    [InlineData("", "line 1: unexpected end of the text")]
    [InlineData("{\n  \"formatVersion\": 1,\n  \"takenAt\": \"2026-11-30T08:15:00Z\"\n  \"tables\": []\n}", "line 4: expected ','")]
    [InlineData("[1, 2]", "the document is not a JSON object")]
    [InlineData("{ \"formatVersion\": 1, \"takenAt\": \"2026-11-30T08:15:00Z\", \"serverVersionNum\": 1, \"intervalSeconds\": 0 }", "the document has no 'tables'")]
    [InlineData("{ \"formatVersion\": 2, \"takenAt\": \"2026-11-30T08:15:00Z\", \"serverVersionNum\": 1, \"intervalSeconds\": 0, \"tables\": [] }", "format version 2 is newer than this SafeMigrations reads (1)")]
    [InlineData("{ \"formatVersion\": 1, \"takenAt\": \"yesterday\", \"serverVersionNum\": 1, \"intervalSeconds\": 0, \"tables\": [] }", "'takenAt' is not a date and time: yesterday")]
    [InlineData("{ \"formatVersion\": 1, \"takenAt\": \"2026-11-30T08:15:00Z\", \"serverVersionNum\": 1, \"intervalSeconds\": 0, \"tables\": [ { \"schema\": \"public\", \"name\": \"t\", \"estimatedRows\": \"many\", \"heapBytes\": 0, \"indexBytes\": 0 } ] }", "'estimatedRows' of table 1 is not a whole number")]
    [InlineData("{ \"formatVersion\": 1 } trailing", "line 1: text after the end of the document")]
    [InlineData("{ \"a\": \"unterminated }", "line 1: a string without its closing quote")]
    public void A_malformed_file_gives_a_FormatException_naming_what_is_wrong(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => StatisticsFile.Parse(text));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Deep_nesting_is_refused_not_a_stack_overflow()
    {
        var error = Assert.Throws<FormatException>(() => StatisticsFile.Parse(new string('[', 10000)));

        Assert.Contains("nesting too deep", error.Message);
    }
}
