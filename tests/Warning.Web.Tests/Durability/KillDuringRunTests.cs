using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Warning.Web.Tests.Support;
using Xunit.Abstractions;

namespace Warning.Web.Tests.Durability;

/// <summary>
/// Exactly once without a shared transaction: each grain writes its own state and the applier's checkpoint lags behind.
/// A 20,000-report run (cases opened, some later resolved) is killed with SIGKILL at ten random moments; after each
/// restart the feed re-sends what got no answer, as a feed does, and every area at every level must count each case
/// exactly once: its open, today and 30-day counts equal what the accepted reports say.
/// </summary>
public sealed partial class KillDuringRunTests(ITestOutputHelper output)
{
    private const int Total = 20_000;
    private const int Kills = 10;
    private const int BatchSize = 50;

    private sealed record Sent(JsonObject Body, string CaseId, string GridId, bool Opens, CaseStatus Status, DateTimeOffset At);

    [Fact]
    public async Task Every_accepted_report_counts_once_at_every_level_after_ten_kills()
    {
        var data = Path.Combine(Path.GetTempPath(), "warning-kills-" + Guid.NewGuid().ToString("N"));
        var city = CityGenerator.Generate(CityShape.Small, 7);
        var grids = city.AtLevel(AreaLevel.Grid).Select(a => a.Id).ToArray();
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var killAt = Enumerable.Range(0, Kills).Select(_ => random.Next(500, Total - 500)).Order().ToArray();
        output.WriteLine($"seed {seed}; kills after {string.Join(", ", killAt)} acknowledged reports");

        // Every report the feed has made up; which of them got a 202; the cases that an acknowledged report opened.
        var sent = new ConcurrentDictionary<string, Sent>();
        var acknowledged = new ConcurrentDictionary<string, bool>();
        var openedCases = new ConcurrentQueue<(string CaseId, string GridId)>();
        var made = 0;

        Sent Next(Random r)
        {
            var n = Interlocked.Increment(ref made);
            var at = DateTimeOffset.UtcNow;
            // One in five resolves a case whose opening was acknowledged; the rest open cases.
            if (r.Next(5) == 0 && openedCases.TryDequeue(out var open))
            {
                var resolve = Reports.Valid(open.GridId, $"kill-{n}");
                resolve["caseId"] = open.CaseId;
                resolve["status"] = "resolved";
                resolve["mediationAttempts"] = 1;
                resolve["reportedAt"] = at.ToString("O");
                return new Sent(resolve, open.CaseId, open.GridId, false, CaseStatus.Resolved, at);
            }
            var grid = grids[r.Next(grids.Length)];
            var report = Reports.Valid(grid, $"kill-{n}");
            var status = r.Next(2) == 0 ? CaseStatus.Screened : CaseStatus.Mediating;
            report["status"] = status == CaseStatus.Screened ? "screened" : "mediating";
            report["reportedAt"] = at.ToString("O");
            return new Sent(report, CaseIds.FromOpeningReport($"kill-{n}"), grid, true, status, at);
        }

        async Task<bool> PostAsync(HttpClient client, IReadOnlyList<Sent> batch)
        {
            foreach (var s in batch) sent[(string)s.Body["reportId"]!] = s;
            try
            {
                var (status, body, _) = await Reports.PostAsync(client, "/api/v1/reports", new JsonArray(batch.Select(s => s.Body.DeepClone()).ToArray()));
                if (status != 202) throw new InvalidOperationException($"unexpected {status}: {body}");
                foreach (var item in body!["items"]!.AsArray())
                {
                    var id = (string)item!["id"]!;
                    Assert.True((string?)item["status"] is "accepted" or "duplicate", $"{id}: {item}");
                    if (acknowledged.TryAdd(id, true) && sent[id].Opens) openedCases.Enqueue((sent[id].CaseId, sent[id].GridId));
                }
                return true;
            }
            catch (HttpRequestException) { return false; }
            catch (TaskCanceledException) { return false; }
        }

        var restarts = new List<string>();
        // Checkpoints every 300 ms, so kills land before, during and after them: grain states written past the
        // checkpoint are what a replay must not count again.
        string[] settings = ["--Applier:CheckpointInterval=00:00:00.300"];
        var service = await ServiceProcess.StartAsync(data, settings);
        try
        {
            for (var trial = 0; trial <= Kills; trial++)
            {
                var stopAt = trial < Kills ? killAt[trial] : Total;
                using var client = new HttpClient { BaseAddress = new Uri(service.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
                using var stop = new CancellationTokenSource();
                var workers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
                {
                    var r = new Random(seed + 31 * trial + w);
                    while (!stop.IsCancellationRequested && Volatile.Read(ref made) < Total)
                    {
                        var batch = Enumerable.Range(0, BatchSize).Select(_ => Next(r)).ToList();
                        if (!await PostAsync(client, batch)) return;
                    }
                })).ToArray();

                if (trial < Kills)
                {
                    await Poll.UntilAsync(() => acknowledged.Count >= stopAt || workers.All(t => t.IsCompleted), TimeSpan.FromMinutes(5));
                    service.Kill();
                    foreach (var line in service.Output.Split('\n').Where(l => l.Contains(" ERR] ", StringComparison.Ordinal)).Take(5)) output.WriteLine("  before kill: " + line);
                    stop.Cancel();
                    await Task.WhenAll(workers);
                    service = await ServiceProcess.StartAsync(data, settings);
                    restarts.Add(ReplayLine(service.Output));
                }
                else await Task.WhenAll(workers);

                // The feed re-sends, with the same content, everything that got no answer.
                using var retry = new HttpClient { BaseAddress = new Uri(service.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
                var unanswered = sent.Values.Where(s => !acknowledged.ContainsKey((string)s.Body["reportId"]!)).ToList();
                foreach (var chunk in unanswered.Chunk(BatchSize)) Assert.True(await PostAsync(retry, chunk), "re-sending after a restart failed");
                await AssertCountedOnceAsync(retry, city, sent.Values.ToList(), $"after trial {trial}");
            }
        }
        finally
        {
            await service.DisposeAsync();
        }

        output.WriteLine($"{acknowledged.Count:N0} reports acknowledged; replays after each kill:");
        foreach (var line in restarts) output.WriteLine("  " + line);
        Assert.Equal(sent.Count, acknowledged.Count);
        Assert.True(acknowledged.Count >= Total);
        try { Directory.Delete(data, true); } catch (IOException) { }
    }

    /// <summary>Every area's counts equal the sum over its cases' states, as the accepted reports define them.</summary>
    private static async Task AssertCountedOnceAsync(HttpClient client, AreaHierarchy city, IReadOnlyList<Sent> reports, string when)
    {
        var civil = TimeSpan.FromHours(8);
        var cases = reports.Where(r => r.Opens).ToDictionary(r => r.CaseId, r => (r.GridId, Status: r.Status, Opened: r.At));
        foreach (var resolve in reports.Where(r => !r.Opens)) cases[resolve.CaseId] = cases[resolve.CaseId] with { Status = CaseStatus.Resolved };

        var expected = new Dictionary<string, (int Open, int Today, int Last30Days)>();
        foreach (var area in city.All) expected[area.Id] = (0, 0, 0);
        var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(civil).DateTime);
        foreach (var (_, c) in cases)
        {
            foreach (var area in city.PathToRoot(c.GridId))
            {
                var e = expected[area.Id];
                expected[area.Id] = (e.Open + (c.Status.IsOpen() ? 1 : 0),
                    e.Today + (DateOnly.FromDateTime(c.Opened.ToOffset(civil).DateTime) == today ? 1 : 0), e.Last30Days + 1);
            }
        }

        // The applier catches up after the answers: wait until the city says so, then every area must agree.
        var root = city.Roots[0].Id;
        (int Open, int Today, int Last30Days) Read(JsonNode counts) => ((int)counts["open"]!, (int)counts["today"]!, (int)counts["last30Days"]!);
        await Poll.UntilAsync(async () => Read((await Reports.GetAsync(client, $"/api/v1/regions/{root}"))["counts"]!) == expected[root], TimeSpan.FromMinutes(3));

        var wrong = new List<string>();
        foreach (var area in city.All)
        {
            var got = Read((await Reports.GetAsync(client, $"/api/v1/regions/{area.Id}"))["counts"]!);
            if (got != expected[area.Id]) wrong.Add($"{area.Level} {area.Id}: got {got}, expected {expected[area.Id]}");
        }
        Assert.True(wrong.Count == 0, $"{when}: {wrong.Count} areas miscounted:\n{string.Join("\n", wrong.Take(20))}");
    }

    private static string ReplayLine(string serviceOutput) =>
        ReplayPattern().Matches(serviceOutput) is { Count: > 0 } m ? m[^1].Value : "(no replay line)";

    [GeneratedRegex(@"Replayed \d+ entries in [\d.]+s")]
    private static partial Regex ReplayPattern();
}
