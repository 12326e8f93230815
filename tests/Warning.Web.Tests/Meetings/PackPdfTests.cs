using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
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

    /// <summary>
    /// A4 portrait with no table row split across pages (issue 16). A pack's rows are mostly one line, where a split
    /// cannot show; so the pack's printer and stylesheet print a table of tall rows, each marked on its first and last
    /// line, and every row must start and end on the same page.
    /// </summary>
    [Fact]
    public async Task The_printer_keeps_every_table_row_of_a_pack_on_one_page()
    {
        var rows = string.Concat(Enumerable.Range(0, 60).Select(i =>
            $"<tr><td>{i}</td><td>R{i:00}首行<br>化解措施：司法所联合村委会调解<br>第三行<br>第四行<br>第五行<br>R{i:00}末行</td><td class=\"num\">{i * 7}</td></tr>"));
        var html = $"<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"></head><body class=\"pack\"><section><h2>研判案件</h2>" +
                   $"<table><thead><tr><th>序号</th><th>情况</th><th>分值</th></tr></thead><tbody>{rows}</tbody></table></section></body></html>";
        var printer = history.App.Services.GetRequiredService<Warning.Web.Meetings.PackPrinter>();
        var dir = Directory.CreateTempSubdirectory("warning-rows-");
        try
        {
            var pdf = Path.Combine(dir.FullName, "rows.pdf");
            await File.WriteAllBytesAsync(pdf, await printer.PrintAsync(html, CancellationToken.None));
            var pages = new List<string>();
            for (var n = 1; ; n++)
            {
                var start = new ProcessStartInfo("pdftotext") { RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var a in new[] { "-f", $"{n}", "-l", $"{n}", pdf, "-" }) start.ArgumentList.Add(a);
                using var process = Process.Start(start)!;
                var text = await process.StandardOutput.ReadToEndAsync();
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
                // Past the last page pdftotext fails ("wrong page range").
                if (process.ExitCode != 0) break;
                pages.Add(text);
            }
            // The table must run over several pages, or the test could not catch a split.
            Assert.True(pages.Count >= 3, $"{pages.Count} pages");
            for (var i = 0; i < 60; i++)
            {
                var first = pages.FindIndex(p => p.Contains($"R{i:00}首行"));
                var last = pages.FindIndex(p => p.Contains($"R{i:00}末行"));
                Assert.True(first >= 0 && first == last, $"row {i} starts on page {first + 1} and ends on page {last + 1}");
            }
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
