using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Ingest;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Risk;

public sealed class CaseRiskTests(WarningAppFactory app) : IClassFixture<WarningAppFactory>
{
    private static JsonObject Incident(string gridId, string caseId, string type, string source, DateTimeOffset at)
    {
        var i = Reports.Incident(gridId, caseId);
        i["type"] = type;
        i["source"] = source;
        i["occurredAt"] = at.ToString("O");
        return i;
    }

    private async Task<string> OpenCaseAsync(HttpClient client, string gridId, DateTimeOffset at, string category = "neighbor")
    {
        var report = Reports.Valid(gridId);
        report["reportedAt"] = at.ToString("O");
        report["category"] = category;
        var r = await Reports.PostAsync(client, "/api/v1/reports", report);
        Assert.Equal(202, r.Status);
        await app.SettleAsync();
        return (string)r.Body!["items"]![0]!["caseId"]!;
    }

    [Fact]
    public async Task Case_view_carries_a_points_score_with_words_until_a_model_exists()
    {
        var client = app.CreateClient();
        var caseId = await OpenCaseAsync(client, app.GridIds[1], DateTimeOffset.UtcNow.AddMinutes(-5));
        var view = await Reports.GetAsync(client, $"/api/v1/cases/{caseId}");
        var score = view["score"]!;
        Assert.Equal("points", (string?)score["model"]);
        // threat of violence 3 + neighbour dispute 1 = 4 points.
        Assert.Equal(Math.Round(0.6 / (1 + Math.Exp(3.6 - 0.45 * 4)), 4), (double)score["probability"]!, 6);
        Assert.Equal("medium", (string?)score["level"]);
        var contributions = score["contributions"]!.AsArray();
        Assert.Contains(contributions, c => (string?)c!["zh"] == "威胁使用暴力 +3分" && (string?)c["en"] == "threat of violence +3 pt");
        var model = await Reports.GetAsync(client, "/api/v1/risk/model");
        Assert.Equal("points", (string?)model["model"]);
    }

    [Fact]
    public async Task An_incident_rescores_in_the_same_turn_but_a_petition_never_does()
    {
        var client = app.CreateClient();
        var grid = app.GridIds[2];
        var opened = DateTimeOffset.UtcNow.AddMinutes(-30);
        var caseId = await OpenCaseAsync(client, grid, opened);
        var before = (double)(await Reports.GetAsync(client, $"/api/v1/cases/{caseId}"))["score"]!["probability"]!;

        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/incidents", Incident(grid, caseId, "threat", "police_110", opened.AddMinutes(5)))).Status);
        await app.SettleAsync();
        var afterThreat = (await Reports.GetAsync(client, $"/api/v1/cases/{caseId}"))["score"]!;
        Assert.True((double)afterThreat["probability"]! > before, $"{afterThreat["probability"]} should exceed {before}");
        Assert.Contains(afterThreat["contributions"]!.AsArray(), c => ((string?)c!["zh"])!.StartsWith("威胁报警1次", StringComparison.Ordinal));

        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/incidents", Incident(grid, caseId, "petition_visit", "petition", opened.AddMinutes(6)))).Status);
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/incidents", Incident(grid, caseId, "complaint", "hotline_12345", opened.AddMinutes(7)))).Status);
        await app.SettleAsync();
        var afterPetition = (await Reports.GetAsync(client, $"/api/v1/cases/{caseId}"))["score"]!;
        Assert.Equal((double)afterThreat["probability"]!, (double)afterPetition["probability"]!);
        Assert.Equal(afterThreat["contributions"]!.ToJsonString(), afterPetition["contributions"]!.ToJsonString());
    }

