// The big screen in Debian's Chromium against a published service: report accepted (202) → its village recoloured on
// the map, at 200 reports/s, and the map's first frame for Dingxi (~1,000 villages) and a province (~16,000).
// Usage: ScreenBench <path to Warning.Web.dll> [reportsPerSecond=200] [seconds=5]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;

var webDll = args.Length > 0 ? args[0] : throw new ArgumentException("usage: ScreenBench <path to Warning.Web.dll> [reportsPerSecond=200] [seconds=5]");
var rate = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
var seconds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
var key = "wk_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
var keyHash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key))).ToLowerInvariant();
string[] chromiumArgs = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];
var rows = new List<string>();
void Row(string what, string dingxi, string province) { rows.Add($"| {what} | {dingxi} | {province} |"); Console.Error.WriteLine($"{what}: {dingxi} | {province}"); }

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = chromiumArgs });

var dingxi = await MeasureAsync("Dingxi", 42, latency: true);
var province = await MeasureAsync("Province", 7, latency: false);

Console.WriteLine($"Screen benchmark: {Environment.ProcessorCount} cores, Chromium headless 1920×1080, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load {File.ReadAllText("/proc/loadavg").Trim()}");
Console.WriteLine();
Console.WriteLine("| measure | Dingxi | Province |");
Console.WriteLine("| --- | --- | --- |");
Row("villages on the map", $"{dingxi.Villages:N0}", $"{province.Villages:N0}");
Row("boundaries GeoJSON, fetch + parse, median of 3 loads (ms)", $"{dingxi.FetchMs:F0}", $"{province.FetchMs:F0}");
Row("map first frame after the GeoJSON, median of 3 loads (ms)", $"{dingxi.RenderMs:F0}", $"{province.RenderMs:F0}");
Row($"report accepted → village recoloured, p50 at {rate}/s (ms)", $"{dingxi.P50:F0}", "–");
Row($"report accepted → village recoloured, p99 at {rate}/s (ms)", $"{dingxi.P99:F0}", "–");
Row("reports / villages seen recoloured", $"{dingxi.Seen}", "–");
foreach (var r in rows) Console.WriteLine(r);

