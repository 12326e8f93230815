using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Live;

/// <summary>Details of the big screen in Debian's Chromium that a new user found wrong (issue 9).</summary>
public sealed class ScreenDetailsTests(ScreenDetailsTests.Service service, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<ScreenDetailsTests.Service>
{
    private const float Timeout = 60_000;

    /// <summary>One service with a situation pushed every second, changed or not, so a screen notices silence within seconds.</summary>
    public sealed class Service : IAsyncLifetime
    {
        private readonly string _data = Path.Combine(Path.GetTempPath(), "warning-screen-details-" + Guid.NewGuid().ToString("N"));
        private IPlaywright? _playwright;

        public ServiceProcess Process { get; private set; } = null!;

        public IBrowser Browser { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Process = await ServiceProcess.StartAsync(_data, "--Live:RefreshInterval=00:00:01");
            _playwright = await Playwright.CreateAsync();
            Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ScreenPageTests.ChromiumArgs });
        }

        public async Task DisposeAsync()
        {
            await Browser.DisposeAsync();
            _playwright?.Dispose();
            await Process.DisposeAsync();
            try { Directory.Delete(_data, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    [Theory]
    [InlineData(null, "America/New_York", "+08:00")]
    [InlineData("-03:30:00", "Asia/Shanghai", "-03:30")]
    public async Task The_clock_and_the_data_time_are_in_the_services_civil_time_whatever_the_browsers_zone(string? utcOffset, string browserZone, string expected)
    {
        var data = Path.Combine(Path.GetTempPath(), "warning-screen-clock-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var own = utcOffset is null ? null : await ServiceProcess.StartAsync(data, $"--Clock:UtcOffset={utcOffset}");
            await ClockIsCivilAsync((own ?? service.Process).BaseUrl, browserZone, expected);
        }
        finally
        {
            try { Directory.Delete(data, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private async Task ClockIsCivilAsync(string baseUrl, string browserZone, string expected)
    {
        await using var context = await service.Browser.NewContextAsync(new() { TimezoneId = browserZone, Locale = "zh-CN", ViewportSize = new() { Width = 1920, Height = 1080 } });
        var page = await context.NewPageAsync();
        Assert.NotEqual(expected, await page.EvaluateAsync<string>("() => { const m = -new Date().getTimezoneOffset(); return (m < 0 ? '-' : '+') + String(Math.floor(Math.abs(m) / 60)).padStart(2, '0') + ':' + String(Math.abs(m) % 60).padStart(2, '0'); }"));

        await page.GotoAsync(baseUrl + "/screen/");
        await page.WaitForSelectorAsync("#connection[data-state=live]", new() { Timeout = Timeout });
        await page.WaitForFunctionAsync("() => /\\d:\\d\\d:\\d\\d/.test(document.querySelector('#clock').textContent)", null, new() { Timeout = Timeout });

        var offset = TimeSpan.Parse(expected.TrimStart('+'), CultureInfo.InvariantCulture);
        var clockText = await page.InnerTextAsync("#clock");
        var civilNow = DateTimeOffset.UtcNow.ToOffset(offset);
        var shownTime = TimeSpan.Parse(Regex.Match(clockText, @"\d{1,2}:\d\d:\d\d").Value, CultureInfo.InvariantCulture);
        var apart = Math.Abs((civilNow.TimeOfDay - shownTime).TotalMinutes);
        Assert.True(Math.Min(apart, 24 * 60 - apart) < 2, $"clock shows {clockText}, civil time ({expected}) is {civilNow:yyyy-MM-dd HH:mm:ss}");
        var shown = DateTime.ParseExact(clockText, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        Assert.True(Math.Abs((civilNow.DateTime - shown).TotalMinutes) < 2, $"clock shows {clockText}, civil time ({expected}) is {civilNow:yyyy-MM-dd HH:mm:ss}");
        var clockAt = DateTimeOffset.Parse(await page.GetAttributeAsync("#clock", "datetime") ?? "", CultureInfo.InvariantCulture);
        Assert.Equal(offset, clockAt.Offset);

        // "数据截至" is the service's time of the last message, in the same civil time.
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=as-of]').textContent !== ''", null, new() { Timeout = Timeout });
        // Text and attribute in one read: the situation comes every second here, and the time moves on between two.
        var asOfShown = await page.EvaluateAsync<string[]>("() => { const e = document.querySelector('[data-testid=as-of]'); return [e.textContent, e.dateTime]; }");
        var asOfText = asOfShown[0];
        var asOf = DateTimeOffset.Parse(asOfShown[1], CultureInfo.InvariantCulture);
        Assert.Equal(offset, asOf.Offset);
        Assert.True(Math.Abs((DateTimeOffset.UtcNow - asOf).TotalMinutes) < 2, $"data as of {asOf:O}");
        Assert.Contains(asOf.ToString("HH:mm:ss", CultureInfo.InvariantCulture), asOfText);
    }

    [Fact]
    public async Task A_connection_that_brings_no_data_is_not_shown_as_live()
    {
        await using var context = await service.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1920, Height = 1080 } });
        var page = await context.NewPageAsync();
        // Between the page and the service: everything passes, except, while dropping, the pushed messages (SignalR's
        // JSON records, separated by 0x1E). Pings and answers still come: the connection stays up, the data stops.
        var dropping = false;
        await page.RouteWebSocketAsync(new Regex("/hubs/screen"), ws =>
        {
            var server = ws.ConnectToServer();
            ws.OnMessage(frame => { if (frame.Text is { } text) server.Send(text); else server.Send(frame.Binary!); });
            server.OnMessage(frame =>
            {
                if (frame.Text is not { } text) { ws.Send(frame.Binary!); return; }
                if (Volatile.Read(ref dropping))
                    text = string.Concat(text.Split('\u001e', StringSplitOptions.RemoveEmptyEntries).Where(r => !r.Contains("\"target\":\"message\"")).Select(r => r + '\u001e'));
                if (text.Length > 0) ws.Send(text);
            });
        });

        var console = new PageConsole(page);
        await page.GotoAsync(service.Process.BaseUrl + "/screen/");
        await page.WaitForSelectorAsync("#connection[data-state=live]", new() { Timeout = Timeout });
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=as-of]').textContent !== ''", null, new() { Timeout = Timeout });

        Volatile.Write(ref dropping, true);
        await console.WaitAsync(() => page.WaitForSelectorAsync("#connection[data-state=stale]", new() { Timeout = Timeout }), "the stale warning");
        Assert.NotEqual("实时", await page.InnerTextAsync("#connection"));
        Assert.StartsWith("数据截至", await page.InnerTextAsync("[data-testid=as-of]"));
        var frozenAt = await page.GetAttributeAsync("[data-testid=as-of]", "datetime");

        Volatile.Write(ref dropping, false);
        await page.WaitForSelectorAsync("#connection[data-state=live]", new() { Timeout = Timeout });
        await page.WaitForFunctionAsync("at => document.querySelector('[data-testid=as-of]').getAttribute('datetime') !== at", frozenAt, new() { Timeout = Timeout });
    }

    [Theory]
    [InlineData(1920, 1080)]
    [InlineData(1366, 768)]
    public async Task The_trend_chart_names_categories_in_chinese_and_keeps_its_labels_inside(int width, int height)
    {
        await using var context = await service.Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        // The trends endpoint's answer (its name is the wire key, as for categories it is), with a five-digit day: a wide axis label.
        await page.RouteAsync("**/api/v1/trends/status", route => route.FulfillAsync(new() { ContentType = "application/json", Body = "{\"enabled\":true}" }));
        await page.RouteAsync(new Regex("/api/v1/regions/[^/]+/trends"), route => route.FulfillAsync(new() { ContentType = "application/json", Body = Trend(("neighbor", 12345), ("marriage_family", 4321), ("labor_wage", 99)) }));

        await page.GotoAsync(service.Process.BaseUrl + "/screen/");
        await page.WaitForSelectorAsync("[data-testid=trend-chart][data-series='3']", new() { State = WaitForSelectorState.Attached, Timeout = Timeout });

        var labels = await page.Locator("[data-testid=trend-chart] text").AllTextContentsAsync();
        output.WriteLine(string.Join(" | ", labels));
        Assert.Contains(labels, l => l.StartsWith("邻里 ", StringComparison.Ordinal));
        Assert.Contains(labels, l => l.StartsWith("婚姻家庭 ", StringComparison.Ordinal));
        Assert.Contains(labels, l => l.StartsWith("劳资欠薪 ", StringComparison.Ordinal));
        // Today, still filling up, is labelled as such (a bar of its own, not the end of the areas).
        Assert.Contains(labels, l => l.Contains("今日", StringComparison.Ordinal));
        Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            await page.GetAttributeAsync("[data-testid=trend-chart]", "data-partial-day"));
        Assert.DoesNotContain(labels, l => Regex.IsMatch(l, "[a-z_]{3,}"));

        var outside = await page.EvaluateAsync<string[]>(@"() => {
            const chart = document.querySelector('[data-testid=trend-chart]').getBoundingClientRect();
            const box = { left: Math.max(chart.left, 0), top: Math.max(chart.top, 0), right: Math.min(chart.right, innerWidth), bottom: Math.min(chart.bottom, innerHeight) };
            return [...document.querySelectorAll('[data-testid=trend-chart] text')].filter(t => {
                const r = t.getBoundingClientRect();
                return r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5;
            }).map(t => { const r = t.getBoundingClientRect(); return `${t.textContent} [${r.left}, ${r.top}, ${r.right}, ${r.bottom}] outside [${box.left}, ${box.top}, ${box.right}, ${box.bottom}]`; });
        }");
        Assert.True(outside.Length == 0, $"cut off at {width}×{height}: {string.Join(", ", outside)}");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), $"warning-screen-trend-labels-{width}.png") });
    }

    /// <summary>A 30-day trend whose every series peaks at its value on the last day.</summary>
    private static string Trend(params (string Key, int Peak)[] series)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        return new JsonObject
        {
            ["regionId"] = "city", ["level"] = "city", ["by"] = "category", ["field"] = "opened", ["days"] = 30,
            ["from"] = DateTimeOffset.UtcNow.AddDays(-29).ToString("O"),
            ["series"] = new JsonArray(series.Select(s => (JsonNode)new JsonObject
            {
                ["key"] = s.Key, ["name"] = s.Key, ["total"] = s.Peak + 29,
                ["points"] = new JsonArray(Enumerable.Range(0, 30).Select(i => (JsonNode)new JsonObject
                {
                    ["day"] = today.AddDays(i - 29).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["value"] = i == 29 ? s.Peak : 1,
                }).ToArray()),
            }).ToArray()),
        }.ToJsonString();
    }
}
