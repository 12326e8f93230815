using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Warning.Web.Tests.Support;
using Xunit.Abstractions;

namespace Warning.Web.Tests.Screen;

/// <summary>The risk map and the drill-down in Debian's Chromium, against a real service process (the small city).</summary>
public sealed class ScreenMapTests(SmallCityScreen screen, ITestOutputHelper output) : IClassFixture<SmallCityScreen>
{
    private static readonly AreaHierarchy City = CityGenerator.Generate(CityShape.Small, 7);
    private const float Timeout = 60_000;

    /// <summary>Every flag of a case that turns violent: the points model puts it at high risk or above.</summary>
    private static JsonObject Dangerous(string grid)
    {
        var report = Reports.Valid(grid, "danger-" + Guid.NewGuid().ToString("N")[..12]);
        report["reportedAt"] = DateTimeOffset.UtcNow.ToString("O");
        report["category"] = "land";
        report["flags"] = new JsonArray("threat_of_violence", "weapon_mentioned", "prior_violence", "injury", "repeat_dispute", "cross_region");
        return report;
    }

    [Fact]
    public async Task A_report_that_makes_a_village_critical_recolours_it_within_a_second()
    {
        var page = await screen.OpenAsync(1920, 1080);
        using var client = new HttpClient { BaseAddress = new Uri(screen.Service.BaseUrl) };
        // Up to three villages, one report each: a 2-core machine shared with other builds (load 20-40) can stall one
        // push for a second on its own; the pipeline must still do it in under a second when not stalled.
        var fastest = double.MaxValue;
        string? startFill = null;
        Area village = null!;
        foreach (var candidate in City.AtLevel(AreaLevel.Village).OrderBy(v => v.Id, StringComparer.Ordinal).Skip(3).Take(3))
        {
            village = candidate;
            var grid = City.ChildrenOf(village.Id)[0].Id;
            Assert.Equal(0, (int)(await Reports.GetAsync(client, $"/api/v1/regions/{village.Id}"))["counts"]!["open"]!);
            // Timed inside the page: from the 202 of the page's own POST to the first frame the village's shape has another fill.
            var timing = await page.EvaluateAsync<JsonElement>(@"async ([id, report]) => {
                const start = window.screenMap.fillOf(id);
                const recoloured = new Promise((resolve) => { const check = () => window.screenMap.fillOf(id) !== start ? resolve(performance.now()) : requestAnimationFrame(check); check(); });
                const response = await fetch('/api/v1/reports', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: report });
                const accepted = performance.now();
                const at = await Promise.race([recoloured, new Promise((resolve) => setTimeout(() => resolve(null), 30000))]);
                return { status: response.status, start, ms: at == null ? null : at - accepted };
            }", new object[] { village.Id, Dangerous(grid).ToJsonString() });
            Assert.Equal(202, timing.GetProperty("status").GetInt32());
            Assert.True(timing.GetProperty("ms").ValueKind == JsonValueKind.Number, "the village was never recoloured");
            var ms = timing.GetProperty("ms").GetDouble();
            startFill = timing.GetProperty("start").GetString();
            output.WriteLine($"village {village.Id} recoloured {ms:F0} ms after the 202");
            fastest = Math.Min(fastest, ms);
            if (ms < 1000) break;
        }
        Assert.True(fastest < 1000, $"recoloured at best {fastest:F0} ms after the 202");

