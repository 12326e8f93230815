using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Live;

/// <summary>Details of the big screen in Debian's Chromium that a new user found wrong (issue 9).</summary>
public sealed class ScreenDetailsTests(ScreenDetailsTests.Service service) : IClassFixture<ScreenDetailsTests.Service>
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

        await page.GotoAsync(service.Process.BaseUrl + "/screen/");
        await page.WaitForSelectorAsync("#connection[data-state=live]", new() { Timeout = Timeout });
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=as-of]').textContent !== ''", null, new() { Timeout = Timeout });

        Volatile.Write(ref dropping, true);
        await page.WaitForSelectorAsync("#connection[data-state=stale]", new() { Timeout = Timeout });
        Assert.NotEqual("实时", await page.InnerTextAsync("#connection"));
        Assert.StartsWith("数据截至", await page.InnerTextAsync("[data-testid=as-of]"));
        var frozenAt = await page.GetAttributeAsync("[data-testid=as-of]", "datetime");

        Volatile.Write(ref dropping, false);
        await page.WaitForSelectorAsync("#connection[data-state=live]", new() { Timeout = Timeout });
        await page.WaitForFunctionAsync("at => document.querySelector('[data-testid=as-of]').getAttribute('datetime') !== at", frozenAt, new() { Timeout = Timeout });
    }
}
