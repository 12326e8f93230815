using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Warning.Web.Tests.Live;
using Warning.Web.Tests.Support;
using Xunit.Abstractions;

namespace Warning.Web.Tests.Screen;

/// <summary>
/// Days on the wall, compressed: the demo feed at 2,400× (a simulated day in 36 s) for six simulated days in one
/// browser session. The page must not grow: JS heap (after a forced collection, read through the DevTools protocol)
/// within 20 % of the first day's, the DOM node count stable from the second day, and no error on the console.
/// </summary>
public sealed class ScreenSoakTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Six_simulated_days_leave_the_heap_and_the_dom_as_they_were_after_the_first()
    {
        var data = Path.Combine(Path.GetTempPath(), "warning-screen-soak-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var service = await ServiceProcess.StartAsync(data, "--Simulator:Enabled=true", "--Simulator:Speed=2400", "--Simulator:HistoryDays=1",
                "--Live:RefreshInterval=00:00:02");
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ScreenPageTests.ChromiumArgs });
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1920, Height = 1080 } });
            var errors = new List<string>();
            page.Console += (_, m) => { if (m.Type == "error") lock (errors) errors.Add(m.Text); };
            page.PageError += (_, e) => { lock (errors) errors.Add(e); };
            var cdp = await page.Context.NewCDPSessionAsync(page);
            await cdp.SendAsync("Performance.enable");

            await page.GotoAsync(service.BaseUrl + "/screen/");
            await page.WaitForSelectorAsync("#connection[data-state=live]", new() { Timeout = 120_000 });
            await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=simulated]').dataset.day", null, new() { Timeout = 120_000 });
            var startDay = DateOnly.Parse(await page.GetAttributeAsync("[data-testid=simulated]", "data-day") ?? "", CultureInfo.InvariantCulture);

            async Task<(double Heap, double Nodes)> SettleOnDayAsync(int day)
            {
                var wanted = startDay.AddDays(day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                await page.WaitForFunctionAsync($"() => document.querySelector('[data-testid=simulated]').dataset.day >= '{wanted}'", null, new() { Timeout = 180_000, PollingInterval = 1000 });
                await cdp.SendAsync("HeapProfiler.collectGarbage");
                var metrics = (await cdp.SendAsync("Performance.getMetrics"))!.Value.GetProperty("metrics").EnumerateArray()
                    .ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("value").GetDouble());
                // The page's own elements; the charts' SVG shapes and the alert ticker's lines come and go with the data (a bar
                // per rising category, a line per alert), bounded apart.
                var nodes = await page.EvaluateAsync<double>("() => [...document.getElementsByTagName('*')].filter(e => !e.closest('.chart') && !e.closest('#alerts')).length");
                var chartNodes = await page.EvaluateAsync<double>("() => document.querySelectorAll('.chart *').length");
                Assert.True(chartNodes < 3000, $"{chartNodes} elements in the charts");
                var alertLines = await page.EvaluateAsync<double>("() => document.querySelectorAll('#alerts li').length");
                Assert.True(alertLines <= 41, $"{alertLines} lines in the alert ticker");
                output.WriteLine($"simulated {wanted}: JS heap {metrics["JSHeapUsedSize"] / 1e6:F1} MB, {nodes} elements (+{chartNodes} in charts), {metrics["Nodes"]} DOM nodes, " +
                    $"today {await page.InnerTextAsync("[data-testid=kpi-today]")}, {await page.InnerTextAsync("[data-testid=simulated]")}");
                return (metrics["JSHeapUsedSize"], nodes);
            }

            var first = await SettleOnDayAsync(1);
            // The first day still fills what starts empty (a CI run once saw 177 elements after it and 199 on every day
            // after): the element count is held from the second day on.
            var second = await SettleOnDayAsync(2);
            var last = second;
            for (var day = 3; day <= 6; day++) last = await SettleOnDayAsync(day);

            Assert.True(last.Heap <= first.Heap * 1.2, $"JS heap grew from {first.Heap / 1e6:F1} MB after day 1 to {last.Heap / 1e6:F1} MB after day 6");
            Assert.True(Math.Abs(last.Nodes - second.Nodes) <= second.Nodes * 0.05, $"DOM went from {second.Nodes} elements after day 2 to {last.Nodes} after day 6");
            Assert.Equal("live", await page.GetAttributeAsync("#connection", "data-state"));
            Assert.Empty(errors);
        }
        finally
        {
            try { Directory.Delete(data, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
