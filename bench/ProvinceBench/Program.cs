// One node holds a province (DESIGN.md "Scale"): ~104,000 grids, 16,000 villages, 50,000 key individuals and 200,000
// open cases, fed over HTTP into a real Warning process. Prints cold start, resident memory, and accepted and applied
// reports per second; then restarts the node on the full store and measures again.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;

var webDll = args.Length > 0 ? args[0] : throw new ArgumentException("usage: ProvinceBench <path to Warning.Web.dll> [openCases=200000] [keyIndividuals=50000]");
var openCases = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000;
var persons = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 50_000;
var work = Path.Combine(Path.GetTempPath(), "warning-province-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(work);
var province = CityGenerator.Generate(CityShape.Province, 7);
var grids = province.AtLevel(AreaLevel.Grid).Select(a => a.Id).ToArray();
var villages = province.AtLevel(AreaLevel.Village).Count();
var root = province.Roots[0].Id;
var rows = new List<string>();
// PROVINCE_ARGS: settings for the service, e.g. "--Applier:LeafLinger=00:00:30" to see the node keep its leaves longer.
var extraSettings = (Environment.GetEnvironmentVariable("PROVINCE_ARGS") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
var access = new Warning.Bench.BenchAccess(Path.Combine(work, "data"));
void Row(string what, string value) { rows.Add($"| {what} | {value} |"); Console.Error.WriteLine($"{what}: {value}"); }

(Process Process, HttpClient Http, double Seconds) Start()
{
    var port = FreePort();
    var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[]
             {
                 webDll, "--contentRoot", Path.GetDirectoryName(webDll)!, "--urls", $"http://127.0.0.1:{port}",
                 $"--Storage:DataDirectory={Path.Combine(work, "data")}", "--Hierarchy:SimulatedCityShape=Province",
                 "--Simulator:Enabled=false", "--Influx:Enabled=false", "--Serilog:MinimumLevel:Default=Warning",
                 // When re-score ticks ran, echoed below: a tick wakes every grid and open case, which the settle must tell apart.
                 "--Serilog:MinimumLevel:Override:Warning.Silo.Ingest.IngestApplier=Information",
                 "--Serilog:MinimumLevel:Override:Warning.Silo.Memory.DeactivationMemoryTrim=Information",
                 $"--Orleans:SiloPort={FreePort()}",
             }.Concat(access.ServiceArgs()).Concat(extraSettings))
        info.ArgumentList.Add(a);
    var watch = Stopwatch.StartNew();
    var process = Process.Start(info)!;
    process.OutputDataReceived += (_, e) =>
    {
        if (e.Data is { } line && (line.Contains("Re-scored", StringComparison.Ordinal) || line.Contains("Memory trimmed", StringComparison.Ordinal) || line.Contains("Full collection after", StringComparison.Ordinal))) Console.Error.WriteLine($"  service (+{watch.Elapsed.TotalSeconds:F0} s): " + line);
    };
    process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Console.Error.WriteLine("  service: " + line); };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    var http = new HttpClient(access.Handler(16)) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
    while (true)
    {
        if (process.HasExited) throw new InvalidOperationException($"service exited with {process.ExitCode}");
        try { if (http.GetAsync("/readyz").Result.IsSuccessStatusCode) break; } catch (AggregateException) { }
        Thread.Sleep(200);
    }
    return (process, http, watch.Elapsed.TotalSeconds);
}

static double RssMb(Process p) => File.ReadLines($"/proc/{p.Id}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
    .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024).First();

