// InfluxDB write benchmark: Warning's writer against curl posting the same pre-rendered line protocol in the same
// batch size, on the same InfluxDB, in one run. Usage: InfluxBench <influx url> [points] [batch size]
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Warning.Analytics.Disputes;
using Warning.Analytics.Simulation;
using Warning.Analytics.TimeSeries;
using Warning.Silo.Storage;
using Warning.Silo.TimeSeries;

var url = args.Length > 0 ? args[0] : "http://127.0.0.1:8086";
var target = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 400_000;
var batchSize = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5000;
var work = Path.Combine(Path.GetTempPath(), "warning-influx-bench-" + Environment.ProcessId);
Directory.CreateDirectory(work);

// Realistic points: simulated Dingxi reports and incidents of the last weeks, built by the service's own code.
var city = CityGenerator.Generate(CityShape.Dingxi, 7);
var now = DateTimeOffset.UtcNow;
var simulator = new DisputeSimulator(city, new SimulatorOptions { Seed = 42, RegistryAsOf = now.AddDays(-60), KeepTruth = false });
var points = new List<LinePoint>(target);
long seq = 0;
foreach (var e in simulator.Run(now.AddDays(-60), now))
{
    seq++;
    switch (e)
    {
        case SimulatedReport r:
            var report = r.Report.CaseId is null ? r.Report with { CaseId = CaseIds.FromOpeningReport(r.Report.ReportId) } : r.Report;
            points.AddRange(EventPoints.Report(report, seq, city));
            break;
        case SimulatedIncident i:
            points.Add(EventPoints.Incident(i.Incident, seq, city));
            break;
    }
    if (points.Count >= target) break;
}
if (points.Count > target) points.RemoveRange(target, points.Count - target);
var lines = points.Select(p => p.ToLine()).ToList();
var bytes = lines.Sum(l => Encoding.UTF8.GetByteCount(l) + 1);

async Task<InfluxClient> FreshDatabaseAsync(string database, bool gzip)
{
    var options = Options.Create(new InfluxOptions
    {
        Enabled = true, Url = url, Database = database, BatchSize = batchSize, Gzip = gzip, QueueCapacity = target + 1,
        FlushInterval = TimeSpan.FromMilliseconds(200), RequestTimeout = TimeSpan.FromMinutes(2),
        SpillDirectory = Path.Combine(work, "spill-" + database),
    });
    var client = new InfluxClient(options);
    await client.QueryAsync($"DROP DATABASE {InfluxQL.Identifier(database)}", write: true, database: "");
    await new InfluxSchema(client, options, NullLogger<InfluxSchema>.Instance).EnsureAsync();
    return client;
}

async Task<long> CountAsync(InfluxClient client)
{
    long total = 0;
    foreach (var measurement in points.Select(p => p.Measurement).Distinct())
    {
        var series = await client.QueryAsync($"SELECT count(*) FROM {InfluxQL.Identifier(measurement)}");
        // count(*) answers one count_<field> column per field; every point has "count", except supervision's check_ins or missed.
        foreach (var s in series)
        {
            var columns = s.Columns.ToList();
            long Col(string name) => columns.IndexOf(name) is var i and >= 0 && s.Values[0][i].ValueKind == System.Text.Json.JsonValueKind.Number ? s.Values[0][i].GetInt64() : 0;
            total += columns.Contains("count_count") ? Col("count_count") : Col("count_check_ins") + Col("count_missed");
        }
    }
    return total;
}

async Task<(double Seconds, long Stored)> CurlRunAsync(bool gzip)
{
    var client = await FreshDatabaseAsync("bench_curl", gzip: false);
    var config = new StringBuilder();
    for (var i = 0; i * batchSize < lines.Count; i++)
    {
        var file = Path.Combine(work, $"batch-{i:D5}.lp");
        var text = string.Join('\n', lines.Skip(i * batchSize).Take(batchSize)) + "\n";
        if (gzip)
        {
            // Compressed before the clock starts: this row shows what gzip costs InfluxDB alone.
            file += ".gz";
            await using var gz = new System.IO.Compression.GZipStream(File.Create(file), System.IO.Compression.CompressionLevel.Fastest);
            await gz.WriteAsync(Encoding.UTF8.GetBytes(text));
        }
        else await File.WriteAllTextAsync(file, text);
        if (i > 0) config.AppendLine("next");
        config.AppendLine($"url = \"{url}/write?db=bench_curl&rp=raw&precision=ns\"");
        config.AppendLine($"data-binary = \"@{file}\"");
        if (gzip) config.AppendLine("header = \"Content-Encoding: gzip\"");
        config.AppendLine("fail");
        config.AppendLine("silent");
        config.AppendLine("show-error");
    }
    var configFile = Path.Combine(work, "curl.cfg");
    await File.WriteAllTextAsync(configFile, config.ToString());
    var watch = Stopwatch.StartNew();
    using var curl = Process.Start(new ProcessStartInfo("curl", ["-K", configFile]) { RedirectStandardOutput = true })!;
    await curl.StandardOutput.ReadToEndAsync();
    await curl.WaitForExitAsync();
    watch.Stop();
    if (curl.ExitCode != 0) throw new InvalidOperationException($"curl exited with {curl.ExitCode}");
    return (watch.Elapsed.TotalSeconds, await CountAsync(client));
}

