using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Time;
using Warning.Silo.TimeSeries;
using Warning.Web.Spikes;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.TimeSeries;

/// <summary>A service and InfluxDB of its own, so its reports do not disturb the trend tests' counts.</summary>
public sealed class SpikeSeriesService() : InfluxService("spikes");

public sealed class SpikeSeriesTests(SpikeSeriesService service) : IClassFixture<SpikeSeriesService>
{
    [Fact]
    public async Task The_nightly_scan_writes_each_signal_once_for_the_meetings_panels()
    {
        var factory = service.Factory;
        using var http = factory.CreateClient();
        var hierarchy = service.App.Hierarchy;
        var village = hierarchy.AtLevel(AreaLevel.Village).OrderBy(v => v.Id, StringComparer.Ordinal).Skip(2).First();
        var grid = hierarchy.ChildrenOf(village.Id)[0];
        var batch = new JsonArray();
        for (var i = 0; i < 7; i++)
        {
            var report = Reports.Valid(grid.Id);
            report["category"] = "labor_wage";
            batch.Add(report);
        }
        Assert.Equal(202, (await Reports.PostAsync(http, "/api/v1/reports", batch)).Status);
        await factory.SettleAsync();

        var today = factory.Services.GetRequiredService<WarningClock>().Today;
        var scans = factory.Services.GetRequiredService<SpikeScanService>();
        var summary = await scans.ScanAsync(today, apply: true);
        // A second scan of the same day rewrites the same points: nothing is counted twice.
        await scans.ScanAsync(today, apply: true);
        Assert.True(await factory.Writer().FlushAsync(TimeSpan.FromSeconds(30)));

        var client = factory.Services.GetRequiredService<InfluxClient>();
        var series = await client.QueryAsync($"SELECT sum(\"count\"), max(\"observed\") FROM \"spikes\" WHERE \"village\" = '{village.Id}' GROUP BY \"category\", \"unit\"");
        var rows = series.ToDictionary(s => (s.Tags["category"], s.Tags["unit"]), s => (Count: s.Values[0][1].GetInt64(), Observed: s.Values[0][2].GetInt64()));
        Assert.Equal(summary.States[village.Id].Active.Count, rows.Values.Sum(r => r.Count));
        Assert.Equal(7, rows[("overall", "village")].Observed);
        Assert.Equal(7, rows[("labor_wage", "village")].Observed);
        Assert.Contains(rows.Keys, k => k.Item2 == "grid");
        // Area tags up to the county; no grid id, person or case anywhere in the point.
        var raw = Assert.Single(await client.QueryAsync($"SELECT * FROM \"spikes\" WHERE \"village\" = '{village.Id}' LIMIT 1"));
        Assert.Contains("county", raw.Columns);
        Assert.DoesNotContain("grid", raw.Columns);
        Assert.DoesNotContain(raw.Values[0], v => v.ToString().Contains(grid.Id, StringComparison.Ordinal));
        // The point sits at civil noon of the day scanned.
        var at = DateTimeOffset.FromUnixTimeMilliseconds(raw.Values[0][0].GetInt64()).ToOffset(TimeSpan.FromHours(8));
        Assert.Equal((today, 12), (DateOnly.FromDateTime(at.DateTime), at.Hour));
    }
}
