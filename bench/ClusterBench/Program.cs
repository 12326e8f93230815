// Cluster mode on this machine (issue 11): the same report load against one embedded node, one cluster node and three
// cluster nodes (PostgreSQL and Redis from the project's scripts), and a three-node run with kill -9 of the busiest
// partition owner half way. Per setup: reports/s accepted, accept latency, reports/s applied, the time from a report's
// 202 until its case grain has it (sampled), and how long the dead node's partitions took to resume on a survivor.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;

var webDll = args.Length > 0 ? args[0] : throw new ArgumentException("usage: ClusterBench <Warning.Web.dll> <postgres> <redis> [reports] [shape]");
var postgres = args[1];
var redis = args[2];
var total = args.Length > 3 ? int.Parse(args[3]) : 20_000;
var shapeName = args.Length > 4 ? args[4] : "Dingxi";
var city = CityGenerator.Generate(CityShape.Named(shapeName), 7);
var grids = city.AtLevel(AreaLevel.Grid).Select(a => a.Id).ToArray();
var root = city.Roots[0].Id;
var work = Path.Combine(Path.GetTempPath(), "warning-cluster-bench-" + Guid.NewGuid().ToString("N")[..8]);
const int Workers = 8;
const int Batch = 10;

Console.WriteLine($"{total:N0} reports in batches of {Batch} from {Workers} clients, round-robin over the nodes; city {shapeName} " +
                  $"({grids.Length:N0} grids, {city.Roots.Sum(r => city.ChildrenOf(r.Id).Count)} counties = partitions + 1); {Environment.ProcessorCount} cores");
var rows = new List<string[]>();
rows.Add(await RunAsync("1 node, embedded (SQLite)", 1, cluster: false, kill: false));
rows.Add(await RunAsync("1 node, cluster (PostgreSQL)", 1, cluster: true, kill: false));
rows.Add(await RunAsync("3 nodes, cluster", 3, cluster: true, kill: false));
rows.Add(await RunAsync("3 nodes, kill -9 one mid-run", 3, cluster: true, kill: true));
string[] header = ["setup", "accepted/s", "accept p50 ms", "accept p99 ms", "applied/s", "202→applied p50 ms", "202→applied p99 ms", "failover s"];
Console.WriteLine();
Console.WriteLine(Table(header, rows));
try { Directory.Delete(work, true); } catch (IOException) { }
return;

