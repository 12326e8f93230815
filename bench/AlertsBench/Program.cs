// Alert latency: from POST /api/v1/reports answered 202 until the alert is on the duty console in Debian's Chromium,
// signed in as a duty officer, with the simulator posting background load (bench/LoadGenerator) and Alerts:GroupWait 0.
// Usage: AlertsBench <Warning.Web.dll> <LoadGenerator.dll> [samples=100] [backgroundPerSecond=1000]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;

if (args.Length < 2) throw new ArgumentException("usage: AlertsBench <Warning.Web.dll> <LoadGenerator.dll> [samples=100] [backgroundPerSecond=1000]");
var (webDll, loadDll) = (args[0], args[1]);
var samples = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 100;
var rate = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1000;
// How long a probe's alert may take to reach the screen before it counts as lost (not as a latency).
const float ProbeLimit = 10_000;
// How long the background runs at the rate before the first probe.
var WarmUp = TimeSpan.FromSeconds(20);
var key = Environment.GetEnvironmentVariable("BENCH_API_KEY") ?? throw new InvalidOperationException("BENCH_API_KEY is not set (bench/alerts.sh provisions one)");
var work = Path.Combine(Path.GetTempPath(), "warning-alerts-bench-" + Guid.NewGuid().ToString("N"));
var data = Path.Combine(work, "service");
Directory.CreateDirectory(work);

// The probes go one to a village, round the city: alerts group by area and rule, and a fresh village's case opens an
// alert of its own (or joins one the background opened, which the console times by subject all the same).
var city = CityGenerator.Generate(CityShape.Dingxi, 7);
var grids = city.AtLevel(AreaLevel.Village).Select(v => city.Descendants(v.Id, AreaLevel.Grid).First().Id).ToArray();

var port = FreePort();
var baseUrl = $"http://127.0.0.1:{port}";
string[] settings = [webDll, "--contentRoot", Path.GetDirectoryName(Path.GetFullPath(webDll))!, "--urls", baseUrl, $"--Storage:DataDirectory={data}",
    "--Serilog:MinimumLevel:Default=Warning", "--Serilog:MinimumLevel:Override:Warning.Silo.Ingest.IngestApplier=Information", "--Simulator:Enabled=false", $"--Orleans:SiloPort={FreePort()}", "--Alerts:GroupWait=00:00:00",
    "--Auth:DemoAccounts=true", "--Risk:RescoreOnStartup=false",
    .. Environment.GetEnvironmentVariable("BENCH_ARGS")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? []];
