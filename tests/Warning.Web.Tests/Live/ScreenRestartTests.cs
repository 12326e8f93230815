using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Warning.Web.Tests.Support;
using Xunit.Abstractions;

namespace Warning.Web.Tests.Live;

/// <summary>
/// An open screen across a kill -9 and a restart of the service on the same data folder (issue 9: the wall kept the
/// old totals for minutes while it said "实时", because the new process numbered its messages from 1 again).
/// </summary>
public sealed class ScreenRestartTests(ITestOutputHelper output)
{
    private static readonly AreaHierarchy City = CityGenerator.Generate(CityShape.Small, 7);
    private static readonly string[] Grids = City.AtLevel(AreaLevel.Grid).Select(a => a.Id).ToArray();
    private int _posted;

    [Fact]
    public async Task After_a_kill_9_and_a_restart_the_open_screen_shows_the_new_totals()
    {
        var data = Path.Combine(Path.GetTempPath(), "warning-screen-restart-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var first = await ServiceProcess.StartAsync(data);
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ScreenPageTests.ChromiumArgs });
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1920, Height = 1080 } });
            await page.GotoAsync(first.BaseUrl + "/screen/");
            await page.WaitForSelectorAsync("#connection[data-state=live]", new() { Timeout = 60_000 });

            // One report at a time, each seen on the screen: ten pushes or more, so the screen's last sequence number
            // is above anything a fresh process numbers its first few pushes with.
            for (var i = 0; i < 10; i++)
            {
                await PostAsync(first, 1);
                await ScreenAgreesAsync(page, first);
            }

            first.Kill();
            await using var second = await ServiceProcess.StartAsync(data, first.Port);
            await PostAsync(second, 15);
            await ScreenAgreesAsync(page, second);
            await page.WaitForSelectorAsync("#connection[data-state=live]", new() { Timeout = 60_000 });
            await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "warning-screen-restart.png") });

            // The screen that lived through the kill shows what a screen loaded afresh shows: figures and map alike.
            var fresh = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1920, Height = 1080 } });
            await fresh.GotoAsync(second.BaseUrl + "/screen/");
            await fresh.WaitForSelectorAsync("#connection[data-state=live]", new() { Timeout = 60_000 });
            const string shown = @"() => JSON.stringify({
                kpis: [...document.querySelectorAll('.kpi output')].map(o => o.textContent),
                villages: window.screenMap && window.screenMap.ready() ? [...new Set(window.screenMap.villageIds())].map(id => id + ':' + window.screenMap.fillOf(id)) : null })";
            string? old = null, now = null;
            Assert.True(await Poll.UntilAsync(async () =>
            {
                (old, now) = (await page.EvaluateAsync<string>(shown), await fresh.EvaluateAsync<string>(shown));
                return old == now && !old.Contains("null");
            }, TimeSpan.FromSeconds(60)), $"the screen through the restart shows {old}, a fresh one {now}");
        }
        finally
        {
            try { Directory.Delete(data, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private async Task PostAsync(ServiceProcess service, int count)
    {
        using var client = new HttpClient { BaseAddress = new Uri(service.BaseUrl) };
        var batch = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            var report = Reports.Valid(Grids[(_posted + i) % Grids.Length]);
            report["reportedAt"] = DateTimeOffset.UtcNow.ToString("O");
            batch.Add(report);
        }
        var (status, body, _) = await Reports.PostAsync(client, "/api/v1/reports", batch);
        Assert.Equal(202, status);
        Assert.Equal(count, body!["accepted"]!.GetValue<int>());
        _posted += count;
    }

    /// <summary>
    /// Until the service holds every report posted (all open: the KPI "在办" is their number) and the screen's "今日" and
    /// "在办" equal what the API says of the city.
    /// </summary>
    private async Task ScreenAgreesAsync(IPage page, ServiceProcess service)
    {
        using var client = new HttpClient { BaseAddress = new Uri(service.BaseUrl) };
        var until = DateTime.UtcNow.AddSeconds(60);
        var (today, open, shownToday, shownOpen) = (-1, -1, "", "");
        while (DateTime.UtcNow < until)
        {
            var counts = (await Reports.GetAsync(client, $"/api/v1/regions/{City.Roots[0].Id}"))["counts"]!;
            (today, open) = ((int)counts["today"]!, (int)counts["open"]!);
            shownToday = (await page.InnerTextAsync("[data-testid=kpi-today]")).Replace(",", "");
            shownOpen = (await page.InnerTextAsync("[data-testid=kpi-open]")).Replace(",", "");
            if (open == _posted && shownToday == today.ToString() && shownOpen == open.ToString()) return;
            await Task.Delay(Poll.Interval);
        }
        output.WriteLine(service.Output.Length > 4000 ? service.Output[^4000..] : service.Output);
        Assert.Fail($"after {_posted} reports the API says today {today}, open {open}; the screen shows today {shownToday}, open {shownOpen} " +
                    $"({await page.InnerTextAsync("#connection")})");
    }
}
