using Microsoft.Playwright;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Warning.Web.Tests.Live;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.TimeSeries;

/// <summary>The big screen's trend chart in Debian's Chromium, drawn from InfluxDB through the trends endpoint.</summary>
public sealed class ScreenTrendTests(InfluxServer server) : IClassFixture<InfluxServer>
{
    [Fact]
    public async Task The_screen_draws_the_30_day_trend_by_category()
    {
        var data = Path.Combine(Path.GetTempPath(), "warning-screen-trend-" + Guid.NewGuid().ToString("N"));
        await using var service = await ServiceProcess.StartAsync(data, "--Influx:Enabled=true", $"--Influx:Url={server.Url}", "--Influx:Database=screen",
            "--Influx:FlushInterval=00:00:00.100");
        var grids = CityGenerator.Generate(CityShape.Small, 7).AtLevel(AreaLevel.Grid).Select(g => g.Id).ToList();
        using var client = new HttpClient { BaseAddress = new Uri(service.BaseUrl) };
        var batch = new System.Text.Json.Nodes.JsonArray();
        foreach (var (category, i) in new[] { "land", "debt", "debt", "medical" }.Select((c, i) => (c, i)))
        {
            var report = Reports.Valid(grids[i]);
            report["category"] = category;
            batch.Add(report);
        }
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/reports", batch)).Status);
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var trend = await Reports.GetAsync(client, $"/api/v1/regions/{CityGenerator.Generate(CityShape.Small, 7).Roots[0].Id}/trends");
            if (trend["series"]!.AsArray().Count == 3) break;
            Assert.True(DateTime.UtcNow < until, "reports reached InfluxDB");
            await Task.Delay(200);
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ScreenPageTests.ChromiumArgs });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1920, Height = 1080 } });
        var consoleErrors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") consoleErrors.Add(m.Text); };
        await page.GotoAsync(service.BaseUrl + "/screen/");
        await page.WaitForSelectorAsync("[data-testid=trend-chart][data-series='3']", new() { State = WaitForSelectorState.Attached, Timeout = 15_000 });
        // ECharts in SVG: a stacked area (a path) per category, and one legend entry each with its 30-day total.
        Assert.True(await page.Locator("[data-testid=trend-chart] path").CountAsync() >= 3);
        var labels = await page.Locator("[data-testid=trend-chart] text").AllTextContentsAsync();
        Assert.Contains("债务 2", labels);
        Assert.Contains("土地 1", labels);
        Assert.Empty(consoleErrors);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "warning-screen-trend.png") });
    }
}
