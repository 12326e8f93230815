using System.Diagnostics;
using Microsoft.Playwright;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Warning.Web.Tests.Support;
using Xunit.Abstractions;

namespace Warning.Web.Tests.Live;

/// <summary>The big screen in Debian's real Chromium, fed over SignalR by the real JS client.</summary>
public sealed class ScreenPageTests(ITestOutputHelper output)
{
    public static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];

    [Fact]
    public async Task The_screen_shows_a_new_report_without_reloading()
    {
        var data = Path.Combine(Path.GetTempPath(), "warning-screen-" + Guid.NewGuid().ToString("N"));
        await using var service = await ServiceProcess.StartAsync(data);
        var grid = CityGenerator.Generate(CityShape.Small, 7).AtLevel(AreaLevel.Grid).First().Id;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1920, Height = 1080 } });
        var consoleErrors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") consoleErrors.Add(m.Text); };

        await page.GotoAsync(service.BaseUrl + "/screen/");
        await page.WaitForSelectorAsync("#connection[data-state=live]");
        await page.WaitForFunctionAsync("() => /^\\d/.test(document.querySelector('[data-testid=kpi-today]').textContent)");
        var before = int.Parse(await page.InnerTextAsync("[data-testid=kpi-today]"));
        var openBefore = int.Parse((await page.InnerTextAsync("[data-testid=kpi-open]")).Replace(",", ""));

        using var client = new HttpClient { BaseAddress = new Uri(service.BaseUrl) };
        var report = Reports.Valid(grid);
        report["category"] = "labor_wage";
        report["reportedAt"] = DateTimeOffset.UtcNow.ToString("O");
        var clock = Stopwatch.StartNew();
        var (status, _, _) = await Reports.PostAsync(client, "/api/v1/reports", report);
        Assert.Equal(202, status);

        await page.WaitForFunctionAsync($"() => document.querySelector('[data-testid=kpi-today]').textContent.replace(/,/g, '') === '{before + 1}'",
            null, new() { Timeout = 10_000 });
        output.WriteLine($"screen updated {clock.ElapsedMilliseconds} ms after the 202");
        Assert.Equal(openBefore + 1, int.Parse((await page.InnerTextAsync("[data-testid=kpi-open]")).Replace(",", "")));
        Assert.Equal("劳资欠薪", await page.InnerTextAsync("#categories tr[data-category=labor_wage] td:first-child"));
        // One city: its counties are listed side by side, and the new case's county shows it.
        var city = CityGenerator.Generate(CityShape.Small, 7);
        var counties = city.ChildrenOf(city.Roots[0].Id);
        Assert.Equal(counties.Count, await page.Locator("[data-testid=regions] li").CountAsync());
        var county = city.PathToRoot(grid).Single(a => a.Level == AreaLevel.County);
        Assert.Equal(county.Name, await page.InnerTextAsync($"[data-testid=regions] li[data-area='{county.Id}'] span:first-child"));
        Assert.Matches(@"^\d", await page.InnerTextAsync("[data-testid=kpi-high-risk]"));
        Assert.Empty(consoleErrors);

        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "warning-screen.png") });
    }

    [Fact]
    public async Task Every_county_of_a_seven_county_city_is_in_view_on_the_wall()
    {
        var data = Path.Combine(Path.GetTempPath(), "warning-screen-" + Guid.NewGuid().ToString("N"));
        await using var service = await ServiceProcess.StartAsync(data, "--Hierarchy:SimulatedCityShape=Dingxi", "--Hierarchy:SimulatedCitySeed=42");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs });
        foreach (var (width, height) in new[] { (1920, 1080), (1366, 768) })
        {
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = height } });
            await page.GotoAsync(service.BaseUrl + "/screen/");
            await page.WaitForSelectorAsync("#connection[data-state=live]");
            await page.WaitForFunctionAsync("() => document.querySelectorAll('[data-testid=regions] li').length === 7");
            // A wall display does not scroll: the last row's bottom must be inside the list's visible box.
            var hidden = await page.EvaluateAsync<int>(@"() => {
                const list = document.querySelector('[data-testid=regions]').getBoundingClientRect();
                return [...document.querySelectorAll('[data-testid=regions] li')].filter(li => li.getBoundingClientRect().bottom > list.bottom + 1).length;
            }");
            Assert.True(hidden == 0, $"{hidden} of 7 counties cut off at {width}×{height}");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), $"warning-screen-dingxi-{width}.png") });
            await page.CloseAsync();
        }
    }
}