    [Fact]
    public async Task Areas_roll_up_open_case_scores_and_forget_resolved_ones()
    {
        var client = app.CreateClient();
        var grid = app.GridIds[6];
        var at = DateTimeOffset.UtcNow.AddMinutes(-20);
        var caseId = await OpenCaseAsync(client, grid, at);
        var view = await Reports.GetAsync(client, $"/api/v1/cases/{caseId}");
        var p = (double)view["score"]!["probability"]!;
        var gridRisk = (await Reports.GetAsync(client, $"/api/v1/regions/{grid}"))["counts"]!["risk"]!;
        var cityBefore = (await Reports.GetAsync(client, $"/api/v1/regions/{app.CityId}"))["counts"]!["risk"]!;
        Assert.Equal(1, (int)gridRisk["scoredOpenCases"]!);
        Assert.Equal(p, (double)gridRisk["maxProbability"]!, 4);
        Assert.Equal(p, (double)gridRisk["meanProbability"]!, 4);
        Assert.True((double)cityBefore["maxProbability"]! >= p);

        var resolve = Reports.Valid(grid);
        resolve["caseId"] = caseId;
        resolve["category"] = "neighbor";
        resolve["status"] = "resolved";
        resolve["reportedAt"] = at.AddMinutes(10).ToString("O");
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/reports", resolve)).Status);
        await app.SettleAsync();
        var gridAfter = (await Reports.GetAsync(client, $"/api/v1/regions/{grid}"))["counts"]!["risk"]!;
        var cityAfter = (await Reports.GetAsync(client, $"/api/v1/regions/{app.CityId}"))["counts"]!["risk"]!;
        Assert.Equal(0, (int)gridAfter["scoredOpenCases"]!);
        Assert.Null(gridAfter["maxProbability"]);
        Assert.Equal((int)cityBefore["scoredOpenCases"]! - 1, (int)cityAfter["scoredOpenCases"]!);
    }

    [Fact]
    public async Task A_regions_open_cases_list_highest_risk_first_with_reasons_and_filters()
    {
        var client = app.CreateClient();
        var grid = app.GridIds[9];
        var at = DateTimeOffset.UtcNow.AddMinutes(-40);
        var violent = await OpenCaseAsync(client, grid, at);
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/incidents", Incident(grid, violent, "violence", "police_110", at.AddMinutes(5)))).Status);
        var land = await OpenCaseAsync(client, grid, at.AddMinutes(1), category: "land");
        var calm = Reports.Valid(grid);
        calm["category"] = "neighbor";
        calm["flags"] = new JsonArray();
        calm["reportedAt"] = at.AddMinutes(2).ToString("O");
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/reports", calm)).Status);
        await app.SettleAsync();

        var all = await Reports.GetAsync(client, $"/api/v1/cases?regionId={grid}");
        Assert.Equal(3, (int)all["openCases"]!);
        var cases = all["cases"]!.AsArray();
        Assert.Equal(violent, (string?)cases[0]!["caseId"]);
        Assert.Equal(land, (string?)cases[1]!["caseId"]);
        var probabilities = cases.Select(c => (double)c!["score"]!["probability"]!).ToArray();
        Assert.Equal(probabilities.OrderDescending(), probabilities);
        Assert.Equal("high", (string?)cases[0]!["score"]!["level"]);
        Assert.Contains(cases[0]!["score"]!["contributions"]!.AsArray(), c => ((string?)c!["zh"])!.Contains('+'));
        Assert.Equal(app.Hierarchy[grid].ParentId, (string?)cases[0]!["villageId"]);
        Assert.All(cases, c => Assert.Null(c!["personIds"]));

        Assert.Equal([violent], (await Reports.GetAsync(client, $"/api/v1/cases?regionId={grid}&minLevel=high"))["cases"]!.AsArray().Select(c => (string?)c!["caseId"]));
        Assert.Equal([land], (await Reports.GetAsync(client, $"/api/v1/cases?regionId={grid}&category=land"))["cases"]!.AsArray().Select(c => (string?)c!["caseId"]));
        var one = await Reports.GetAsync(client, $"/api/v1/cases?regionId={grid}&limit=1");
        Assert.Equal((1, 3), (one["cases"]!.AsArray().Count, (int)one["matching"]!));
        // A county holds the grid's cases among its own.
        var county = app.Hierarchy.PathToRoot(grid).First(a => a.Level == AreaLevel.County).Id;
        Assert.Contains((await Reports.GetAsync(client, $"/api/v1/cases?regionId={county}&limit=500"))["cases"]!.AsArray(), c => (string?)c!["caseId"] == violent);
    }

