using Microsoft.Playwright;
using Warning.Web.Tests.Live;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Screen;

/// <summary>A service process and Debian's Chromium, shared by one class of screen tests.</summary>
public abstract class ScreenBrowser(params string[] settings) : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "warning-screen-" + Guid.NewGuid().ToString("N"));
    private IPlaywright? _playwright;

    public ServiceProcess Service { get; private set; } = null!;

    public string DataDirectory => _data;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Service = await ServiceProcess.StartAsync(_data, ["--Live:RefreshInterval=00:00:01", .. settings]);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ScreenPageTests.ChromiumArgs });
    }

    /// <summary>A page of the screen at a wall's size, live, its map drawn; console errors are collected into <paramref name="errors"/>.</summary>
    public async Task<IPage> OpenAsync(int width, int height, string query = "", List<string>? errors = null)
    {
        var page = await Browser.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = height }, Locale = "zh-CN" });
        if (errors is not null)
        {
            page.Console += (_, m) => { if (m.Type == "error") lock (errors) errors.Add(m.Text); };
            page.PageError += (_, e) => { lock (errors) errors.Add(e); };
        }
        await page.GotoAsync(Service.BaseUrl + "/screen/" + query);
        await page.WaitForSelectorAsync("#connection[data-state=live]", new() { Timeout = 90_000 });
        await page.WaitForFunctionAsync("() => window.screenMap && window.screenMap.ready() && window.screenMap.shapes() > 0", null, new() { Timeout = 90_000 });
        return page;
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
        await Service.DisposeAsync();
        try { Directory.Delete(_data, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

public sealed class SmallCityScreen() : ScreenBrowser();

public sealed class DingxiScreen() : ScreenBrowser("--Hierarchy:SimulatedCityShape=Dingxi", "--Hierarchy:SimulatedCitySeed=42");
