using Warning.Analytics.TimeSeries;

namespace Warning.Web.Tests.TimeSeries;

public sealed class LineProtocolTests
{
    [Fact]
    public void Escapes_each_part_by_its_own_rules()
    {
        var line = new LinePoint("my measure,x=1")
            .Tag("zone key", "a,b=c d")
            .Tag("a\"q", "it's \"quoted\"")
            .Field("field key=1", "say \"hi\"\\now")
            .Field("n", 42L)
            .Field("f", 0.25)
            .Field("b", true)
            .Timestamp(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123), 7)
            .ToLine();
        Assert.Equal("my\\ measure\\,x=1,a\"q=it's\\ \"quoted\",zone\\ key=a\\,b\\=c\\ d field\\ key\\=1=\"say \\\"hi\\\"\\\\now\",n=42i,f=0.25,b=true 1700000000123000007", line);
    }

    [Theory]
    [InlineData(TimePrecision.Nanoseconds, "1700000000123456789")]
    [InlineData(TimePrecision.Microseconds, "1700000000123456")]
    [InlineData(TimePrecision.Milliseconds, "1700000000123")]
    [InlineData(TimePrecision.Seconds, "1700000000")]
    public void Writes_the_timestamp_at_the_requested_precision(TimePrecision precision, string expected)
    {
        var line = new LinePoint("m").Field("v", 1L).TimestampNanoseconds(1_700_000_000_123_456_789).ToLine(precision);
        Assert.EndsWith(" " + expected, line);
    }

    [Theory]
    [InlineData("line\nbreak")]
    [InlineData("carriage\rreturn")]
    [InlineData("ends with \\")]
    [InlineData("back\\,comma")]
    [InlineData("back\\ space")]
    [InlineData("back\\=equals")]
    public void Refuses_tag_values_line_protocol_cannot_carry(string value)
    {
        var ex = Assert.Throws<ArgumentException>(() => new LinePoint("m").Tag("t", value));
        Assert.Contains("InfluxDB 1.x", ex.Message);
    }

    [Fact]
    public void Refuses_non_finite_floats_and_points_without_fields()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinePoint("m").Field("v", double.NaN));
        Assert.Throws<InvalidOperationException>(() => new LinePoint("m").Tag("t", "x").ToLine());
    }

    [Fact]
    public void Leaves_out_empty_tags_and_null_optional_fields()
    {
        var line = new LinePoint("m").Tag("t", null).Tag("u", "").Field("v", (double?)null).Field("w", 1L).ToLine();
        Assert.Equal("m w=1i", line);
    }

    [Fact]
    public void Quotes_influxql_identifiers_and_literals()
    {
        Assert.Equal("\"a\\\"b\\\\c\"", InfluxQL.Identifier("a\"b\\c"));
        Assert.Equal("'it\\'s \\\\ \\n'", InfluxQL.Literal("it's \\ \n"));
        Assert.Equal("'a\"b'", InfluxQL.Literal("a\"b"));
        Assert.Equal("-8h", InfluxQL.Duration(TimeSpan.FromHours(-8)));
        Assert.Equal("90d", InfluxQL.Duration(TimeSpan.FromDays(90)));
    }
}