    [Theory]
    [InlineData("?minLevel=severe", 400, "minLevel")]
    [InlineData("?category=gossip", 400, "category")]
    [InlineData("?limit=0", 400, "limit")]
    [InlineData("?limit=501", 400, "limit")]
    [InlineData("?limit=ten", 400, "limit")]
    [InlineData("?regionId=nowhere", 404, "regionId")]
    public async Task Bad_case_list_queries_are_problems_naming_the_field(string query, int status, string field)
    {
        using var response = await app.CreateClient().GetAsync($"/api/v1/cases{query}");
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(field, (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]![0]!["field"]);
    }

    [Theory]
    [InlineData("risk.retrain-risk-model", 3, 30)]
    [InlineData("risk.rescore-open-cases", 0, 30)]
    [InlineData("spikes.spike-scan", 0, 15)]
    public void Scheduled_jobs_fire_at_night_in_the_deployments_civil_time(string id, int hour, int minute)
    {
        _ = app.CreateClient();
        // What the job store holds, as the scheduler of any node reads it.
        using var connection = app.Services.GetRequiredService<Hangfire.JobStorage>().GetConnection();
        var job = Assert.Single(Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection, [id]));
        Assert.Equal("Warning/UTC+08:00", job.TimeZoneId);
        var next = new DateTimeOffset(DateTime.SpecifyKind(job.NextExecution!.Value, DateTimeKind.Utc)).ToOffset(TimeSpan.FromHours(8));
        Assert.Equal((hour, minute, 0), (next.Hour, next.Minute, next.Second));
        Assert.InRange(next - DateTimeOffset.UtcNow, TimeSpan.Zero, TimeSpan.FromDays(1));
    }

    [Fact]
    public async Task Retrain_rejects_bad_input_naming_the_field_and_unknown_jobs()
    {
        var client = app.CreateClient();
        var bad = await Reports.PostAsync(client, "/api/v1/risk/model/retrain", new JsonObject { ["historyDays"] = 5 });
        Assert.Equal(400, bad.Status);
        Assert.Equal("application/problem+json", bad.ContentType);
        Assert.Equal("historyDays", (string?)bad.Body!["errors"]![0]!["field"]);
        var missing = await client.GetAsync("/api/v1/risk/model/retrain/no-such-job");
        Assert.Equal(404, (int)missing.StatusCode);

        // 90 days once passed and then always failed: its calibration period held no case with a known outcome.
        var tooShort = await Reports.PostAsync(client, "/api/v1/risk/model/retrain", new JsonObject { ["historyDays"] = 90 });
        Assert.Equal(400, tooShort.Status);
        Assert.Contains("calibration", (string?)tooShort.Body!["errors"]![0]!["message"]);

        var text = await Reports.SendAsync(client, "/api/v1/risk/model/retrain", new StringContent("{\"historyDays\":365}", System.Text.Encoding.UTF8, "text/plain"));
        Assert.Equal(415, text.Status);
        Assert.Equal("application/problem+json", text.ContentType);

        var wrongType = await Reports.SendAsync(client, "/api/v1/risk/model/retrain", new StringContent("{\"historyDays\":\"a year\"}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(400, wrongType.Status);
        Assert.Equal("historyDays", (string?)wrongType.Body!["errors"]![0]!["field"]);
    }
}

/// <summary>A service of its own: retraining publishes a model that new scores then carry, with no restart.</summary>
public sealed class RetrainTests : IDisposable
{
    private readonly WarningAppFactory _factory = new();
    private readonly WebApplicationFactory<Program> _app;

    public RetrainTests()
    {
        _app = _factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Risk:TrainingCaseSample", "1");
            b.UseSetting("Risk:BoostingRounds", "40");
            b.UseSetting("Risk:RetrainCron", "");
        });
    }

    [Fact]
    public async Task On_demand_retraining_reports_progress_and_swaps_the_live_model()
    {
        var client = _app.CreateClient();
        // A case opened before the model exists: publishing re-scores it with no new report.
        var firstGrid = _app.Services.GetRequiredService<AreaHierarchy>().AtLevel(AreaLevel.Grid).First().Id;
        var early = await Reports.PostAsync(client, "/api/v1/reports", Reports.Valid(firstGrid));
        var earlyCase = (string)early.Body!["items"]![0]!["caseId"]!;
        var status = await Retraining.RunAsync(client, 365);
        Assert.Equal("succeeded", (string?)status["state"]);
        Assert.Equal(100, (int)status["percent"]!);
        var version = (string)status["modelVersion"]!;
        Assert.StartsWith("risk-", version);
        var steps = status["steps"]!.AsArray().Select(x => (string)x!).ToArray();
        Assert.Contains(steps, x => x.EndsWith("boosting round 40/40", StringComparison.Ordinal));
        Assert.Contains(steps, x => x.Contains("calibrated: A=", StringComparison.Ordinal));
        Assert.Equal("100% published", steps[^1]);

        var live = await Reports.GetAsync(client, "/api/v1/risk/model");
        Assert.Equal(version, (string?)live["model"]);
        Assert.True((int)live["info"]!["trainRows"]! > 1000);
        var models = await Reports.GetAsync(client, "/api/v1/risk/models");
        Assert.Contains(models.AsArray(), m => (string?)m!["version"] == version);

        // Only _app's services: touching _factory.Services would start a second host on the same data folder.
        var grid = _app.Services.GetRequiredService<AreaHierarchy>().AtLevel(AreaLevel.Grid).First().Id;
        var r = await Reports.PostAsync(client, "/api/v1/reports", Reports.Valid(grid));
        var log = _app.Services.GetRequiredService<IngestLog>();
        await _app.Services.GetRequiredService<IngestApplier>().WaitForAppliedAsync(log.LastSeq).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains(log.ReadAfter(0), e => e.Kind == IngestKind.Rescore && e.Payload.Contains(version, StringComparison.Ordinal));
        Assert.Equal(version, (string?)(await Reports.GetAsync(client, $"/api/v1/cases/{earlyCase}"))["score"]!["model"]);
        var view = await Reports.GetAsync(client, $"/api/v1/cases/{(string)r.Body!["items"]![0]!["caseId"]!}");
        Assert.Equal(version, (string?)view["score"]!["model"]);
        Assert.NotEmpty(view["score"]!["contributions"]!.AsArray());
    }

    [Fact]
    public async Task Concurrent_requests_share_one_run()
    {
        var client = _app.CreateClient();
        var posts = Enumerable.Range(0, 8).Select(_ => Reports.PostAsync(client, "/api/v1/risk/model/retrain",
            new JsonObject { ["historyDays"] = Warning.Web.Risk.RiskEndpoints.MinHistoryDays }));
        var answers = await Task.WhenAll(posts);
        Assert.All(answers, a => Assert.Equal(202, a.Status));
        var jobIds = answers.Select(a => (string)a.Body!["jobId"]!).Distinct().ToArray();
        Assert.Single(jobIds);
        // Let it finish so the host stops with no run under way.
        JsonNode status = answers[0].Body!;
        await Poll.UntilAsync(async () =>
        {
            status = await Reports.GetAsync(client, $"/api/v1/risk/model/retrain/{jobIds[0]}");
            return (string?)status["state"] is not ("queued" or "running");
        }, TimeSpan.FromMinutes(3));
        Assert.Equal("succeeded", (string?)status["state"]);
    }

    // The parent factory disposes the derived one; disposing both would stop the same host twice.
    public void Dispose() => _factory.Dispose();
}

public sealed class RiskOptionsTests
{
    [Fact]
    public void Thresholds_out_of_order_stop_the_service_at_start_naming_the_setting()
    {
        using var factory = new WarningAppFactory();
        using var app = factory.WithWebHostBuilder(b => b.UseSetting("Risk:Thresholds:Medium", "0.5"));
        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => app.CreateClient());
        Assert.Contains("Risk:Thresholds", ex.Message);
    }
}

/// <summary>Starts a retraining over the API and follows its progress until it ends.</summary>
public static class Retraining
{
    public static async Task<JsonNode> RunAsync(HttpClient client, int historyDays)
    {
        var accepted = await Reports.PostAsync(client, "/api/v1/risk/model/retrain", new JsonObject { ["historyDays"] = historyDays });
        Assert.Equal(202, accepted.Status);
        var jobId = (string)accepted.Body!["jobId"]!;
        JsonNode status = accepted.Body;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while ((string?)status["state"] is "queued" or "running" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            status = await Reports.GetAsync(client, $"/api/v1/risk/model/retrain/{jobId}");
        }
        return status;
    }
}