async Task<Result> MeasureAsync(string shape, int seed, bool latency)
{
    var city = CityGenerator.Generate(CityShape.Named(shape), seed);
    var work = Path.Combine(Path.GetTempPath(), "warning-screen-bench-" + Guid.NewGuid().ToString("N"));
    var port = FreePort();
    var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[]
             {
                 webDll, "--contentRoot", Path.GetDirectoryName(webDll)!, "--urls", $"http://127.0.0.1:{port}",
                 $"--Storage:DataDirectory={Path.Combine(work, "data")}", $"--Hierarchy:SimulatedCityShape={shape}", $"--Hierarchy:SimulatedCitySeed={seed}",
                 "--Simulator:Enabled=false", "--Influx:Enabled=false", "--Serilog:MinimumLevel:Default=Warning", $"--Orleans:SiloPort={FreePort()}",
                 "--Auth:DemoAccounts=true", "--Auth:ProvisionedKeys:0:Name=bench", $"--Auth:ProvisionedKeys:0:Sha256={keyHash}", "--Auth:ProvisionedKeys:0:Kinds:0=report",
                 "--Risk:RescoreOnStartup=false",
             })
        info.ArgumentList.Add(a);
    using var process = Process.Start(info)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Console.Error.WriteLine("  service: " + line); };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    try
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"service exited with {process.ExitCode}");
            try { if ((await http.GetAsync("/healthz")).IsSuccessStatusCode && File.Exists(Path.Combine(work, "data", "demo-accounts.txt"))) break; } catch (HttpRequestException) { }
            await Task.Delay(200);
        }
        var screenUrl = File.ReadLines(Path.Combine(work, "data", "demo-accounts.txt")).Single(l => l.StartsWith("big screen: ", StringComparison.Ordinal))["big screen: ".Length..];
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1920, Height = 1080 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(http.BaseAddress + screenUrl.TrimStart('/'));
        var fetches = new List<double>();
        var renders = new List<double>();
        var villages = 0;
        for (var load = 0; load < 3; load++)
        {
            if (load > 0) await page.ReloadAsync();
            await page.WaitForFunctionAsync("() => window.screenMap && window.screenMap.ready() && window.screenMap.timings().renderMs !== undefined", null, new() { Timeout = 600_000, PollingInterval = 100 });
            var t = JsonDocument.Parse(await page.EvaluateAsync<string>("() => JSON.stringify(window.screenMap.timings())")).RootElement;
            fetches.Add(t.GetProperty("fetchMs").GetDouble());
            renders.Add(t.GetProperty("renderMs").GetDouble());
            villages = t.GetProperty("villages").GetInt32();
        }
        if (!latency) return new(villages, Median(fetches), Median(renders), double.NaN, double.NaN, "");
        await page.WaitForSelectorAsync("#connection[data-state=live]", new() { Timeout = 120_000 });

        // Every village starts with no open case; one report each turns it from "nothing open" to a colour.
        var targets = city.AtLevel(AreaLevel.Village).OrderBy(_ => Random.Shared.Next()).Take(rate * seconds)
            .Select(v => (Village: v.Id, Grid: city.ChildrenOf(v.Id)[0].Id)).ToArray();
        await page.EvaluateAsync(@"(ids) => {
            const data = echarts.getInstanceByDom(document.getElementById('map')).getModel().getSeriesByIndex(0).getData();
            const els = new Map();
            for (let i = 0; i < data.count(); i++) els.set(data.getName(i), data.getItemGraphicEl(i));
            const fill = (id) => els.get(id)?.childAt(0)?.style.fill;
            const waiting = new Map(ids.map((id) => [id, fill(id)]));
            window.recoloured = {};
            const check = () => {
                const now = Date.now();
                for (const [id, start] of waiting) if (fill(id) !== start) { window.recoloured[id] = now; waiting.delete(id); }
                if (waiting.size) requestAnimationFrame(check);
            };
            check();
        }", targets.Select(t => t.Village).ToArray());

        var accepted = new Dictionary<string, long>();
        var watch = Stopwatch.StartNew();
        var posts = new List<Task>();
        for (var i = 0; i < targets.Length; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            if (watch.Elapsed < due) await Task.Delay(due - watch.Elapsed);
            var (village, grid) = targets[i];
            var body = JsonSerializer.Serialize(new
            {
                reportId = "bench-" + Guid.NewGuid().ToString("N"), gridId = grid, reportedAt = DateTimeOffset.UtcNow.ToString("O"), reporterId = "bench",
                category = "neighbor", status = "screened", partiesCount = 2, peopleInvolved = 2, mediationAttempts = 0, flags = Array.Empty<string>(),
            });
            posts.Add(Task.Run(async () =>
            {
                using var r = await http.PostAsync("/api/v1/reports", new StringContent(body, Encoding.UTF8, "application/json"));
                if (r.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"{r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
                lock (accepted) accepted[village] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            }));
        }
        await Task.WhenAll(posts);
        var seen = new Dictionary<string, long>();
        var until = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < until)
        {
            seen = JsonSerializer.Deserialize<Dictionary<string, long>>(await page.EvaluateAsync<string>("() => JSON.stringify(window.recoloured)"))!;
            if (seen.Count >= targets.Length) break;
            await Task.Delay(500);
        }
        var latencies = seen.Where(s => accepted.ContainsKey(s.Key)).Select(s => (double)(s.Value - accepted[s.Key])).Order().ToArray();
        return new(villages, Median(fetches), Median(renders), Percentile(latencies, 0.5), Percentile(latencies, 0.99), $"{targets.Length} / {seen.Count}");
    }
    finally
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        try { Directory.Delete(work, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);

static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

static int FreePort()
{
    using var l = new TcpListener(IPAddress.Loopback, 0);
    l.Start();
    return ((IPEndPoint)l.LocalEndpoint).Port;
}

sealed record Result(int Villages, double FetchMs, double RenderMs, double P50, double P99, string Seen);
