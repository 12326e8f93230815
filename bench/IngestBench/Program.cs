// Ingest throughput: reports/s accepted over HTTP into the embedded store (batches of 1 and 100), p50/p99 accept
// latency, and in the same run the raw rate of inserting the same rows straight into SQLite with the same pragmas.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;

// --auth OFF_DLL ON_DLL [reports]: API-key authentication off (a build without accounts) against on (this one, with a
// provisioned key on every request), alternating, two rounds each, side by side.
if (args is ["--auth", var offDll, var onDll, ..])
{
    await AuthCompare.RunAsync(offDll, onDll, args.Length > 3 ? int.Parse(args[3]) : 50_000);
    return;
}
var webDll = args.Length > 0 ? args[0] : throw new ArgumentException("usage: IngestBench <path to Warning.Web.dll> [reports] | --auth <off dll> <on dll> [reports]");
var total = args.Length > 1 ? int.Parse(args[1]) : 50_000;
var singles = Math.Min(total / 5, 10_000);
var work = Path.Combine(Path.GetTempPath(), "warning-bench-" + Guid.NewGuid().ToString("N"));
Directory.CreateDirectory(work);
var grids = CityGenerator.Generate(CityShape.Dingxi, 7).AtLevel(AreaLevel.Grid).Select(a => a.Id).ToArray();

string Report(int n, string prefix) => JsonSerializer.Serialize(new
{
    reportId = $"{prefix}-{n}", gridId = grids[n % grids.Length], reportedAt = DateTimeOffset.UtcNow.ToString("O"), reporterId = "w-bench",
    category = "land", status = "screened", partiesCount = 2, peopleInvolved = 4, amountInDispute = 5000, mediationAttempts = 0,
    flags = new[] { "repeat_dispute" }, summary = "因宅基地边界发生争执",
});

var port = FreePort();
var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
// BENCH_ARGS passes extra service settings, e.g. to compare configurations.
string[] serviceArgs = [webDll, "--urls", $"http://127.0.0.1:{port}", $"--Storage:DataDirectory={Path.Combine(work, "service")}",
    "--Serilog:MinimumLevel:Default=Warning", "--Simulator:Enabled=false", $"--Orleans:SiloPort={FreePort()}",
    .. Environment.GetEnvironmentVariable("BENCH_ARGS")?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? []];
foreach (var a in serviceArgs) info.ArgumentList.Add(a);
using var service = Process.Start(info)!;
service.OutputDataReceived += (_, _) => { };
service.ErrorDataReceived += (_, _) => { };
service.BeginOutputReadLine();
service.BeginErrorReadLine();
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
// BENCH_API_KEY: sent on every ingest request (the service is given its hash through BENCH_ARGS).
if (Environment.GetEnvironmentVariable("BENCH_API_KEY") is { Length: > 0 } benchKey) http.DefaultRequestHeaders.Add("X-Api-Key", benchKey);
for (var i = 0; ; i++)
{
    try { if ((await http.GetAsync("/readyz")).IsSuccessStatusCode) break; } catch (HttpRequestException) { }
    if (i > 600) throw new TimeoutException("service did not start");
    await Task.Delay(100);
}

async Task<(double Rate, double P50, double P99)> PostAsync(int reports, int batch, int concurrency, string prefix)
{
    var bodies = Enumerable.Range(0, reports / batch)
        .Select(b => batch == 1 ? Report(b, prefix) : "[" + string.Join(",", Enumerable.Range(b * batch, batch).Select(n => Report(n, prefix))) + "]").ToArray();
    var latencies = new double[bodies.Length];
    var next = -1;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < bodies.Length)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await http.PostAsync("/api/v1/reports", new StringContent(bodies[i], Encoding.UTF8, "application/json"));
            if (response.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
    }));
    var elapsed = clock.Elapsed.TotalSeconds;
    Array.Sort(latencies);
    return (bodies.Length * batch / elapsed, latencies[latencies.Length / 2], latencies[(int)(latencies.Length * 0.99)]);
}

double RawSqlite(int reports, int batch, string prefix)
{
    var path = Path.Combine(work, $"raw-{batch}.db");
    using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
    connection.Open();
    using (var setup = connection.CreateCommand())
    {
        // The same table, index and pragmas the service's ingest log uses.
        setup.CommandText = """
            PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
            CREATE TABLE ingest_log (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, item_id TEXT NOT NULL, case_id TEXT,
              received_at TEXT NOT NULL, payload TEXT NOT NULL, UNIQUE (kind, item_id));
            CREATE INDEX ingest_log_case ON ingest_log(case_id) WHERE case_id IS NOT NULL;
            """;
        setup.ExecuteNonQuery();
    }
    var rows = Enumerable.Range(0, reports).Select(n => Report(n, prefix)).ToArray();
    using var insert = connection.CreateCommand();
    insert.CommandText = "INSERT INTO ingest_log (kind, item_id, case_id, received_at, payload) VALUES ('Report', $id, $case, $at, $payload) ON CONFLICT DO NOTHING";
    var id = insert.Parameters.Add("$id", SqliteType.Text);
    var caseId = insert.Parameters.Add("$case", SqliteType.Text);
    var at = insert.Parameters.Add("$at", SqliteType.Text);
    var payload = insert.Parameters.Add("$payload", SqliteType.Text);
    var clock = Stopwatch.StartNew();
    for (var b = 0; b < reports; b += batch)
    {
        using var tx = connection.BeginTransaction();
        insert.Transaction = tx;
        for (var n = b; n < Math.Min(reports, b + batch); n++)
        {
            id.Value = $"{prefix}-{n}";
            caseId.Value = Warning.Analytics.Disputes.CaseIds.FromOpeningReport($"{prefix}-{n}");
            at.Value = DateTimeOffset.UtcNow.ToString("O");
            payload.Value = rows[n];
            insert.ExecuteNonQuery();
        }
        tx.Commit();
    }
    return reports / clock.Elapsed.TotalSeconds;
}

await PostAsync(2_000, 100, 4, "warmup");
var http1 = await PostAsync(singles, 1, 16, "h1");
var http100 = await PostAsync(total, 100, 4, "h100");
var raw1 = RawSqlite(singles, 1, "r1");
var raw100 = RawSqlite(total, 100, "r100");
service.Kill();
Directory.Delete(work, true);

Console.WriteLine($"Ingest benchmark: {Environment.ProcessorCount} cores, SQLite WAL synchronous=FULL, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine();
Console.WriteLine("| path | batch | reports | reports/s | p50 ms | p99 ms | ratio to raw SQLite, same batch |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
Console.WriteLine($"| HTTP POST /api/v1/reports (16 clients) | 1 | {singles:N0} | {http1.Rate:N0} | {http1.P50:F2} | {http1.P99:F2} | {http1.Rate / raw1:P0} |");
Console.WriteLine($"| HTTP POST /api/v1/reports (4 clients) | 100 | {total:N0} | {http100.Rate:N0} | {http100.P50:F2} | {http100.P99:F2} | {http100.Rate / raw100:P0} |");
Console.WriteLine($"| raw SQLite insert, one transaction per batch | 1 | {singles:N0} | {raw1:N0} | | | |");
Console.WriteLine($"| raw SQLite insert, one transaction per batch | 100 | {total:N0} | {raw100:N0} | | | |");

static int FreePort()
{
    using var l = new TcpListener(IPAddress.Loopback, 0);
    l.Start();
    return ((IPEndPoint)l.LocalEndpoint).Port;
}