using var service = Start("dotnet", settings, null);
Process? load = null;
try
{
    using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) };
    http.DefaultRequestHeaders.Add("X-Api-Key", key);
    for (var i = 0; ; i++)
    {
        try { if ((await http.GetAsync("/readyz")).IsSuccessStatusCode) break; } catch (HttpRequestException) { } catch (TaskCanceledException) { }
        if (i > 1200 || service.HasExited) throw new TimeoutException("service did not start");
        await Task.Delay(100);
    }

    // The demo duty officer (Auth:DemoAccounts) signs in through the login page, as an officer would.
    var password = File.ReadLines(Path.Combine(data, "demo-accounts.txt")).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .First(f => f.Length >= 3 && f[1] == "duty_officer")[2];
    using var playwright = await Playwright.CreateAsync();
    await using var browser = await playwright.Chromium.LaunchAsync(new()
    {
        ExecutablePath = "/usr/bin/chromium", Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    });
    var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1920, Height = 1080 } });
    page.SetDefaultTimeout(180_000);
    await page.GotoAsync(baseUrl + "/login?returnUrl=%2Fconsole%2F");
    await page.FillAsync("#userName", "demo-duty-officer");
    await page.FillAsync("#password", password);
    await page.ClickAsync("#login-submit");
    await page.WaitForURLAsync(baseUrl + "/console/");
    await page.WaitForSelectorAsync("#connection[data-state=live]");

    // Background: the simulated city's reports and incidents at the target rate, for longer than the probes take.
    var progress = new List<(long Sent, double Seconds)>();
    load = Start("dotnet", [loadDll, baseUrl, "365", "100", "4", rate.ToString(CultureInfo.InvariantCulture), "42", "Dingxi"],
        line =>
        {
            if (line?.Split(' ') is ["progress", var sent, var seconds])
                lock (progress) progress.Add((long.Parse(sent, CultureInfo.InvariantCulture), double.Parse(seconds, CultureInfo.InvariantCulture)));
        },
        ("BENCH_API_KEY", key), ("LOAD_PROGRESS", "1"));
    // Key individuals go first, then the reports: wait until reports flow at the rate.
    var warm = Stopwatch.StartNew();
    while (warm.Elapsed < TimeSpan.FromMinutes(5))
    {
        lock (progress) if (progress.Count >= 5 && progress[^1].Sent - progress[^5].Sent > 2 * rate) break;
        await Task.Delay(500);
    }
    (long Sent, double Seconds) Last() { lock (progress) return progress.Count > 0 ? progress[^1] : (0, 0); }
    // Steady state is measured: the first seconds at the rate activate the city's grains, score cases for the first time
    // and write the first checkpoint (the key individuals, 9,000 states); probes sent then took 0.3-1.6 s.
    var atRate = Last();
    while (Last().Seconds - atRate.Seconds < WarmUp.TotalSeconds && warm.Elapsed < TimeSpan.FromMinutes(5)) await Task.Delay(500);
    var loadStart = Last();
    Console.Error.WriteLine($"background: {loadStart.Sent:N0} items sent in {loadStart.Seconds:F0} s, {loadStart.Seconds - atRate.Seconds:F0} s of them at the rate; probing");

    var pushesBefore = await page.EvaluateAsync<int>("() => window.warningConsole.pushes()");
    // Where the page's main thread went while probing (Chromium's own counters): script, style, layout, and all its tasks.
    var cdp = await page.Context.NewCDPSessionAsync(page);
    await cdp.SendAsync("Performance.enable");
    async Task<Dictionary<string, double>> PageMetrics() =>
        (await cdp.SendAsync("Performance.getMetrics"))!.Value.GetProperty("metrics").EnumerateArray()
            .ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("value").GetDouble());
    var metricsBefore = await PageMetrics();
    var fromAccepted = new List<double>();
    var fromSent = new List<double>();
    var toChange = new List<double>();
    var changeToScreen = new List<double>();
    var changeToPush = new List<double>();
    var changeToSent = new List<double>();
    var sentToPush = new List<double>();
    var pushToScreen = new List<double>();
    var lost = 0;
    var window = Stopwatch.StartNew();
    for (var i = 0; i < samples; i++)
    {
        var report = new JsonObject
        {
            ["reportId"] = $"alert-bench-{i}-{Guid.NewGuid():N}"[..40], ["gridId"] = grids[i % grids.Length], ["reportedAt"] = DateTimeOffset.UtcNow.ToString("O"),
            ["reporterId"] = "w-bench", ["category"] = "neighbor", ["status"] = "screened", ["partiesCount"] = 2, ["peopleInvolved"] = 4,
            ["mediationAttempts"] = 0, ["flags"] = new JsonArray("threat_of_violence", "self_harm_risk", "weapon_mentioned", "prior_violence"),
        };
        var sentAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using var response = await http.PostAsync("/api/v1/reports", new StringContent(report.ToJsonString(), Encoding.UTF8, "application/json"));
        var acceptedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        if (response.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"probe {i}: {(int)response.StatusCode} {body}");
        var caseId = (string)body["items"]![0]!["caseId"]!;
        try
        {
            // Polled once a frame: the page notes the time it drew the row itself, so polling faster only took its main thread.
            var rendered = await page.WaitForFunctionAsync("id => window.warningConsole.renderedAt(id)", caseId, new() { Timeout = ProbeLimit });
            var at = await rendered.JsonValueAsync<long>();
            fromAccepted.Add(at - acceptedAt);
            fromSent.Add(at - sentAt);
            // The service's time of the change the push carried splits the latency: ingest and rules, then push and render.
            if (await page.EvaluateAsync<long?>("id => window.warningConsole.changedAt(id)", caseId) is { } changed)
            {
                toChange.Add(changed - acceptedAt);
                changeToScreen.Add(at - changed);
                if (await page.EvaluateAsync<long?>("id => window.warningConsole.receivedAt(id)", caseId) is { } received)
                {
                    changeToPush.Add(received - changed);
                    pushToScreen.Add(at - received);
                    // The service's clock and the page's are one machine's here: the send splits the push's share.
                    if (await page.EvaluateAsync<long?>("id => window.warningConsole.sentAt?.(id) ?? null", caseId) is { } sent)
                    {
                        changeToSent.Add(sent - changed);
                        sentToPush.Add(received - sent);
                    }
                }
            }
            Console.Error.WriteLine($"probe {i} accepted {DateTimeOffset.FromUnixTimeMilliseconds(acceptedAt):HH:mm:ss.fff}: {at - acceptedAt} ms");
        }
        catch (TimeoutException)
        {
            // Not on screen within the limit: counted as lost, not as a latency.
            lost++;
            Console.Error.WriteLine($"probe {i}: not shown within {ProbeLimit / 1000:F0} s");
        }
        await Task.Delay(Random.Shared.Next(100, 300));
    }
    var loadEnd = Last();
    var background = loadEnd.Seconds > loadStart.Seconds ? (loadEnd.Sent - loadStart.Sent) / (loadEnd.Seconds - loadStart.Seconds) : 0;
    var queued = await page.EvalOnSelectorAllAsync<int>("#queue li", "items => items.length");
    var pushes = await page.EvaluateAsync<int>("() => window.warningConsole.pushes()") - pushesBefore;
    var renders = (await page.EvaluateAsync<double[]>("() => window.warningConsole.renderTimes()")).Order().ToArray();
    var metricsAfter = await PageMetrics();
    string Busy(string metric) => $"{(metricsAfter[metric] - metricsBefore[metric]) / window.Elapsed.TotalSeconds * 100:F0} %";

    Console.WriteLine($"Alert latency: POST /api/v1/reports → alert rendered on /console/ (Chromium, duty officer signed in), Alerts:GroupWait 0, " +
                      $"{samples} probes over {window.Elapsed.TotalSeconds:F0} s after {WarmUp.TotalSeconds:F0} s of warm-up, simulated Dingxi background at a target of {rate:N0} items/s; " +
                      $"the console heard {pushes:N0} alert pushes meanwhile ({pushes / window.Elapsed.TotalSeconds:N0}/s); its last {renders.Length:N0} queue renders took " +
                      (renders.Length == 0 ? "–" : $"p50 {renders[renders.Length / 2]:F1} ms, p99 {renders[Math.Min(renders.Length - 1, renders.Length * 99 / 100)]:F1} ms, max {renders[^1]:F1} ms"));
    Console.WriteLine($"The page's main thread meanwhile (share of wall time): tasks {Busy("TaskDuration")}, script {Busy("ScriptDuration")}, style {Busy("RecalcStyleDuration")}, " +
                      $"layout {Busy("LayoutDuration")}; {metricsAfter["LayoutCount"] - metricsBefore["LayoutCount"]:N0} layouts, {metricsAfter["RecalcStyleCount"] - metricsBefore["RecalcStyleCount"]:N0} style recalcs; {metricsAfter["Nodes"]:N0} DOM nodes.");
    Console.WriteLine();
    Console.WriteLine("| span | samples | lost | background items/s | alerts on screen | p50 ms | p90 ms | p99 ms | max ms |");
    Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    foreach (var (name, list) in new[]
             {
                 ("202 accepted → rendered", fromAccepted), ("request sent → rendered", fromSent),
                 ("202 accepted → alert changed (service clock)", toChange), ("alert changed → rendered (push + render)", changeToScreen),
                 ("alert changed → push in the page", changeToPush), ("alert changed → push sent (service clock)", changeToSent),
                 ("push sent → push in the page (socket, browser's event loop)", sentToPush), ("push in the page → rendered", pushToScreen),
             })
    {
        list.Sort();
        string P(double q) => list.Count == 0 ? "–" : list[Math.Min(list.Count - 1, (int)(list.Count * q))].ToString("F0", CultureInfo.InvariantCulture);
        Console.WriteLine($"| {name} | {list.Count} | {lost} | {background:N0} | {queued:N0} | {P(0.5)} | {P(0.9)} | {P(0.99)} | {(list.Count == 0 ? "–" : list[^1].ToString("F0", CultureInfo.InvariantCulture))} |");
    }
}
finally
{
    Stop(load);
    Stop(service);
    try { Directory.Delete(work, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
}

static Process Start(string file, string[] arguments, Action<string?>? onError, params (string Name, string Value)[] environment)
{
    var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in arguments) info.ArgumentList.Add(a);
    foreach (var (name, value) in environment) info.Environment[name] = value;
    var process = Process.Start(info)!;
    // The service's own account of an applier stall, echoed with the time so a slow probe can be matched to it.
    process.OutputDataReceived += (_, e) =>
    {
        if (e.Data is { } line && (line.Contains("Slow segment", StringComparison.Ordinal) || line.Contains("Slow checkpoint", StringComparison.Ordinal)
                                   || line.Contains("Re-scored", StringComparison.Ordinal)))
            Console.Error.WriteLine($"  service: {line}");
    };
    process.ErrorDataReceived += (_, e) => onError?.Invoke(e.Data);
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

static void Stop(Process? process)
{
    if (process is null || process.HasExited) return;
    process.Kill(entireProcessTree: true);
    process.WaitForExit();
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}
