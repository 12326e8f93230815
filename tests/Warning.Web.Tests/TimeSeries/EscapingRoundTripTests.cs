using Warning.Analytics.TimeSeries;
using static Warning.Analytics.TimeSeries.InfluxQL;

namespace Warning.Web.Tests.TimeSeries;

/// <summary>Hostile names and values go through the service's writer into a real InfluxDB and come back unchanged.</summary>
public sealed class EscapingRoundTripTests(InfluxServer server) : IClassFixture<InfluxServer>
{
    public static readonly string[] Hostile =
    [
        "plain",
        "with space",
        "with,comma",
        "with=equals",
        "double\"quote",
        "single'quote",
        "back\\slash",
        "two\\\\backslashes",
        "纠纷 调解,村=委会",
        "emoji 🚨🔥 alert",
        "all of them: ' \" , = \\x 中文 🙂",
        "' OR 1=1 --",
        "\") OR (\"a\"=\"a",
    ];

    [Fact]
    public async Task Hostile_tags_fields_and_names_come_back_exactly()
    {
        // Gzip on, though the server is on loopback: the compressed path must carry every byte too.
        var (client, schema, writer) = server.Create(server.Options("escaping", o => o.Gzip = true));
        await writer.StartAsync(CancellationToken.None);
        const string measurement = "hostile measure,名 \"m\" 🚨";
        var stringValues = Hostile.Concat(["multi\nline\nvalue", "crlf\r\nvalue", "\"\\\"", "trailing backslash \\"]).ToArray();
        for (var i = 0; i < stringValues.Length; i++)
        {
            writer.Write(new LinePoint(measurement)
                .Tag("tag key, =" + "\"'", Hostile[i % Hostile.Length])
                .Tag("i", i.ToString())
                .Field("text", stringValues[i])
                .Field("field key, =\"'中", (long)i)
                .Field("ratio", i / 3.0)
                .Field("flag", i % 2 == 0)
                .Timestamp(DateTimeOffset.UtcNow.AddMinutes(-i)));
        }
        Assert.True(await writer.FlushAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, writer.Stats.Rejected);

        var series = await client.QueryAsync($"SELECT * FROM {Identifier(measurement)}");
        var result = Assert.Single(series);
        Assert.Equal(measurement, result.Name);
        Assert.Equal(stringValues.Length, result.Values.Count);
        int Col(string name) => result.Columns.ToList().IndexOf(name);
        foreach (var row in result.Values)
        {
            var i = int.Parse(row[Col("i")].GetString()!);
            Assert.Equal(Hostile[i % Hostile.Length], row[Col("tag key, =\"'")].GetString());
            Assert.Equal(stringValues[i], row[Col("text")].GetString());
            Assert.Equal(i, row[Col("field key, =\"'中")].GetInt64());
            Assert.Equal(i / 3.0, row[Col("ratio")].GetDouble());
            Assert.Equal(i % 2 == 0, row[Col("flag")].GetBoolean());
        }
        await writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_quoted_literal_selects_exactly_its_own_series_and_cannot_break_the_query()
    {
        var (client, _, writer) = server.Create(server.Options("literals"));
        await writer.StartAsync(CancellationToken.None);
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        for (var i = 0; i < Hostile.Length; i++)
            writer.Write(new LinePoint("reports").Tag("county", Hostile[i]).Field("count", (long)(i + 1)).Timestamp(at));
        Assert.True(await writer.FlushAsync(TimeSpan.FromSeconds(30)));

        for (var i = 0; i < Hostile.Length; i++)
        {
            var series = await client.QueryAsync($"SELECT sum(\"count\") FROM \"reports\" WHERE {Identifier("county")} = {Literal(Hostile[i])}");
            var only = Assert.Single(series);
            Assert.Equal(i + 1, only.Values[0][1].GetInt64());
        }
        // Values that look like the end of a literal followed by more InfluxQL select nothing, and fail nothing.
        foreach (var attack in new[] { "x' OR \"county\" =~ /.*/ --", "x\\' OR 1=1", "x'; DROP DATABASE \"literals\"; --" })
            Assert.Empty(await client.QueryAsync($"SELECT sum(\"count\") FROM \"reports\" WHERE \"county\" = {Literal(attack)}"));
        Assert.Single(await client.QueryAsync("SHOW DATABASES", database: ""), s => s.Values.Any(v => v[0].GetString() == "literals"));
        await writer.StopAsync(CancellationToken.None);
    }
}
