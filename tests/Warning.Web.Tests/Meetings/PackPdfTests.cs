using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Warning.Analytics.Disputes;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Meetings;

/// <summary>The PDF through Debian's Chromium, read back with poppler's pdftoppm and pdftotext.</summary>
public sealed class PackPdfTests(MeetingHistory history) : IClassFixture<MeetingHistory>
{
    [Fact]
    public async Task The_pdf_opens_with_numbered_pages_holds_the_areas_chinese_name_and_no_person()
    {
        var client = history.App.CreateClient();
        client.Timeout = TimeSpan.FromMinutes(5);
        var county = history.Factory.Hierarchy.ChildrenOf(history.Factory.CityId).OrderBy(a => a.Id, StringComparer.Ordinal).First();
        using var response = await client.GetAsync($"/api/v1/reports/briefing?regionId={county.Id}&from=2026-08-01&to=2026-10-31&format=pdf");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        var dir = Directory.CreateTempSubdirectory("warning-pack-");
        try
        {
            var pdf = Path.Combine(dir.FullName, "pack.pdf");
            await File.WriteAllBytesAsync(pdf, await response.Content.ReadAsByteArrayAsync());

            await RunAsync("pdftoppm", "-r", "20", "-png", pdf, Path.Combine(dir.FullName, "page"));
            var pages = dir.GetFiles("page*.png").Length;
            Assert.True(pages >= 3, $"{pages} pages: a quarter's pack has a cover, tables and an appendix");

            var text = await RunAsync("pdftotext", "-layout", pdf, "-");
            Assert.Contains(county.Name, text);
            Assert.Contains("矛盾纠纷风险研判会材料", text);
            // The footer numbers every page "n / N", N being the page count pdftoppm rendered.
            for (var n = 1; n <= pages; n++) Assert.Matches(new Regex($@"(^|\s){n}\s?/\s?{pages}(\s|$)", RegexOptions.Multiline), text);
            foreach (var p in history.KeyIndividuals) Assert.DoesNotContain(p.PersonId, text);
            foreach (var reporter in history.Records.OfType<ScreeningReport>().Select(r => r.ReporterId).Distinct()) Assert.DoesNotContain(reporter, text);

            // Every font is embedded (Chromium embeds the CJK glyphs as Type 3 fonts), none left to the reader's machine.
            var fonts = (await RunAsync("pdffonts", pdf)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2).ToArray();
            Assert.NotEmpty(fonts);
            Assert.All(fonts, l => Assert.Matches(@"\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", l));
            Assert.All(fonts, l => Assert.Equal("yes", Regex.Match(l, @"\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$").Groups[1].Value));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_renderer_that_fails_gives_its_message_and_the_html_and_csv_are_still_served()
    {
        using var factory = new WarningAppFactory();
        using var app = factory.WithWebHostBuilder(b => b.UseSetting("Meetings:ChromiumPath", "/nonexistent/chromium"));
        var client = app.CreateClient();
        var q = $"/api/v1/reports/briefing?regionId={factory.CityId}&from=2026-01-01&to=2026-01-31";
        using var pdf = await client.GetAsync(q + "&format=pdf");
        Assert.Equal(503, (int)pdf.StatusCode);
        var problem = JsonNode.Parse(await pdf.Content.ReadAsStringAsync())!;
        Assert.Contains("/nonexistent/chromium", (string?)problem["detail"]);
        Assert.Equal(200, (int)(await client.GetAsync(q + "&format=html")).StatusCode);
        Assert.Equal(200, (int)(await client.GetAsync(q + "&format=csv")).StatusCode);
    }

    private static async Task<string> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(process.ExitCode == 0, $"{file} failed: {await stderr}");
        return await stdout;
    }
}
