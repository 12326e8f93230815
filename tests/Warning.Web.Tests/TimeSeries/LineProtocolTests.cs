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

    [Theory]
    [InlineData("1600-03-01T08:00:00Z")] // wrapped round to 2184 in 64-bit nanoseconds
    [InlineData("2300-01-01T00:00:00Z")]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59Z")]
    [InlineData("1677-09-21T00:12:43.1452241Z")]
    [InlineData("2262-04-11T23:47:16.8547759Z")]
    public void Refuses_timestamps_outside_influxdbs_range_instead_of_wrapping_round(string moment)
    {
        var at = DateTimeOffset.Parse(moment, System.Globalization.CultureInfo.InvariantCulture);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new LinePoint("reports").Field("count", 1L).Timestamp(at));
        Assert.Contains("outside InfluxDB's time range", ex.Message);
        Assert.Contains("reports", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => TimePrecisions.UnixNanoseconds(at));
    }

    [Fact]
    public void Writes_the_first_and_last_timestamps_influxdb_holds()
    {
        Assert.EndsWith(" -9223372036854775806", new LinePoint("m").Field("v", 1L).TimestampNanoseconds(TimePrecisions.MinUnixNanoseconds).ToLine());
        Assert.EndsWith(" 9223372036854775806", new LinePoint("m").Field("v", 1L).TimestampNanoseconds(TimePrecisions.MaxUnixNanoseconds).ToLine());
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinePoint("m").TimestampNanoseconds(long.MinValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinePoint("m").TimestampNanoseconds(long.MaxValue));
        // The edges in ticks, and a tiebreak that would push the last one over.
        Assert.EndsWith(" -9223372036854775800", new LinePoint("m").Field("v", 1L).Timestamp(TimePrecisions.MinTime).ToLine());
        Assert.EndsWith(" 9223372036854775800", new LinePoint("m").Field("v", 1L).Timestamp(TimePrecisions.MaxTime).ToLine());
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinePoint("m").Timestamp(TimePrecisions.MaxTime, 999));
        Assert.Equal(new DateTimeOffset(1677, 9, 21, 0, 12, 43, TimeSpan.Zero).AddTicks(1452242), TimePrecisions.MinTime);
        Assert.Equal(new DateTimeOffset(2262, 4, 11, 23, 47, 16, TimeSpan.Zero).AddTicks(8547758), TimePrecisions.MaxTime);
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