async Task<string[]> RunAsync(string name, int count, bool cluster, bool kill)
{
    Console.Error.WriteLine($"== {name}");
    var settings = new List<string> { "--Serilog:MinimumLevel:Default=Warning", "--Simulator:Enabled=false", "--Orleans:Dashboard=false",
        $"--Hierarchy:SimulatedCityShape={shapeName}", "--Risk:RescoreOnStartup=false", "--Spikes:ScanOnStartup=false" };
    if (cluster)
    {
        var database = $"bench_{Guid.NewGuid():N}"[..20];
        await using (var admin = new NpgsqlConnection(postgres))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await create.ExecuteNonQueryAsync();
        }
        settings.AddRange(["--Cluster:Enabled=true", $"--Cluster:Postgres={new NpgsqlConnectionStringBuilder(postgres) { Database = database }}",
            $"--Cluster:Redis={redis}", $"--Orleans:ClusterId={database}"]);
    }
    var dataDirectories = Enumerable.Range(0, count).Select(i => Path.Combine(work, $"{name.GetHashCode():x}-{i}")).ToArray();
    var access = new Warning.Bench.BenchAccess(dataDirectories);
    settings.AddRange(access.ServiceArgs());
    var nodes = await Task.WhenAll(dataDirectories.Select(data => Node.StartAsync(webDll, data, settings)));
    try
    {
        if (cluster) await Wait.UntilAsync(async () => (await OwnersAsync(nodes)).Count == city.Roots.Sum(r => city.ChildrenOf(r.Id).Count) + 1, TimeSpan.FromMinutes(2));
        var clients = nodes.Select(n => new HttpClient(access.Handler(32)) { BaseAddress = new Uri(n.Url), Timeout = TimeSpan.FromSeconds(60) }).ToArray();
        var accept = new ConcurrentBag<double>();
        var applied = new ConcurrentBag<double>();
        var acknowledged = new ConcurrentDictionary<string, bool>();
        var made = 0;
        var turn = 0;
        var prefix = Guid.NewGuid().ToString("N")[..6];
        var clock = Stopwatch.StartNew();
        Node? victim = null;
        int[] victimPartitions = [];
        var killedAt = DateTimeOffset.MinValue;

        async Task SampleAppliedAsync(string caseId, long acceptedAt)
        {
            // Polled on another node than the one that answered: the change is applied where its partition is owned.
            var client = clients[(Volatile.Read(ref turn) + 1) % clients.Length];
            while (Stopwatch.GetElapsedTime(acceptedAt) < TimeSpan.FromMinutes(2))
            {
                try
                {
                    using var response = await client.GetAsync($"/api/v1/cases/{caseId}");
                    if (response.IsSuccessStatusCode)
                    {
                        applied.Add(Stopwatch.GetElapsedTime(acceptedAt).TotalMilliseconds);
                        return;
                    }
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) { }
                await Task.Delay(10);
            }
        }

        var samples = new ConcurrentBag<Task>();
        var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            while (true)
            {
                var first = Interlocked.Add(ref made, Batch) - Batch;
                if (first >= total) return;
                var ids = Enumerable.Range(first, Math.Min(Batch, total - first)).Select(n => $"{prefix}-{n}").ToArray();
                var body = "[" + string.Join(",", ids.Select((id, i) => Report(id, first + i))) + "]";
                for (var attempt = 0; ; attempt++)
                {
                    var client = clients[Interlocked.Increment(ref turn) % clients.Length];
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        using var response = await client.PostAsync("/api/v1/reports", new StringContent(body, Encoding.UTF8, "application/json"));
                        if (response.StatusCode == HttpStatusCode.Accepted)
                        {
                            accept.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                            foreach (var item in answer["items"]!.AsArray()) acknowledged.TryAdd((string)item!["id"]!, true);
                            if (first / Batch % 5 == 0) samples.Add(SampleAppliedAsync((string)answer["items"]![0]!["caseId"]!, Stopwatch.GetTimestamp()));
                            break;
                        }
                    }
                    catch (HttpRequestException) { }
                    catch (TaskCanceledException) { }
                    if (attempt > 100) throw new InvalidOperationException("a batch found no node to take it");
                }
            }
        })).ToArray();

        double? failover = null;
        if (kill)
        {
            await Wait.UntilAsync(() => Task.FromResult(acknowledged.Count >= total / 2), TimeSpan.FromMinutes(10));
            var owners = await OwnersAsync(nodes);
            victim = owners.Values.GroupBy(o => o.Node).OrderByDescending(g => g.Count()).First().Key;
            victimPartitions = owners.Where(o => o.Value.Node == victim).Select(o => o.Key).ToArray();
            killedAt = DateTimeOffset.UtcNow;
            victim.Kill();
            var survivors = nodes.Where(n => n != victim).ToArray();
            var resumed = new Dictionary<int, double>();
            await Wait.UntilAsync(async () =>
            {
                foreach (var (partition, (_, report)) in await OwnersAsync(survivors))
                {
                    if (!victimPartitions.Contains(partition) || report["resumedSeconds"] is not { } s) continue;
                    resumed[partition] = (DateTimeOffset.Parse((string)report["since"]!) - killedAt).TotalSeconds + (double)s;
                }
                return resumed.Count == victimPartitions.Length;
            }, TimeSpan.FromMinutes(3));
            failover = resumed.Values.Max();
            Console.Error.WriteLine($"   killed {victim.Url} (partitions {string.Join(", ", victimPartitions)}); resumed after {string.Join(", ", resumed.Select(r => $"{r.Key}: {r.Value:F1}s"))}");
        }

        await Task.WhenAll(workers);
        var acceptedSeconds = clock.Elapsed.TotalSeconds;
        // Applied: the city counts every report (each opens a case); read from a live node.
        var reader = clients[Array.FindIndex(nodes, n => n != victim)];
        await Wait.UntilAsync(async () => (int)(await GetAsync(reader, $"/api/v1/regions/{root}"))["counts"]!["open"]! >= total, TimeSpan.FromMinutes(10));
        var appliedSeconds = clock.Elapsed.TotalSeconds;
        await Task.WhenAll(samples);
        var open = (int)(await GetAsync(reader, $"/api/v1/regions/{root}"))["counts"]!["open"]!;
        if (open != total) throw new InvalidOperationException($"{name}: the city counts {open} open cases for {total} reports");
        foreach (var c in clients) c.Dispose();
        return [name, $"{total / acceptedSeconds:N0}", $"{Percentile(accept, 0.5):F0}", $"{Percentile(accept, 0.99):F0}", $"{total / appliedSeconds:N0}",
            $"{Percentile(applied, 0.5):F0}", $"{Percentile(applied, 0.99):F0}", failover is { } f ? $"{f:F1}" : "–"];
    }
    finally
    {
        foreach (var node in nodes) node.Dispose();
    }
}

