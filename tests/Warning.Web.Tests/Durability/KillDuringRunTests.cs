using System.Text.RegularExpressions;
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

        var feed = new ReportFeed(grids, "kill");

        async Task<bool> PostAsync(HttpClient client, IReadOnlyList<SentReport> batch)
        {
            try
            {
                var (status, body, _) = await Reports.PostAsync(client, "/api/v1/reports", ReportFeed.Batch(batch));
                if (status != 202) throw new InvalidOperationException($"unexpected {status}: {body}");
                feed.Acknowledge(body!);
                return true;
            }
            catch (HttpRequestException) { return false; }
            catch (TaskCanceledException) { return false; }
        }

        var restarts = new List<string>();
        // Checkpoints every 300 ms, in slices of 50 grains between batches of entries, so kills land before, during and
        // after them, and between a checkpoint's slices: grain states written past the checkpoint are what a replay must
        // not count again.
        string[] settings = ["--Applier:CheckpointInterval=00:00:00.300", "--Applier:CheckpointSlice=50"];
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
                    while (!stop.IsCancellationRequested && feed.Made < Total)
                    {
                        var batch = Enumerable.Range(0, BatchSize).Select(_ => feed.Next(r)).ToList();
                        if (!await PostAsync(client, batch)) return;
                    }
                })).ToArray();

                if (trial < Kills)
                {
                    await Poll.UntilAsync(() => feed.Acknowledged.Count >= stopAt || workers.All(t => t.IsCompleted), TimeSpan.FromMinutes(5));
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
                foreach (var chunk in feed.Unanswered.Chunk(BatchSize)) Assert.True(await PostAsync(retry, chunk), "re-sending after a restart failed");
                await ReportFeed.AssertCountedOnceAsync(retry, city, feed.Sent.Values.ToList(), $"after trial {trial}");
            }
        }
        finally
        {
            await service.DisposeAsync();
        }

        output.WriteLine($"{feed.Acknowledged.Count:N0} reports acknowledged; replays after each kill:");
        foreach (var line in restarts) output.WriteLine("  " + line);
        Assert.Equal(feed.Sent.Count, feed.Acknowledged.Count);
        Assert.True(feed.Acknowledged.Count >= Total);
        try { Directory.Delete(data, true); } catch (IOException) { }
    }

    private static string ReplayLine(string serviceOutput) =>
        ReplayPattern().Matches(serviceOutput) is { Count: > 0 } m ? m[^1].Value : "(no replay line)";

    [GeneratedRegex(@"Replayed \d+ entries in [\d.]+s")]
    private static partial Regex ReplayPattern();
}