async Task<(double Seconds, long Stored)> WriterAsync(bool gzip)
{
    var database = gzip ? "bench_writer_gzip" : "bench_writer";
    var client = await FreshDatabaseAsync(database, gzip);
    var options = Options.Create(new InfluxOptions
    {
        Enabled = true, Url = url, Database = database, BatchSize = batchSize, Gzip = gzip, QueueCapacity = target + 1,
        FlushInterval = TimeSpan.FromMilliseconds(200), RequestTimeout = TimeSpan.FromMinutes(2),
        SpillDirectory = Path.Combine(work, "spill-" + database),
    });
    var writer = new InfluxWriter(client, new InfluxSchema(client, options, NullLogger<InfluxSchema>.Instance), options,
        Options.Create(new StorageOptions { DataDirectory = work }), NullLogger<InfluxWriter>.Instance);
    await writer.StartAsync(CancellationToken.None);
    await writer.FlushAsync(TimeSpan.FromSeconds(30)); // schema created before the clock starts, as in the curl run
    var watch = Stopwatch.StartNew();
    foreach (var point in points) writer.Write(point); // rendering included: the service hands the writer points
    if (!await writer.FlushAsync(TimeSpan.FromMinutes(10))) throw new TimeoutException($"writer did not drain: {writer.Stats}");
    watch.Stop();
    await writer.StopAsync(CancellationToken.None);
    return (watch.Elapsed.TotalSeconds, await CountAsync(client));
}

Console.WriteLine($"InfluxDB write benchmark: {points.Count:N0} points ({bytes / 1e6:F1} MB of line protocol, {points.Select(p => p.Measurement).Distinct().Count()} measurements), batch {batchSize:N0}, {url}");
// InfluxDB compacts what it just took for a while afterwards, and the machine may be shared: each run starts on a
// settled server, every client runs twice, interleaved, and the table keeps each client's faster run.
async Task<(double Seconds, long Stored)> Settled(Func<Task<(double Seconds, long Stored)>> run)
{
    await Task.Delay(TimeSpan.FromSeconds(5));
    return await run();
}
var runs = new Dictionary<string, List<(double Seconds, long Stored)>>();
var clients = new (string Name, Func<Task<(double Seconds, long Stored)>> Run)[]
{
    ("curl, plain", () => CurlRunAsync(gzip: false)),
    ("Warning writer, plain (default on loopback)", () => WriterAsync(gzip: false)),
    ("curl, pre-gzipped", () => CurlRunAsync(gzip: true)),
    ("Warning writer, gzip", () => WriterAsync(gzip: true)),
};
for (var round = 0; round < 2; round++)
    foreach (var (name, run) in clients)
        (runs.TryGetValue(name, out var list) ? list : runs[name] = []).Add(await Settled(run));
Console.WriteLine();
Console.WriteLine($"| {"client",-44} | {"runs (s)",-13} | {"points/s",10} | {"stored",9} | {"vs curl, same encoding",22} |");
Console.WriteLine($"| {new string('-', 44)} | {new string('-', 13)} | {new string('-', 10)} | {new string('-', 9)} | {new string('-', 22)} |");
double Best(string name) => runs[name].Min(r => r.Seconds);
foreach (var (name, _) in clients)
{
    var curl = name.Contains("gzip") ? "curl, pre-gzipped" : "curl, plain";
    var ratio = name.StartsWith("curl") ? "" : (Best(curl) / Best(name)).ToString("P0", CultureInfo.InvariantCulture);
    Console.WriteLine($"| {name,-44} | {string.Join(" / ", runs[name].Select(r => r.Seconds.ToString("F2", CultureInfo.InvariantCulture))),-13} | {points.Count / Best(name),10:N0} | {runs[name].Min(r => r.Stored),9:N0} | {ratio,22} |");
}
Console.WriteLine("points/s from each client's faster run; writer runs include rendering the points to line protocol, curl's do not.");
Directory.Delete(work, recursive: true);
return runs.Values.SelectMany(r => r).All(r => r.Stored == points.Count) ? 0 : 1;