string Report(string id, int n) => JsonSerializer.Serialize(new
{
    reportId = id, gridId = grids[n * 7919 % grids.Length], reportedAt = DateTimeOffset.UtcNow.ToString("O"), reporterId = "w-bench",
    category = "land", status = "screened", partiesCount = 2, peopleInvolved = 4, amountInDispute = 5000, mediationAttempts = 0,
    flags = new[] { "repeat_dispute" }, summary = "因宅基地边界发生争执",
});

async Task<Dictionary<int, (Node Node, JsonNode Report)>> OwnersAsync(IEnumerable<Node> nodes)
{
    var owners = new Dictionary<int, (Node, JsonNode)>();
    foreach (var node in nodes)
    {
        using var client = new HttpClient { BaseAddress = new Uri(node.Url), Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            foreach (var p in (await GetAsync(client, "/api/v1/cluster"))["partitions"]!.AsArray()) owners[(int)p!["partition"]!] = (node, p);
        }
        catch (HttpRequestException) { }
        catch (TaskCanceledException) { }
    }
    return owners;
}

static async Task<JsonNode> GetAsync(HttpClient client, string path) => JsonNode.Parse(await client.GetStringAsync(path))!;


static double Percentile(IEnumerable<double> values, double p)
{
    var sorted = values.Order().ToArray();
    return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}

static string Table(string[] header, List<string[]> rows)
{
    var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
    string Line(string[] cells) => "| " + string.Join(" | ", cells.Select((c, i) => i == 0 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))) + " |";
    return string.Join("\n", [Line(header), "|" + string.Join("|", widths.Select((w, i) => new string('-', w + 1) + (i == 0 ? "-" : ":"))) + "|", .. rows.Select(Line)]);
}

/// <summary>One Warning node as a child process on free loopback ports.</summary>
sealed class Node : IDisposable
{
    private readonly Process _process;

    private Node(Process process, string url)
    {
        _process = process;
        Url = url;
    }

    public string Url { get; }

    public static async Task<Node> StartAsync(string webDll, string data, IEnumerable<string> settings)
    {
        var url = $"http://127.0.0.1:{FreePort()}";
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { webDll, "--urls", url, $"--Storage:DataDirectory={data}", $"--Orleans:SiloPort={FreePort()}" }.Concat(settings))
            info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var node = new Node(process, url);
        using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(2) };
        await Wait.UntilAsync(async () =>
        {
            if (process.HasExited) throw new InvalidOperationException($"node exited with {process.ExitCode}");
            try { return (await client.GetAsync("/readyz")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
            catch (TaskCanceledException) { return false; }
        }, TimeSpan.FromMinutes(3));
        return node;
    }

    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

static class Wait
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not within {limit}");
            await Task.Delay(100);
        }
    }
}
