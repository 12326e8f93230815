using Microsoft.Playwright;
using Warning.Analytics.Simulation;
using Warning.Web.Tests.Live;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Meetings;

/// <summary>/meetings/ in Debian's Chromium against the service as a process: pick, preview, download links, generate, list.</summary>
public sealed class MeetingPageTests
{
    private const float Limit = 180_000;

    [Fact]
    public async Task The_page_previews_a_pack_links_its_files_and_lists_a_generated_one()
    {
        var data = Path.Combine(Path.GetTempPath(), "warning-meetings-" + Guid.NewGuid().ToString("N"));
        await using var service = await ServiceProcess.StartAsync(data);
        var city = CityGenerator.Generate(CityShape.Small, 7);
        var cityArea = city.Roots[0];
        var county = city.ChildrenOf(cityArea.Id).OrderBy(a => a.Id, StringComparer.Ordinal).First();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ScreenPageTests.ChromiumArgs });
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(Limit);
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        page.PageError += (_, e) => errors.Add(e);

        await page.GotoAsync(service.BaseUrl + "/meetings/");
        await page.WaitForSelectorAsync("body[data-ready=true]");
        Assert.Equal(cityArea.Id, await page.InputValueAsync("#region"));
        await page.SelectOptionAsync("#region", county.Id);
        await page.FillAsync("#from", "2026-01-01");
        await page.FillAsync("#to", "2026-03-31");
        await page.DispatchEventAsync("#to", "change");

        await page.ClickAsync("#preview-button");
        await page.WaitForSelectorAsync("#preview h1");
        Assert.Contains(county.Name, await page.InnerTextAsync("#preview h1"));
        // Ten numbers of cases and screening, five of alerts (unknown here: the test runs without InfluxDB).
        Assert.Equal(15, await page.Locator("#preview table.keys tbody tr").CountAsync());
        Assert.Equal("—", await page.InnerTextAsync("#preview table.keys tr[data-key=alerts_fired] td:nth-child(2)"));
        Assert.True(await page.Locator("#preview svg.chart").CountAsync() >= 1);

        var pdfHref = await page.GetAttributeAsync("#pdf", "href");
        Assert.Equal($"/api/v1/reports/briefing?regionId={county.Id}&from=2026-01-01&to=2026-03-31&format=pdf&lang=zh-CN", pdfHref);
        var csv = await page.APIRequest.GetAsync(service.BaseUrl + await page.GetAttributeAsync("#csv", "href"));
        Assert.Equal(200, csv.Status);
        Assert.Equal("application/zip", csv.Headers["content-type"]);

        await page.ClickAsync("#generate");
        await page.WaitForSelectorAsync("#packs tbody tr[data-pack]");
        Assert.Contains("v1", await page.InnerTextAsync("#packs tbody tr"));
        Assert.Contains(county.Name, await page.InnerTextAsync("#packs tbody tr"));
        Assert.StartsWith("已保存", await page.InnerTextAsync("#status"));
        // The stored pack's notice (an info alert) is listed above, linking to it.
        var packId = (await page.GetAttributeAsync("#packs tbody tr[data-pack]", "data-pack"))!;
        await page.WaitForSelectorAsync($"#notices li[data-pack='{packId}']");
        Assert.Contains(county.Name, await page.InnerTextAsync($"#notices li[data-pack='{packId}']"));
        Assert.Equal($"/api/v1/reports/{packId}?format=html", await page.GetAttributeAsync($"#notices li[data-pack='{packId}'] a", "href"));
        Assert.Empty(errors);
    }
}
