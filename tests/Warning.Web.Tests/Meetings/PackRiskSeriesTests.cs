using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Warning.Analytics.TimeSeries;
using Warning.Silo.TimeSeries;
using Warning.Web.Tests.Support;
using Warning.Web.Tests.TimeSeries;

namespace Warning.Web.Tests.Meetings;

/// <summary>
/// Issue 16: a pack's high and critical count for a period already over, and for the periods it is compared with, come
/// from the area's risk snapshots in a real InfluxDB: the last one before each period's end, raw or daily by its age.
/// </summary>
public sealed class PackRiskSeriesTests : IAsyncLifetime
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);
    private readonly InfluxServer _server = new();
    private readonly WarningAppFactory _app = new();
    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> _factory = null!;

    public async Task InitializeAsync()
    {
        await _server.InitializeAsync();
        _factory = InfluxAppFactory.Create(_app, _server, "packrisk");
    }

    [Fact]
    public async Task A_past_months_high_risk_count_and_its_comparisons_are_the_last_snapshots_before_each_end()
    {
        var client = _factory.CreateClient();
        client.Timeout = TimeSpan.FromMinutes(5);
        await _factory.Services.GetRequiredService<InfluxSchema>().EnsureAsync();
        var influx = _factory.Services.GetRequiredService<InfluxClient>();
        var village = _app.Hierarchy.VillageOf(_app.GridIds[3])!;

        // Last calendar month in China time: its end, the month before's end, and the same month's end a year ago.
        var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(China).DateTime);
        var from = new DateOnly(today.Year, today.Month, 1).AddMonths(-1);
        var to = from.AddMonths(1).AddDays(-1);
        DateTimeOffset EndOf(DateOnly last) => new(last.AddDays(1).ToDateTime(TimeOnly.MinValue), China);
        var end = EndOf(to);
        var previousEnd = EndOf(from.AddDays(-1));
        var lastYearEnd = EndOf(to.AddYears(-1));

        string Point(long high, DateTimeOffset at) =>
            $"area_risk,area={village.Id},level=village scored_cases=20i,high_risk_cases={high}i {at.ToUnixTimeSeconds()}\n";
        async Task WriteAsync(string policy, string lines)
        {
            var (outcome, error) = await influx.WriteAsync(Encoding.UTF8.GetBytes(lines), false, policy, TimePrecision.Seconds);
            Assert.True(outcome == WriteOutcome.Written, error);
        }
        // The last before the end counts: not an earlier one, and not one after the end.
        await WriteAsync(InfluxSchema.Raw, Point(99, end.AddDays(-2)) + Point(5, end.AddHours(-2)) + Point(77, end.AddHours(1)));
        await WriteAsync(InfluxSchema.Raw, Point(3, previousEnd.AddMinutes(-30)));
        // A year back is past the raw points' retention: only the daily rollup holds it.
        await WriteAsync(InfluxSchema.Daily, Point(2, lastYearEnd.AddHours(-12)));

        using var csv = await client.GetAsync($"/api/v1/reports/briefing?regionId={village.Id}&from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}&format=csv");
        Assert.Equal(System.Net.HttpStatusCode.OK, csv.StatusCode);
        using var zip = new System.IO.Compression.ZipArchive(await csv.Content.ReadAsStreamAsync());
        using var reader = new StreamReader(zip.GetEntry("key_numbers.csv")!.Open());
        var row = (await reader.ReadToEndAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(','))
            .Single(f => f[0] == "high_risk_open");
        Assert.Equal(("5", "3", "2"), (row[2], row[3], row[4]));

        // The HTML says where the earlier figures come from.
        var html = await client.GetStringAsync($"/api/v1/reports/briefing?regionId={village.Id}&from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}&format=html");
        Assert.Contains("上期与去年同期取自当时的区域风险快照", html);
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        _app.Dispose();
        await _server.DisposeAsync();
    }
}
