using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Warning.Silo.Ingest;
using Warning.Silo.Risk;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Risk;

/// <summary>Re-score ticks: open cases' scores move as time passes, with no new report, and the areas follow.</summary>
public sealed class RescoreTests : IDisposable
{
    private readonly WarningAppFactory _factory = new();
    private readonly WebApplicationFactory<Program> _app;

    public RescoreTests()
    {
        _app = _factory.WithWebHostBuilder(b => b.UseSetting("Risk:RescoreCron", ""));
    }

    private static double Points(int points) => Math.Round(0.6 / (1 + Math.Exp(3.6 - 0.45 * points)), 4);

    private async Task SettleAsync()
    {
        var log = _app.Services.GetRequiredService<IngestLog>();
        await _app.Services.GetRequiredService<IngestApplier>().WaitForAppliedAsync(log.LastSeq).WaitAsync(TimeSpan.FromSeconds(30));
    }

    private async Task<string> PostAsync(HttpClient client, string path, JsonObject body)
    {
        var r = await Reports.PostAsync(client, path, body);
        Assert.Equal(202, r.Status);
        await SettleAsync();
        return (string?)r.Body!["items"]![0]!["caseId"] ?? "";
    }

    [Fact]
    public async Task A_tick_ages_an_old_violence_incident_out_of_the_score_and_the_areas_follow()
    {
        var client = _app.CreateClient();
        var hierarchy = _app.Services.GetRequiredService<Warning.Analytics.Hierarchy.AreaHierarchy>();
        var grid = hierarchy.AtLevel(Warning.Analytics.Hierarchy.AreaLevel.Grid).OrderBy(a => a.Id, StringComparer.Ordinal).First().Id;
        var opened = DateTimeOffset.UtcNow.AddDays(-40);
        var report = Reports.Valid(grid);
        report["reportedAt"] = opened.ToString("O");
        report["category"] = "neighbor";
        var caseId = await PostAsync(client, "/api/v1/reports", report);

        // A resolved case next to it must not be touched by the tick.
        var other = Reports.Valid(grid);
        other["reportedAt"] = opened.ToString("O");
        var otherId = await PostAsync(client, "/api/v1/reports", other);
        var resolve = Reports.Valid(grid);
        resolve["caseId"] = otherId;
        resolve["status"] = "resolved";
        resolve["reportedAt"] = opened.AddDays(1).ToString("O");
        await PostAsync(client, "/api/v1/reports", resolve);

        var violence = Reports.Incident(grid, caseId);
        violence["type"] = "violence";
        violence["occurredAt"] = opened.AddDays(5).ToString("O");
        await PostAsync(client, "/api/v1/incidents", violence);

        // As of the incident: threat of violence 3 + neighbour dispute 1 + violence in the last 30 days 3.
        var before = (await Reports.GetAsync(client, $"/api/v1/cases/{caseId}"))["score"]!;
        Assert.Equal(Points(7), (double)before["probability"]!, 6);
        var gridBefore = (await Reports.GetAsync(client, $"/api/v1/regions/{grid}"))["counts"]!["risk"]!;
        Assert.Equal(Points(7), (double)gridBefore["maxProbability"]!, 4);
        var resolvedBefore = (await Reports.GetAsync(client, $"/api/v1/cases/{otherId}"))["score"]!.ToJsonString();

        var log = _app.Services.GetRequiredService<IngestLog>();
        var now = DateTimeOffset.UtcNow;
        var appended = await log.AppendAsync([OpenCaseRescore.Tick(now, "test")]);
        Assert.False(appended[0].Duplicate);
        await SettleAsync();

        // Thirty-five days on, the violence is out of its 30-day window: 4 points, and the roll-ups moved with it.
        var after = (await Reports.GetAsync(client, $"/api/v1/cases/{caseId}"))["score"]!;
        Assert.Equal(Points(4), (double)after["probability"]!, 6);
        Assert.Equal(now, DateTimeOffset.Parse((string)after["asOf"]!), TimeSpan.FromMilliseconds(1));
        var gridAfter = (await Reports.GetAsync(client, $"/api/v1/regions/{grid}"))["counts"]!["risk"]!;
        Assert.Equal(1, (int)gridAfter["scoredOpenCases"]!);
        Assert.Equal(Points(4), (double)gridAfter["maxProbability"]!, 4);
        Assert.Equal(Points(4), (double)gridAfter["meanProbability"]!, 4);
        var city = (await Reports.GetAsync(client, $"/api/v1/regions/{hierarchy.Roots[0].Id}"))["counts"]!["risk"]!;
        Assert.Equal(Points(4), (double)city["maxProbability"]!, 4);
        Assert.Equal(resolvedBefore, (await Reports.GetAsync(client, $"/api/v1/cases/{otherId}"))["score"]!.ToJsonString());

        // The same tick again is the same log entry; an earlier tick never takes a score back in time.
        Assert.True((await log.AppendAsync([OpenCaseRescore.Tick(now, "test")]))[0].Duplicate);
        await log.AppendAsync([OpenCaseRescore.Tick(opened.AddDays(6), "late tick")]);
        await SettleAsync();
        var again = (await Reports.GetAsync(client, $"/api/v1/cases/{caseId}"))["score"]!;
        Assert.Equal(after.ToJsonString(), again.ToJsonString());
        Assert.Equal(Points(4), (double)(await Reports.GetAsync(client, $"/api/v1/regions/{grid}"))["counts"]!["risk"]!["maxProbability"]!, 4);

        // A later report scores as of itself or the tick, whichever is later: still 4 points, not 7.
        var mediating = Reports.Valid(grid);
        mediating["caseId"] = caseId;
        mediating["category"] = "neighbor";
        mediating["status"] = "mediating";
        mediating["mediationAttempts"] = 1;
        mediating["reportedAt"] = opened.AddDays(6).ToString("O");
        await PostAsync(client, "/api/v1/reports", mediating);
        Assert.Equal(Points(4), (double)(await Reports.GetAsync(client, $"/api/v1/cases/{caseId}"))["score"]!["probability"]!, 6);
    }

    // The parent factory disposes the derived one; disposing both would stop the same host twice.
    public void Dispose() => _factory.Dispose();
}

/// <summary>The start-up tick, on a service of its own (the shared test factory turns it off so scores stay put).</summary>
public sealed class RescoreOnStartupTests : IDisposable
{
    private readonly WarningAppFactory _factory = new();
    private readonly WebApplicationFactory<Program> _app;

    public RescoreOnStartupTests()
    {
        _app = _factory.WithWebHostBuilder(b => b.UseSetting("Risk:RescoreOnStartup", "true"));
    }

    [Fact]
    public async Task The_service_re_scores_once_after_start_up()
    {
        _ = _app.CreateClient();
        var log = _app.Services.GetRequiredService<IngestLog>();
        var deadline = DateTime.UtcNow.AddSeconds(40);
        while (DateTime.UtcNow < deadline && !log.ReadAfter(0).Any(e => e.Kind == IngestKind.Rescore)) await Task.Delay(250);
        var ticks = log.ReadAfter(0).Where(e => e.Kind == IngestKind.Rescore).ToArray();
        Assert.Single(ticks);
        Assert.Contains("start-up", ticks[0].Payload);
    }

    // The parent factory disposes the derived one; disposing both would stop the same host twice.
    public void Dispose() => _factory.Dispose();
}
