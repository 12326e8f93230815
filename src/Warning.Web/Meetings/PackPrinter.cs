using Microsoft.Extensions.Options;
using Microsoft.Playwright;

namespace Warning.Web.Meetings;

/// <summary>The renderer failed (no Chromium, a crash, a timeout): its message goes to the caller as it is.</summary>
public sealed class PackPrintException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Prints a pack's HTML to an A4 portrait PDF through headless Chromium: page numbers in the footer, the pack's own
/// stylesheet (rows are never split across pages there), CJK glyphs embedded from fonts-noto-cjk. One browser per
/// print keeps a crashed or wedged Chromium from outliving the request that started it.
/// </summary>
public sealed class PackPrinter(IOptions<MeetingsOptions> options, IWebHostEnvironment env, ILogger<PackPrinter> log)
{
    // Sandbox off: the service runs as a system user in a container-like host; the same flags as the tests' Chromium.
    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    public const string FooterTemplate =
        "<div style=\"font-size:8px;width:100%;text-align:center;color:#555\"><span class=\"pageNumber\"></span> / <span class=\"totalPages\"></span></div>";

    public async Task<byte[]> PrintAsync(string html, CancellationToken ct)
    {
        var o = options.Value;
        var css = env.WebRootFileProvider.GetFileInfo("meetings/pack.css") is { Exists: true } file
            ? await new StreamReader(file.CreateReadStream()).ReadToEndAsync(ct)
            : throw new PackPrintException("the pack stylesheet wwwroot/meetings/pack.css is missing");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(o.PrintTimeout);
        try
        {
            using var playwright = await Playwright.CreateAsync().WaitAsync(timeout.Token);
            await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = o.ChromiumPath, Headless = true, Args = ChromiumArgs, Timeout = (float)o.PrintTimeout.TotalMilliseconds })
                .WaitAsync(timeout.Token);
            var page = await browser.NewPageAsync().WaitAsync(timeout.Token);
            // Nothing is fetched: the pack holds its charts inline, and the stylesheet is added from the file.
            await page.RouteAsync("**/*", route => route.AbortAsync());
            await page.SetContentAsync(html, new() { WaitUntil = WaitUntilState.DOMContentLoaded }).WaitAsync(timeout.Token);
            await page.AddStyleTagAsync(new() { Content = css }).WaitAsync(timeout.Token);
            var pdf = await page.PdfAsync(new()
            {
                Format = "A4", Landscape = false, PrintBackground = true, DisplayHeaderFooter = true,
                HeaderTemplate = "<span></span>", FooterTemplate = FooterTemplate,
                Margin = new() { Top = "15mm", Bottom = "18mm", Left = "14mm", Right = "14mm" },
            }).WaitAsync(timeout.Token);
            log.LogInformation("Printed a meeting pack: {Bytes} bytes in {ElapsedMs} ms", pdf.Length, watch.ElapsedMilliseconds);
            return pdf;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new PackPrintException($"Chromium did not print the pack within {o.PrintTimeout.TotalSeconds:0} s");
        }
        catch (PlaywrightException ex)
        {
            throw new PackPrintException($"Chromium failed: {ex.Message.Split('\n')[0]}", ex);
        }
    }
}
