using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Warning.Web.Tests.Support;
using Xunit.Abstractions;

namespace Warning.Web.Tests.Durability;

public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_report_that_got_a_202_survives_kill_9_and_is_counted_once()
    {
        var data = Path.Combine(Path.GetTempPath(), "warning-crash-" + Guid.NewGuid().ToString("N"));
        var city = CityGenerator.Generate(CityShape.Small, 7);
        var grids = city.AtLevel(AreaLevel.Grid).Select(a => a.Id).ToArray();
        var acknowledged = new ConcurrentDictionary<string, string>();
        var attempted = new ConcurrentDictionary<string, string>();
        var sent = new ConcurrentDictionary<string, JsonNode>();

        var service = await ServiceProcess.StartAsync(data);
        using var client = new HttpClient { BaseAddress = new Uri(service.BaseUrl), Timeout = TimeSpan.FromSeconds(10) };
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var size = random.Next(3) == 0 ? 25 : 1;
                var batch = new JsonArray();
                for (var i = 0; i < size; i++)
                {
                    var report = Reports.Valid(grids[random.Next(grids.Length)], $"crash-{w}-{n}-{i}");
                    report["reportedAt"] = DateTimeOffset.UtcNow.ToString("O");
                    attempted[(string)report["reportId"]!] = CaseIds.FromOpeningReport((string)report["reportId"]!);
                    sent[(string)report["reportId"]!] = report.DeepClone();
                    batch.Add(report);
                }
                try
                {
                    var (status, body, _) = await Reports.PostAsync(client, "/api/v1/reports", batch);
                    if (status != 202) throw new InvalidOperationException($"unexpected {status}: {body}");
                    foreach (var item in body!["items"]!.AsArray())
                        acknowledged[(string)item!["id"]!] = (string)item["caseId"]!;
                }
                catch (HttpRequestException) { return; }
                catch (TaskCanceledException) { return; }
            }
        })).ToArray();

        while (acknowledged.Count < 400) await Task.Delay(20);
        service.Kill();
        stop.Cancel();
        await Task.WhenAll(workers);
        output.WriteLine($"acknowledged {acknowledged.Count} of {attempted.Count} attempted before SIGKILL");

        await using var restarted = await ServiceProcess.StartAsync(data);
        using var after = new HttpClient { BaseAddress = new Uri(restarted.BaseUrl) };

        // Every acknowledged report is there, in its case's history, once.
        foreach (var (reportId, caseId) in acknowledged)
        {
            var view = await Reports.GetAsync(after, $"/api/v1/cases/{caseId}");
            Assert.Equal(1, view["history"]!.AsArray().Count(h => (string?)h!["reportId"] == reportId));
        }

        // Counted once: the city's 30-day count equals the cases that exist among everything attempted
        // (a report committed just before the kill may exist without its 202 having reached us).
        var existing = 0;
        foreach (var caseId in attempted.Values)
        {
            using var response = await after.GetAsync($"/api/v1/cases/{caseId}");
            if (response.IsSuccessStatusCode) existing++;
        }
        var cityCounts = (await Reports.GetAsync(after, $"/api/v1/regions/{city.Roots[0].Id}"))["counts"]!;
        Assert.True(existing >= acknowledged.Count);
        Assert.Equal(existing, (int)cityCounts["last30Days"]!);

        // Re-sending what was acknowledged, as a feed retries, stores nothing twice.
        var resend = new JsonArray(acknowledged.Keys.Take(100).Select(id => sent[id].DeepClone()).ToArray());
        var (status, body, _) = await Reports.PostAsync(after, "/api/v1/reports", resend);
        Assert.Equal(202, status);
        Assert.Equal(100, (int)body!["duplicates"]!);
        // The same ids with other content are conflicts, and still nothing is stored twice.
        var changed = new JsonArray(acknowledged.Keys.Take(10).Select(id => (JsonNode)Reports.Valid(grids[0], id)).ToArray());
        var conflicting = await Reports.PostAsync(after, "/api/v1/reports", changed);
        Assert.Equal(409, conflicting.Status);
        Assert.Equal(10, (int)conflicting.Body!["conflicts"]!);

        // A second, graceful restart keeps the same numbers (checkpointed state, not only replay).
        await restarted.StopAsync();
        await using var third = await ServiceProcess.StartAsync(data);
        using var thirdClient = new HttpClient { BaseAddress = new Uri(third.BaseUrl) };
        var again = (await Reports.GetAsync(thirdClient, $"/api/v1/regions/{city.Roots[0].Id}"))["counts"]!;
        Assert.Equal(existing, (int)again["last30Days"]!);

        try { Directory.Delete(data, true); } catch (IOException) { }
    }
}
