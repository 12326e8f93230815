using Microsoft.Playwright;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Xunit.Abstractions;

namespace Warning.Web.Tests.Screen;

/// <summary>The wall sizes of issue 15 with Dingxi's seven counties and ~1,000 villages: nothing scrolls, nothing is cut off.</summary>
public sealed class ScreenWallTests(DingxiScreen screen, ITestOutputHelper output) : IClassFixture<DingxiScreen>
{
    private static readonly AreaHierarchy City = CityGenerator.Generate(CityShape.Named("Dingxi"), 42);

    [Theory]
    [InlineData(1920, 1080)]
    [InlineData(3840, 2160)]
    [InlineData(5760, 1080)]
    public async Task Every_panel_is_in_view_uncut_and_the_map_has_one_shape_per_village(int width, int height)
    {
        var errors = new List<string>();
        var page = await screen.OpenAsync(width, height, errors: errors);
        var villages = City.AtLevel(AreaLevel.Village).Count();
        await page.WaitForFunctionAsync($"() => window.screenMap.shapes() === {villages}", null, new() { Timeout = 60_000 });
        await page.WaitForFunctionAsync("() => document.querySelectorAll('[data-testid=regions] li').length === 7", null, new() { Timeout = 60_000 });
        await page.WaitForFunctionAsync("() => document.querySelector('#compliance-chart').dataset.bars !== undefined", null, new() { Timeout = 60_000 });

        var problems = await page.EvaluateAsync<string[]>(CutOffScript);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), $"warning-screen-wall-{width}x{height}.png") });
        output.WriteLine(string.Join("\n", problems));
        Assert.True(problems.Length == 0, $"at {width}×{height}: " + string.Join("; ", problems));
        Assert.Empty(errors);
        await page.CloseAsync();
    }

    /// <summary>
    /// Every panel inside the window, with a size; every text and chart inside its panel; no scroll bars. Returns what
    /// is wrong, in words.
    /// </summary>
    public const string CutOffScript = @"() => {
        const problems = [];
        const W = window.innerWidth, H = window.innerHeight;
        const root = document.documentElement;
        if (root.scrollWidth > W || root.scrollHeight > H) problems.push(`page scrolls: ${root.scrollWidth}×${root.scrollHeight} in ${W}×${H}`);
        const boxes = [...document.querySelectorAll('[data-panel], header, footer')];
        for (const box of boxes) {
            const r = box.getBoundingClientRect();
            const name = box.dataset.panel || box.tagName.toLowerCase();
            if (r.width < 20 || r.height < 20) problems.push(`${name} has no room: ${r.width}×${r.height}`);
            if (r.left < -0.5 || r.top < -0.5 || r.right > W + 0.5 || r.bottom > H + 0.5) problems.push(`${name} outside the window: ${JSON.stringify(r)}`);
            for (const el of box.querySelectorAll('h2, output, small, td, li, span, .chart, canvas')) {
                const e = el.getBoundingClientRect();
                if (e.width === 0 && e.height === 0) continue;
                if (e.bottom > r.bottom + 1 || e.right > r.right + 1 || e.top < r.top - 1 || e.left < r.left - 1)
                    problems.push(`${name}: ${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} '${(el.textContent || '').slice(0, 20)}' cut off (${Math.round(e.bottom - r.bottom)} px below, ${Math.round(e.right - r.right)} px right)`);
                if (['OUTPUT', 'H2', 'TD'].includes(el.tagName) && el.scrollWidth > el.clientWidth + 1)
                    problems.push(`${name}: ${el.tagName.toLowerCase()} '${el.textContent.slice(0, 20)}' wider than its box`);
            }
        }
        for (const chart of document.querySelectorAll('.chart')) {
            const r = chart.getBoundingClientRect();
            if (r.height < 40) problems.push(`${chart.id} is ${Math.round(r.height)} px high`);
        }
        return problems;
    }";
}