async Task<double> PostAllAsync(HttpClient http, string path, IReadOnlyList<string> bodies, int clients)
{
    var next = -1;
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < bodies.Count)
        {
            using var response = await http.PostAsync(path, new StringContent(bodies[i], Encoding.UTF8, "application/json"));
            if (response.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"{path}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }));
    return watch.Elapsed.TotalSeconds;
}

async Task<int> OpenAsync(HttpClient http) => (int)JsonNode.Parse(await http.GetStringAsync($"/api/v1/regions/{root}"))!["counts"]!["open"]!;

var now = DateTimeOffset.UtcNow;
var (service, client, cold) = Start();
Row("areas", $"{province.Count:N0} ({villages:N0} villages, {grids.Length:N0} grids)");
Row("cold start to /readyz, empty store (s)", $"{cold:F1}");
Row("RSS at ready, empty store (MB)", $"{RssMb(service):F0}");

var personBodies = Enumerable.Range(0, persons).Chunk(1000).Select(chunk => "[" + string.Join(",", chunk.Select(n => JsonSerializer.Serialize(new
{
    personId = $"kp-{n}", gridId = grids[n * 7 % grids.Length], basis = (n % 4) switch { 0 => "community_corrections", 1 => "resettlement_assistance", 2 => "severe_mental_disorder_care", _ => "documented_threat" },
    basisReference = $"ref-{n}", basisReviewedAt = now.AddDays(-30).ToString("O"), basisExpiresAt = now.AddDays(335).ToString("O"),
}))) + "]").ToArray();
var personSeconds = await PostAllAsync(client, "/api/v1/persons", personBodies, 4);
Row("key individuals accepted (per s)", $"{persons:N0} in {personSeconds:F1} s ({persons / personSeconds:N0}/s)");

string[] categories = ["land", "neighbor", "marriage_family", "labor_wage", "debt", "property_mgmt"];
var caseBodies = Enumerable.Range(0, openCases).Chunk(1000).Select(chunk => "[" + string.Join(",", chunk.Select(n =>
{
    var grid = grids[n % grids.Length];
    var report = new JsonObject
    {
        ["reportId"] = $"pr-{n}", ["gridId"] = grid, ["reportedAt"] = now.AddMinutes(-1 - n % 20_000).ToString("O"), ["reporterId"] = $"w-{n % grids.Length}",
        ["category"] = categories[n % categories.Length], ["status"] = n % 3 == 0 ? "mediating" : "screened", ["partiesCount"] = 2 + n % 3,
        ["peopleInvolved"] = 4 + n % 9, ["mediationAttempts"] = n % 3, ["flags"] = n % 11 == 0 ? new JsonArray("threat_of_violence") : new JsonArray(),
        ["summary"] = "因宅基地边界发生争执",
    };
    // One case in four involves a key individual of its own grid's neighbourhood.
    if (n % 4 == 0) report["personIds"] = new JsonArray($"kp-{n / 4 % persons}");
    return report.ToJsonString();
})) + "]").ToArray();
var applyWatch = Stopwatch.StartNew();
// The working set through the burst, each second: the peak while the province's leaves are being applied.
var burstPeak = 0.0;
var burstSamples = 0;
using var stopSampling = new CancellationTokenSource();
var sampler = Task.Run(async () =>
{
    while (!stopSampling.IsCancellationRequested)
    {
        try { burstPeak = Math.Max(burstPeak, RssMb(service)); } catch (IOException) { }
        // Every fifth second, on stderr: what the working set is made of as the burst goes on (activations by grain
        // class, the GC's heap and committed bytes at its last collection).
        if (++burstSamples % 5 == 0)
        {
            try { Console.Error.WriteLine($"  burst +{applyWatch.Elapsed.TotalSeconds:F0} s: RSS {RssMb(service):F0} MB, {await GcMbAsync()}, {await ActivationsAsync()}"); }
            catch (HttpRequestException) { }
        }
        try { await Task.Delay(1000, stopSampling.Token); } catch (OperationCanceledException) { }
    }
});
var caseSeconds = await PostAllAsync(client, "/api/v1/reports", caseBodies, 4);
Row("reports accepted (open cases, batches of 1,000)", $"{openCases:N0} in {caseSeconds:F1} s ({openCases / caseSeconds:N0}/s)");
while (await OpenAsync(client) < openCases) await Task.Delay(500);
var applied = applyWatch.Elapsed.TotalSeconds;
Row("reports applied through the grains (first POST to the city counting them all)", $"{applied:F1} s ({openCases / applied:N0}/s)");
await stopSampling.CancelAsync();
await sampler;
Row("RSS right after the last case applied (MB)", $"{RssMb(service):F0}");
Row("peak RSS from the first POST to the last case applied, sampled each second (MB)", $"{burstPeak:F0}");
// PROVINCE_PEAK_GCDUMP=folder: a GC heap dump at the peak, with every leaf still active: what the live set is made of
// then, against the heap the process holds.
if (Environment.GetEnvironmentVariable("PROVINCE_PEAK_GCDUMP") is { Length: > 0 } peakDumps) await GcDumpAsync(peakDumps, "peak");
// Cases, grids and key individuals idle for Orleans:LeafIdleTimeout (2 minutes) are written and deactivated. Three
// minutes on shows the first wave gone; eight minutes on, where the node settles with the province's cases applied and
// no new calls (a leaf that called another as it went keeps that one a little longer).
var settle = Stopwatch.StartNew();
var peak = 0.0;
var atMinute = 0.0;
var settleSamples = 0;
async Task SettleUntilAsync(TimeSpan until)
{
    while (settle.Elapsed < until)
    {
        var rss = RssMb(service);
        peak = Math.Max(peak, rss);
        if (atMinute == 0 && settle.Elapsed >= TimeSpan.FromMinutes(1)) atMinute = rss;
        if (++settleSamples % 10 == 0) Console.Error.WriteLine($"  settle +{settle.Elapsed.TotalSeconds:F0} s: RSS {rss:F0} MB, {await GcMbAsync()}, {await ActivationsAsync()}");
        await Task.Delay(TimeSpan.FromSeconds(1));
    }
}
async Task<string> GcMbAsync()
{
    var m = await client.GetStringAsync("/metrics");
    return $"GC heap {MetricSum(m, "dotnet_gc_last_collection_heap_size_bytes") / 1048576:F0} / committed {MetricSum(m, "dotnet_gc_last_collection_memory_committed_size_bytes") / 1048576:F0} MB";
}
// Whether the leaves went: activations by grain class, from the Orleans dashboard's counters (loopback).
async Task<string> ActivationsAsync() => string.Join(", ", JsonNode.Parse(await client.GetStringAsync("/orleans/DashboardCounters"))!["simpleGrainStats"]!.AsArray()
    .GroupBy(g => ((string)g!["grainType"]!).Split(',')[0].Split('.')[^1]).Select(g => (Type: g.Key, Count: g.Sum(x => (int)x!["activationCount"]!)))
    .Where(g => g.Count > 0).OrderByDescending(g => g.Count).Select(g => $"{g.Type} {g.Count:N0}"));
await SettleUntilAsync(TimeSpan.FromMinutes(3));
Row("RSS 1 minute after the last case applied (MB)", $"{atMinute:F0}");
Row("RSS 3 minutes after (MB)", $"{RssMb(service):F0}");
Row("activations 3 minutes after, by grain class", await ActivationsAsync());
await SettleUntilAsync(TimeSpan.FromMinutes(8));
Row("RSS 8 minutes after, idle leaves deactivated (MB)", $"{RssMb(service):F0} (peak {peak:F0})");
Row("activations 8 minutes after, by grain class", await ActivationsAsync());
// What the GC holds against what the process keeps (System.Runtime's meters on /metrics): a live heap far below RSS is
// memory the GC has not returned, not objects still referenced.
var metrics = await client.GetStringAsync("/metrics");
double Sum(string name) => MetricSum(metrics, name);
Row("GC heap after the last collection / committed (MB)", $"{Sum("dotnet_gc_last_collection_heap_size_bytes") / 1048576:F0} / {Sum("dotnet_gc_last_collection_memory_committed_size_bytes") / 1048576:F0}");
Row("GC collections gen0 / gen1 / gen2", string.Join(" / ", new[] { "gen0", "gen1", "gen2" }.Select(g =>
    System.Text.RegularExpressions.Regex.Match(metrics, $"^dotnet_gc_collections_total\\{{[^}}]*gc_heap_generation=\"{g}\"[^}}]*\\}} ([0-9.eE+]+)", System.Text.RegularExpressions.RegexOptions.Multiline).Groups[1].Value)));
// PROVINCE_DUMP=folder: a full heap dump of this moment (dotnet-dump on PATH), for `dotnet-dump analyze -c "dumpheap -stat"`,
// which sees every object where an event-based gcdump loses some on heaps this large.
if (Environment.GetEnvironmentVariable("PROVINCE_DUMP") is { Length: > 0 } heapDumps)
{
    var dump = Path.Combine(heapDumps, $"province-{DateTime.UtcNow:yyyyMMddHHmmss}.dmp");
    using var collect = Process.Start("dotnet-dump", ["collect", "-p", service.Id.ToString(CultureInfo.InvariantCulture), "--type", "Heap", "-o", dump]);
    collect.WaitForExit();
    Row("heap dump", dump);
}
// PROVINCE_GCDUMP=folder: a GC heap dump of this moment, to see where the memory goes (dotnet-gcdump on PATH).
if (Environment.GetEnvironmentVariable("PROVINCE_GCDUMP") is { Length: > 0 } dumps) await GcDumpAsync(dumps, "settled");

// A graceful stop writes every grain; the restart reads state lazily, as calls come.
using (var term = Process.Start("kill", ["-TERM", service.Id.ToString(CultureInfo.InvariantCulture)])) term.WaitForExit();
var stopWatch = Stopwatch.StartNew();
service.WaitForExit();
Row("graceful stop, every grain written (s)", $"{stopWatch.Elapsed.TotalSeconds:F1}");
(service, client, cold) = Start();
Row("cold start to /readyz, full store (s)", $"{cold:F1}");
Row("RSS at ready, full store (MB)", $"{RssMb(service):F0}");
var open = await OpenAsync(client);
Row("open cases the city counts after the restart", $"{open:N0}");
var listWatch = Stopwatch.StartNew();
var county = province.ChildrenOf(root)[0].Id;
await client.GetStringAsync($"/api/v1/cases?regionId={county}&limit=50");
Row($"first GET /api/v1/cases of one county after restart (s)", $"{listWatch.Elapsed.TotalSeconds:F1}");
Row("RSS after reading one county's cases (MB)", $"{RssMb(service):F0}");
service.Kill();
service.WaitForExit();
if (Environment.GetEnvironmentVariable("PROVINCE_KEEP") is not { Length: > 0 }) Directory.Delete(work, true);
else Console.Error.WriteLine($"data kept in {work}");

Console.WriteLine($"Province benchmark: one node, {Environment.ProcessorCount} cores, SQLite synchronous=FULL, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine();
Console.WriteLine("| measure | value |");
Console.WriteLine("| --- | ---: |");
foreach (var row in rows) Console.WriteLine(row);

// A metric's value in Prometheus text, summed over its label sets (one per meter that reports it).
static double MetricSum(string metrics, string name) => System.Text.RegularExpressions.Regex.Matches(metrics, $"^{name}(?:\\{{[^}}]*\\}})? ([0-9.eE+]+)", System.Text.RegularExpressions.RegexOptions.Multiline)
    .Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

static int FreePort()
{
    using var l = new TcpListener(IPAddress.Loopback, 0);
    l.Start();
    return ((IPEndPoint)l.LocalEndpoint).Port;
}

async Task GcDumpAsync(string folder, string moment)
{
    var dump = Path.Combine(folder, $"province-{moment}-{DateTime.UtcNow:yyyyMMddHHmmss}.gcdump");
    using (var collect = Process.Start("dotnet-gcdump", ["collect", "-p", service.Id.ToString(CultureInfo.InvariantCulture), "-o", dump])!) collect.WaitForExit();
    Row($"GC heap dump ({moment})", dump);
    Row($"RSS after the dump's full collection ({moment}, MB)", $"{RssMb(service):F0}");
    // The dump collected first, fully: the live set itself, and what it is made of.
    var after = await client.GetStringAsync("/metrics");
    var heap = MetricSum(after, "dotnet_gc_last_collection_heap_size_bytes");
    Row($"GC heap after the dump's full collection ({moment}, MB)", $"{heap / 1048576:F0}");
    var report = new ProcessStartInfo("dotnet-gcdump", ["report", dump]) { RedirectStandardOutput = true };
    using var reporter = Process.Start(report)!;
    var types = (await reporter.StandardOutput.ReadToEndAsync()).Split('\n').Where(l => l.Trim().Length > 0).Take(30);
    Console.Error.WriteLine($"largest types in the dump ({moment}, dotnet-gcdump report):\n" + string.Join('\n', types));
}