        // The case is at high risk or above, so the village's one open case makes it all red once the flash is over.
        var risk = (await Reports.GetAsync(client, $"/api/v1/regions/{village.Id}"))["counts"]!["risk"]!;
        Assert.Equal(1, (int)risk["highRiskOpenCases"]!);
        await page.WaitForFunctionAsync("(id) => window.screenMap.fillOf(id) === '#e0303a'", village.Id, new() { Timeout = Timeout });
        // Its neighbours kept their fill: only the changed village was restyled.
        var untouched = City.ChildrenOf(village.ParentId!).Where(v => v.Id != village.Id && City.AtLevel(AreaLevel.Village).OrderBy(x => x.Id, StringComparer.Ordinal).Skip(3).Take(3).All(t => t.Id != v.Id)).First().Id;
        Assert.Equal(startFill, await page.EvaluateAsync<string>("(id) => window.screenMap.fillOf(id)", untouched));
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_county_or_a_township_by_url_is_the_whole_screen()
    {
        var counties = City.ChildrenOf(City.Roots[0].Id);
        var (county, elsewhere) = (counties[1], counties[0]);
        using var client = new HttpClient { BaseAddress = new Uri(screen.Service.BaseUrl) };
        // Cases in another county: the city's figures and the county's differ.
        var batch = new JsonArray(City.Descendants(elsewhere.Id, AreaLevel.Grid).Take(3).Select(g => (JsonNode)Dangerous(g.Id)).ToArray());
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/reports", batch)).Status);

        var page = await screen.OpenAsync(1920, 1080, $"?regionId={county.Id}");
        var townships = City.ChildrenOf(county.Id);
        await page.WaitForFunctionAsync($"() => document.querySelectorAll('[data-testid=regions] li').length === {townships.Count}", null, new() { Timeout = Timeout });
        Assert.Equal(townships.Select(t => t.Id), await page.EvalOnSelectorAllAsync<string[]>("[data-testid=regions] li", "els => els.map(e => e.dataset.area)"));
        Assert.Contains(county.Name, await page.InnerTextAsync("[data-testid=view-path]"));
        await page.WaitForFunctionAsync($"() => window.screenMap.shapes() === {City.Descendants(county.Id, AreaLevel.Village).Count()}", null, new() { Timeout = Timeout });

        var grid = City.Descendants(county.Id, AreaLevel.Grid).First().Id;
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/reports", Dangerous(grid))).Status);
        Assert.True(await Poll.UntilAsync(async () =>
        {
            var open = (int)(await Reports.GetAsync(client, $"/api/v1/regions/{county.Id}"))["counts"]!["open"]!;
            return open > 0 && (await page.InnerTextAsync("[data-testid=kpi-open]")).Replace(",", "") == open.ToString();
        }, TimeSpan.FromSeconds(60)), "the screen's 在办 is not the county's");
        var cityOpen = (int)(await Reports.GetAsync(client, $"/api/v1/regions/{City.Roots[0].Id}"))["counts"]!["open"]!;
        Assert.NotEqual(cityOpen.ToString(), (await page.InnerTextAsync("[data-testid=kpi-open]")).Replace(",", ""));
        await page.CloseAsync();

        var township = townships[0];
        var small = await screen.OpenAsync(1920, 1080, $"?regionId={township.Id}");
        await small.WaitForFunctionAsync($"() => window.screenMap.shapes() === {City.ChildrenOf(township.Id).Count}", null, new() { Timeout = Timeout });
        await small.WaitForFunctionAsync($"() => document.querySelectorAll('[data-testid=regions] li').length === {City.ChildrenOf(township.Id).Count}", null, new() { Timeout = Timeout });
        await small.CloseAsync();

        using var missing = await client.GetAsync("/screen/?regionId=no-such-area");
        Assert.Equal(404, (int)missing.StatusCode);
    }

    [Fact]
    public async Task The_carousel_moves_a_city_screen_to_the_next_county()
    {
        var counties = City.ChildrenOf(City.Roots[0].Id);
        var page = await screen.OpenAsync(1920, 1080, $"?regionId={counties[0].Id}&carousel=5");
        var console = new PageConsole(page);
        await console.WaitAsync(() => page.WaitForURLAsync($"**regionId={counties[1].Id}**", new() { Timeout = Timeout }), "the carousel's move");
        Assert.Contains("carousel=5", page.Url);
        await page.WaitForFunctionAsync($"() => document.querySelector('[data-testid=view-path]').textContent.includes('{counties[1].Name}')", null, new() { Timeout = Timeout });
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_clock_turns_to_the_next_civil_day_at_midnight_china_time()
    {
        // A browser in another zone, its clock set 10 s before midnight in China (+08:00): the screen's date turns with China's.
        await using var context = await screen.Browser.NewContextAsync(new() { TimezoneId = "Europe/London", ViewportSize = new() { Width = 1920, Height = 1080 } });
        var page = await context.NewPageAsync();
        await page.Clock.InstallAsync(new() { TimeDate = new DateTimeOffset(2026, 12, 2, 23, 59, 50, TimeSpan.FromHours(8)).UtcDateTime });
        await page.GotoAsync(screen.Service.BaseUrl + "/screen/");
        await page.WaitForFunctionAsync("() => document.querySelector('#clock').textContent.startsWith('2026-12-02 23:59')", null, new() { Timeout = Timeout });
        await page.Clock.RunForAsync(15_000);
        await page.WaitForFunctionAsync("() => document.querySelector('#clock').textContent.startsWith('2026-12-03 00:00')", null, new() { Timeout = Timeout });
        Assert.StartsWith("2026-12-03T00:00", await page.GetAttributeAsync("#clock", "datetime"));
    }
}
