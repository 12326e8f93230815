// The simulator as a load generator against a running Warning: key individuals first, then the simulated city's
// reports and incidents over HTTP, in batches, as fast as the service takes them or at a target rate.
// Usage: LoadGenerator <baseUrl> [days=7] [batch=100] [clients=4] [ratePerSecond=0 (unlimited)] [seed=42] [shape=Dingxi]
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Warning.Analytics.Disputes;
using Warning.Analytics.Simulation;

var baseUrl = args.ElementAtOrDefault(0) ?? "http://127.0.0.1:5080";
var days = int.Parse(args.ElementAtOrDefault(1) ?? "7");
var batchSize = int.Parse(args.ElementAtOrDefault(2) ?? "100");
var clients = int.Parse(args.ElementAtOrDefault(3) ?? "4");
var rate = double.Parse(args.ElementAtOrDefault(4) ?? "0");
var seed = int.Parse(args.ElementAtOrDefault(5) ?? "42");
var shape = (args.ElementAtOrDefault(6) ?? "Dingxi") == "Small" ? CityShape.Small : CityShape.Dingxi;

// The service's simulated city uses seed 7 unless configured otherwise.
var city = CityGenerator.Generate(shape, 7);
var simulator = new DisputeSimulator(city, new SimulatorOptions { Seed = seed, KeepTruth = false });
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients * 2 }) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) };
// Intake takes API keys only (issue 13): a key with kinds report, incident and person (an admin creates one with
// POST /api/v1/apikeys; a benchmark provisions its own and passes it as BENCH_API_KEY).
var apiKey = Environment.GetEnvironmentVariable("WARNING_API_KEY") is { Length: > 0 } given ? given : Environment.GetEnvironmentVariable("BENCH_API_KEY");
if (string.IsNullOrEmpty(apiKey))
{
    Console.Error.WriteLine("set WARNING_API_KEY to a feed key with kinds report, incident and person (an admin creates one: POST /api/v1/apikeys)");
    Environment.Exit(2);
}
http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);

async Task<(HttpStatusCode Status, string Body)> PostAsync(string path, IEnumerable<object> items)
{
    var json = JsonSerializer.Serialize(items, WarningJson.Options);
    using var response = await http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
    return (response.StatusCode, await response.Content.ReadAsStringAsync());
}

foreach (var chunk in simulator.KeyIndividuals.Chunk(1000))
{
    var (status, body) = await PostAsync("/api/v1/persons", chunk);
    if (status != HttpStatusCode.Accepted) Console.Error.WriteLine($"persons: {(int)status} {body[..Math.Min(300, body.Length)]}");
}

var to = DateTimeOffset.UtcNow;
// Items of one case stay in one lane, in order, so a follow-up never overtakes the report that opened its case.
var lanes = Enumerable.Range(0, clients).Select(_ => Channel.CreateBounded<(string Path, List<object> Items)>(8)).ToArray();
long sent = 0, rejected = 0, requests = 0;
var latencies = new List<double>();
var clock = Stopwatch.StartNew();
var producer = Task.Run(async () =>
{
    var reports = Enumerable.Range(0, clients).Select(_ => new List<object>(batchSize)).ToArray();
    var incidents = Enumerable.Range(0, clients).Select(_ => new List<object>(batchSize)).ToArray();
    async Task FlushAsync(int lane)
    {
        if (reports[lane].Count > 0) await lanes[lane].Writer.WriteAsync(("/api/v1/reports", reports[lane]));
        if (incidents[lane].Count > 0) await lanes[lane].Writer.WriteAsync(("/api/v1/incidents", incidents[lane]));
        reports[lane] = new List<object>(batchSize);
        incidents[lane] = new List<object>(batchSize);
    }
    int LaneOf(string key) => (int)((uint)StringComparer.Ordinal.GetHashCode(key) % (uint)clients);
    foreach (var e in simulator.Run(to.AddDays(-days), to))
    {
        int lane;
        if (e is SimulatedReport r)
        {
            lane = LaneOf(r.Report.CaseId ?? CaseIds.FromOpeningReport(r.Report.ReportId));
            reports[lane].Add(r.Report);
        }
        else
        {
            var i = ((SimulatedIncident)e).Incident;
            lane = LaneOf(i.CaseId ?? i.IncidentId);
            incidents[lane].Add(i);
        }
        if (reports[lane].Count == batchSize || incidents[lane].Count == batchSize) await FlushAsync(lane);
    }
    for (var lane = 0; lane < clients; lane++)
    {
        await FlushAsync(lane);
        lanes[lane].Writer.Complete();
    }
});

var consumers = lanes.Select(lane => Task.Run(async () =>
{
    await foreach (var (path, items) in lane.Reader.ReadAllAsync())
    {
        if (rate > 0)
        {
            var due = TimeSpan.FromSeconds(Interlocked.Read(ref sent) / rate);
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
        }
        var started = Stopwatch.GetTimestamp();
        var (status, body) = await PostAsync(path, items);
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        lock (latencies) latencies.Add(ms);
        Interlocked.Increment(ref requests);
        Interlocked.Add(ref sent, items.Count);
        if (status != HttpStatusCode.Accepted)
        {
            Interlocked.Add(ref rejected, items.Count);
            Console.Error.WriteLine($"{path}: {(int)status} {body[..Math.Min(300, body.Length)]}");
        }
        else
        {
            using var doc = JsonDocument.Parse(body);
            Interlocked.Add(ref rejected, doc.RootElement.GetProperty("rejected").GetInt32());
        }
    }
})).ToArray();
// LOAD_PROGRESS=1: a line on stderr every second, for a bench that runs this as background load and measures its rate.
using var progress = Environment.GetEnvironmentVariable("LOAD_PROGRESS") == "1"
    ? new Timer(_ => Console.Error.WriteLine($"progress {Interlocked.Read(ref sent)} {clock.Elapsed.TotalSeconds:F3}"), null, 1000, 1000)
    : null;
await producer;
await Task.WhenAll(consumers);
var elapsed = clock.Elapsed.TotalSeconds;
latencies.Sort();

Console.WriteLine($"Load generator: {days} simulated days of {(shape == CityShape.Small ? "the small city" : "Dingxi")} against {baseUrl}, batch {batchSize}, {clients} clients");
Console.WriteLine();
Console.WriteLine("| items sent | rejected | requests | seconds | items/s | p50 ms | p99 ms |");
Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
Console.WriteLine($"| {sent:N0} | {rejected:N0} | {requests:N0} | {elapsed:F1} | {sent / elapsed:N0} | {latencies[latencies.Count / 2]:F1} | {latencies[(int)(latencies.Count * 0.99)]:F1} |");
