using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Warning.Web.Tests.Support;
using Xunit.Abstractions;

namespace Warning.Web.Tests.Cluster;

/// <summary>
/// Cluster mode surviving the loss of a node (issue 11): three nodes on the project's PostgreSQL and Redis, 20,000
/// reports posted round-robin by a feed that re-sends unanswered requests with the same ids to the next node, and
/// <c>kill -9</c> of the node owning the most partitions half way. Afterwards every acknowledged report counts once in
/// every area, the dead node's partitions were resumed by survivors (the time it took is printed), and a screen's
/// SignalR client on a survivor kept receiving the situation throughout and ends on the true totals.
/// </summary>
public sealed class FailoverTests(ITestOutputHelper output)
{
    private const int Total = 20_000;
    private const int BatchSize = 50;

    [Fact]
    public async Task Three_nodes_lose_one_mid_run_and_count_every_acknowledged_report_once()
    {
        var postgres = await TestServers.CreatePostgresDatabaseAsync("failover");
        var redis = await TestServers.RedisAsync();
        var city = CityGenerator.Generate(CityShape.Small, 7);
        var grids = city.AtLevel(AreaLevel.Grid).Select(a => a.Id).ToArray();
        var partitions = city.Roots.Sum(r => city.ChildrenOf(r.Id).Count) + 1;
        await using var cluster = await ClusterNodes.StartAsync(3, postgres, redis);
        var nodes = cluster.Nodes;

        // Every partition owned somewhere before the run; the victim is the node owning most of them.
        Dictionary<int, (ServiceProcess Node, System.Text.Json.Nodes.JsonNode Partition)> owners = new();
        Assert.True(await Poll.UntilAsync(async () => (owners = await ClusterNodes.OwnersAsync(nodes)).Count == partitions, TimeSpan.FromMinutes(2)),
            $"not every partition owned: {string.Join(", ", owners.Keys)}");
        var victim = owners.Values.GroupBy(o => o.Node).OrderByDescending(g => g.Count()).First().Key;
        var victimPartitions = owners.Where(o => o.Value.Node == victim).Select(o => o.Key).ToArray();
        var survivors = nodes.Where(n => n != victim).ToArray();
        output.WriteLine($"victim {victim.BaseUrl} owns partitions {string.Join(", ", victimPartitions)}; screen on {survivors[0].BaseUrl}");

        // The screen: a SignalR client on a survivor, keeping the time and city totals of every situation it is pushed.
        var situations = new ConcurrentQueue<(TimeSpan At, long Seq, int Open)>();
        var clock = Stopwatch.StartNew();
        var root = city.Roots[0].Id;
        await using var screen = new HubConnectionBuilder().WithUrl(survivors[0].BaseUrl + "/hubs/screen").Build();
        screen.On<JsonElement>("message", message =>
        {
            if (message.GetProperty("type").GetString() != "situation") return;
            var regions = message.GetProperty("data").GetProperty("regions");
            var city = regions.EnumerateArray().First(r => r.GetProperty("id").GetString() == root);
            situations.Enqueue((clock.Elapsed, message.GetProperty("seq").GetInt64(), city.GetProperty("counts").GetProperty("open").GetInt32()));
        });
        await screen.StartAsync();

        var feed = new ReportFeed(grids, "fo");
        var turn = 0;
        // Round-robin; an unanswered request (or a 503) goes again, same ids, to the next node.
        async Task PostAsync(HttpClient[] clients, IReadOnlyList<SentReport> batch)
        {
            for (var attempt = 0; ; attempt++)
            {
                var client = clients[Interlocked.Increment(ref turn) % clients.Length];
                try
                {
                    var (status, body, _) = await Reports.PostAsync(client, "/api/v1/reports", ReportFeed.Batch(batch));
                    if (status == 202)
                    {
                        feed.Acknowledge(body!);
                        return;
                    }
                    Assert.True(status == 503, $"unexpected {status}: {body}");
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) { }
                Assert.True(attempt < 50, "a batch found no node to take it in 50 attempts");
            }
        }

        var clients = nodes.Select(n => new HttpClient { BaseAddress = new Uri(n.BaseUrl), Timeout = TimeSpan.FromSeconds(30) }).ToArray();
        var seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var r = new Random(seed + w);
            while (feed.Made < Total) await PostAsync(clients, Enumerable.Range(0, BatchSize).Select(_ => feed.Next(r)).ToList());
        })).ToArray();

        // A duty officer reading cases on a survivor through the kill: an answer, or a 503 to retry while a case's grain
        // moves off the dead node; never a 500.
        var readStatuses = new ConcurrentDictionary<int, int>();
        using var stopReading = new CancellationTokenSource();
        var readerTask = Task.Run(async () =>
        {
            using var officer = new HttpClient { BaseAddress = new Uri(survivors[1].BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
            var r = new Random(seed);
            while (!stopReading.IsCancellationRequested)
            {
                var acknowledged = feed.Acknowledged.Keys.ToArray();
                if (acknowledged.Length > 0 && feed.Sent.TryGetValue(acknowledged[r.Next(acknowledged.Length)], out var sent))
                {
                    try
                    {
                        using var response = await officer.GetAsync($"/api/v1/cases/{sent.CaseId}");
                        readStatuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                    }
                    catch (HttpRequestException) { }
                    catch (TaskCanceledException) { }
                }
                await Task.Delay(Poll.Interval);
            }
        });

        Assert.True(await Poll.UntilAsync(() => feed.Acknowledged.Count >= Total / 2 || workers.Any(w => w.IsFaulted), TimeSpan.FromMinutes(5)), "half the run not acknowledged in 5 minutes");
        var killedAt = clock.Elapsed;
        var killedAtTime = DateTimeOffset.UtcNow;
        victim.Kill();
        output.WriteLine($"kill -9 after {feed.Acknowledged.Count:N0} acknowledged reports, {killedAt.TotalSeconds:F1}s into the run");

        // The dead node's partitions: taken by a survivor, which applies them again from their checkpoints.
        var resumed = new Dictionary<int, double>();
        Assert.True(await Poll.UntilAsync(async () =>
        {
            foreach (var (partition, (node, report)) in await ClusterNodes.OwnersAsync(survivors))
            {
                if (!victimPartitions.Contains(partition) || resumed.ContainsKey(partition)) continue;
                if (report["resumedSeconds"] is not { } applying) continue;
                var since = DateTimeOffset.Parse((string)report["since"]!);
                resumed[partition] = (since - killedAtTime).TotalSeconds + (double)applying;
                output.WriteLine($"partition {partition} ({report["county"]}) resumed on {node.BaseUrl}: taken {(since - killedAtTime).TotalSeconds:F1}s after the kill, applying {(double)applying:F1}s later");
            }
            return resumed.Count == victimPartitions.Length;
        }, TimeSpan.FromMinutes(2)), "the dead node's partitions were not resumed by a survivor");

        await Task.WhenAll(workers);
        var runEnd = clock.Elapsed;
        await stopReading.CancelAsync();
        await readerTask;
        output.WriteLine("case reads during the run: " + string.Join(", ", readStatuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}")));
        Assert.True(readStatuses.Keys.Contains(200), "no case read succeeded during the run");
        Assert.DoesNotContain(readStatuses.Keys, status => status >= 500 && status != 503);
        foreach (var chunk in feed.Unanswered.Chunk(BatchSize)) await PostAsync(clients.Where((_, i) => nodes[i] != victim).ToArray(), chunk);
        Assert.Equal(feed.Sent.Count, feed.Acknowledged.Count);

        using var reader = new HttpClient { BaseAddress = new Uri(survivors[1].BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        await ReportFeed.AssertCountedOnceAsync(reader, city, feed.Sent.Values.ToList(), "after the failover");

        // The screen heard the whole run, across the kill, and ends on what the areas say.
        var expectedOpen = ReportFeed.Expected(city, feed.Sent.Values.ToList())[root].Open;
        Assert.True(await Poll.UntilAsync(() => situations.LastOrDefault().Open == expectedOpen, TimeSpan.FromMinutes(1)),
            $"the screen's last situation says {situations.LastOrDefault().Open} open, the areas {expectedOpen}");
        // From the first push it heard (before any report, pushes come only every Live:RefreshInterval) to the end of the run.
        var heard = situations.Where(s => s.At <= runEnd).Select(s => s.At).Append(runEnd).ToArray();
        var longestSilence = heard.Zip(heard.Skip(1), (a, b) => b - a).Max();
        var afterKill = situations.Count(s => s.At > killedAt && s.At <= runEnd);
        output.WriteLine($"run {runEnd.TotalSeconds:F1}s; screen heard {situations.Count} situations ({afterKill} after the kill), longest silence {longestSilence.TotalSeconds:F1}s");
        Assert.True(afterKill > 0, "the screen heard nothing after the kill");
        Assert.True(longestSilence < TimeSpan.FromSeconds(20), $"the screen heard nothing for {longestSilence.TotalSeconds:F1}s");
        output.WriteLine($"partition resume after kill -9: {string.Join(", ", resumed.Select(r => $"{r.Key}: {r.Value:F1}s"))}");
        Assert.All(resumed.Values, s => Assert.True(s < 30, $"a partition took {s:F1}s to resume"));
        foreach (var client in clients) client.Dispose();
    }
}
