using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Warning.Web.Tests.Support;
using Xunit.Abstractions;

namespace Warning.Web.Tests.Cluster;

/// <summary>
/// Cluster mode when its servers go away (issue 11): PostgreSQL stopped for 30 s under load, and Redis stopped. Each test
/// runs a PostgreSQL or Redis of its own (the project's scripts, on a free port) so it can stop it.
/// </summary>
public sealed class ClusterFaultTests(ITestOutputHelper output)
{
    private const int BatchSize = 20;

    private sealed record Answer(TimeSpan At, int Status, string? RetryAfter);

    [Fact]
    public async Task PostgreSQL_away_for_30_s_gets_503s_with_Retry_After_then_recovers_and_loses_nothing()
    {
        var (postgres, stopPostgres, startPostgres) = await TestServers.OwnPostgresAsync();
        try
        {
            var redis = await TestServers.RedisAsync();
            var city = CityGenerator.Generate(CityShape.Small, 7);
            await using var cluster = await ClusterNodes.StartAsync(2, postgres, redis);
            var feed = new ReportFeed(city.AtLevel(AreaLevel.Grid).Select(a => a.Id).ToArray(), "pgdown");
            var clock = Stopwatch.StartNew();
            var answers = new ConcurrentQueue<Answer>();
            var clients = cluster.Nodes.Select(n => new HttpClient { BaseAddress = new Uri(n.BaseUrl), Timeout = TimeSpan.FromSeconds(60) }).ToArray();
            using var stop = new CancellationTokenSource();
            var turn = 0;

            // A feed that keeps posting; a batch without a 202 goes again, same ids, once the answer's Retry-After has passed.
            async Task PostUntilAcknowledgedAsync(IReadOnlyList<SentReport> batch)
            {
                while (true)
                {
                    var client = clients[Interlocked.Increment(ref turn) % clients.Length];
                    using var response = await client.PostAsync("/api/v1/reports", new StringContent(ReportFeed.Batch(batch).ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
                    var retryAfter = response.Headers.RetryAfter?.Delta;
                    answers.Enqueue(new Answer(clock.Elapsed, (int)response.StatusCode, retryAfter?.TotalSeconds.ToString()));
                    if ((int)response.StatusCode == 202)
                    {
                        feed.Acknowledge(JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
                        return;
                    }
                    Assert.True((int)response.StatusCode == 503, $"unexpected {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    Assert.True(retryAfter is { TotalSeconds: > 0 }, "a 503 without Retry-After");
                    await Task.Delay(retryAfter.Value);
                }
            }
            var workers = Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
            {
                var r = new Random(w);
                while (!stop.IsCancellationRequested) await PostUntilAcknowledgedAsync(Enumerable.Range(0, BatchSize).Select(_ => feed.Next(r)).ToList());
            })).ToArray();

            Assert.True(await Poll.UntilAsync(() => feed.Acknowledged.Count >= 1000 || workers.Any(w => w.IsFaulted), TimeSpan.FromMinutes(3)), "no load before the outage");
            await stopPostgres();
            var down = clock.Elapsed;
            output.WriteLine($"PostgreSQL stopped at {down.TotalSeconds:F1}s after {feed.Acknowledged.Count:N0} acknowledged reports");
            // Under load for the whole outage; then it comes back by itself, with nobody restarting a node.
            await Poll.UntilAsync(() => workers.Any(w => w.IsFaulted), TimeSpan.FromSeconds(30));
            // The outage ends when the restart begins: PostgreSQL answers before the script returns (it checks the role
            // and database after the server is up), and a 202 from then on is one it can keep.
            var up = clock.Elapsed;
            await startPostgres();
            var atRestart = feed.Acknowledged.Count;
            Assert.True(await Poll.UntilAsync(() => feed.Acknowledged.Count >= atRestart + 500 || workers.Any(w => w.IsFaulted), TimeSpan.FromMinutes(3)),
                "intake did not recover by itself after PostgreSQL came back");
            stop.Cancel();
            await Task.WhenAll(workers);

            var during = answers.Where(a => a.At > down + TimeSpan.FromSeconds(5) && a.At < up).ToList();
            var firstBack = answers.Where(a => a.At > up && a.Status == 202).Min(a => a.At);
            output.WriteLine($"during the outage: {during.Count(a => a.Status == 503)} × 503 (Retry-After {during.FirstOrDefault(a => a.Status == 503)?.RetryAfter} s), {during.Count(a => a.Status == 202)} × 202; first 202 {(firstBack - up).TotalSeconds:F1}s after PostgreSQL was back");
            Assert.Contains(during, a => a.Status == 503);
            Assert.DoesNotContain(during, a => a.Status == 202);

            Assert.Empty(feed.Unanswered);
            await ReportFeed.AssertCountedOnceAsync(clients[0], city, feed.Sent.Values.ToList(), "after PostgreSQL came back");
            foreach (var client in clients) client.Dispose();
        }
        finally
        {
            await stopPostgres();
        }
    }

    [Fact]
    public async Task Redis_away_stops_no_node_and_screens_catch_up_through_Resume()
    {
        var (redis, stopRedis, startRedis) = await TestServers.OwnRedisAsync();
        try
        {
            var postgres = await TestServers.CreatePostgresDatabaseAsync("redisdown");
            var city = CityGenerator.Generate(CityShape.Small, 7);
            var root = city.Roots[0].Id;
            await using var cluster = await ClusterNodes.StartAsync(2, postgres, redis);
            var feed = new ReportFeed(city.AtLevel(AreaLevel.Grid).Select(a => a.Id).ToArray(), "redisdown");
            var clients = cluster.Nodes.Select(n => new HttpClient { BaseAddress = new Uri(n.BaseUrl), Timeout = TimeSpan.FromSeconds(60) }).ToArray();

            var heard = new ConcurrentQueue<(long Seq, int Open)>();
            await using var screen = new HubConnectionBuilder().WithUrl(cluster.Nodes[0].BaseUrl + "/hubs/screen").Build();
            screen.On<JsonElement>("message", m => { if (OpenOf(m, root) is { } open) heard.Enqueue((m.GetProperty("seq").GetInt64(), open)); });
            await screen.StartAsync();

            var r = new Random(1);
            async Task PostAsync(int reports)
            {
                for (var i = 0; i < reports / BatchSize; i++)
                {
                    var (status, body, _) = await Reports.PostAsync(clients[i % clients.Length], "/api/v1/reports", ReportFeed.Batch(Enumerable.Range(0, BatchSize).Select(_ => feed.Next(r))));
                    Assert.True(status == 202, $"{status}: {body}");
                    feed.Acknowledge(body!);
                }
            }

            await PostAsync(400);
            var before = ReportFeed.Expected(city, feed.Sent.Values.ToList())[root].Open;
            Assert.True(await Poll.UntilAsync(() => heard.LastOrDefault().Open == before, TimeSpan.FromMinutes(1)), "the screen never heard the totals before the outage");
            var lastSeen = heard.Last().Seq;

            await stopRedis();
            // Both nodes take reports and stay ready without Redis.
            await PostAsync(400);
            foreach (var node in cluster.Nodes)
            {
                using var client = new HttpClient { BaseAddress = new Uri(node.BaseUrl) };
                using var ready = await client.GetAsync("/readyz");
                Assert.True(ready.IsSuccessStatusCode, $"{node.BaseUrl} not ready without Redis: {await ready.Content.ReadAsStringAsync()}");
            }
            await ReportFeed.AssertCountedOnceAsync(clients[1], city, feed.Sent.Values.ToList(), "with Redis away");
            var expected = ReportFeed.Expected(city, feed.Sent.Values.ToList())[root].Open;
            output.WriteLine($"Redis away: the screen heard {heard.Count(h => h.Seq > lastSeen)} pushes after seq {lastSeen}");

            await startRedis();
            // Pushes reach the screen again, and Resume(lastSeq) hands it what it missed, the totals the areas hold.
            var count = heard.Count;
            Assert.True(await Poll.UntilAsync(() => heard.Count > count, TimeSpan.FromMinutes(1)), "no push reached the screen after Redis came back");
            // The node's own situation goes out at least every Live:RefreshInterval, so its feed holds the settled totals soon.
            List<JsonElement> situations = [];
            Assert.True(await Poll.UntilAsync(async () =>
            {
                var missed = await screen.InvokeAsync<JsonElement>("Resume", lastSeen);
                situations = missed.EnumerateArray().Where(m => OpenOf(m, root) is not null).ToList();
                return situations.Count > 0 && OpenOf(situations[^1], root) == expected;
            }, TimeSpan.FromMinutes(1)), $"Resume({lastSeen}) ends on {(situations.Count > 0 ? OpenOf(situations[^1], root) : null)} open, the areas hold {expected}");
            output.WriteLine($"Resume({lastSeen}) returned {situations.Count} situations, the last with the {expected} open cases the areas hold");
            foreach (var client in clients) client.Dispose();
        }
        finally
        {
            await stopRedis();
        }
    }

    /// <summary>The root's open cases in a situation message, or null for another message.</summary>
    private static int? OpenOf(JsonElement message, string root) =>
        message.GetProperty("type").GetString() == "situation"
            ? message.GetProperty("data").GetProperty("regions").EnumerateArray().First(r => r.GetProperty("id").GetString() == root)
                .GetProperty("counts").GetProperty("open").GetInt32()
            : null;
}
