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

async Task<(double Seconds, long Stored)> CurlAsync()
{
    var client = await FreshDatabaseAsync("bench_curl", gzip: false);
    var config = new StringBuilder();
    for (var i = 0; i * batchSize < lines.Count; i++)
    {
        var file = Path.Combine(work, $"batch-{i:D5}.lp");
        await File.WriteAllTextAsync(file, string.Join('\n', lines.Skip(i * batchSize).Take(batchSize)) + "\n");
        if (i > 0) config.AppendLine("next");
        config.AppendLine($"url = \"{url}/write?db=bench_curl&rp=raw&precision=ns\"");
        config.AppendLine($"data-binary = \"@{file}\"");
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
// InfluxDB compacts what it just took for a while afterwards: each run starts on a settled server, and curl runs both
// first and last so a drift in the server shows up in the table instead of skewing the ratio.
async Task<T> Settled<T>(Func<Task<T>> run)
{
    await Task.Delay(TimeSpan.FromSeconds(8));
    return await run();
}
var curlRun = await Settled(CurlAsync);
var gzipRun = await Settled(() => WriterAsync(gzip: true));
var plainRun = await Settled(() => WriterAsync(gzip: false));
var curlAgain = await Settled(CurlAsync);
Console.WriteLine();
Console.WriteLine($"| {"client",-40} | {"seconds",8} | {"points/s",10} | {"stored",9} | {"vs curl",7} |");
Console.WriteLine($"| {new string('-', 40)} | {new string('-', 8)} | {new string('-', 10)} | {new string('-', 9)} | {new string('-', 7)} |");
var curlSeconds = (curlRun.Seconds + curlAgain.Seconds) / 2;
void Row(string name, (double Seconds, long Stored) run) =>
    Console.WriteLine($"| {name,-40} | {run.Seconds,8:F2} | {points.Count / run.Seconds,10:N0} | {run.Stored,9:N0} | {curlSeconds / run.Seconds,7:P0} |");
Row("curl, pre-rendered lines (first run)", curlRun);
Row("Warning InfluxWriter, gzip (default)", gzipRun);
Row("Warning InfluxWriter, no gzip", plainRun);
Row("curl, pre-rendered lines (last run)", curlAgain);
Console.WriteLine("(vs curl: the writer's rate over the mean rate of the two curl runs)");
Directory.Delete(work, recursive: true);
return new[] { curlRun, gzipRun, plainRun, curlAgain }.All(r => r.Stored == points.Count) ? 0 : 1;
