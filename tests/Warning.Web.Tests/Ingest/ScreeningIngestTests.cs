using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Ingest;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Ingest;

/// <summary><c>POST /api/v1/screenings</c>: the rules, and what a round does to screening compliance up the hierarchy.</summary>
public sealed class ScreeningIngestTests(WarningAppFactory app) : IClassFixture<WarningAppFactory>
{
    private static int _counter;

    private static JsonObject Round(string gridId, DateTimeOffset? at = null) => new()
    {
        ["screeningId"] = $"s-{Guid.NewGuid():N}"[..30] + Interlocked.Increment(ref _counter),
        ["gridId"] = gridId,
        ["screenedAt"] = (at ?? DateTimeOffset.UtcNow.AddMinutes(-1)).ToString("O"),
        ["reporterId"] = "w-" + gridId,
        ["householdsVisited"] = 42,
        ["findings"] = "none",
    };

    public static TheoryData<string, JsonNode?, string, string> BrokenRounds => new()
    {
        // field, value (null = remove), expected error field, expected rule
        { "screeningId", null, "screeningId", "required" },
        { "screeningId", "has space", "screeningId", "id" },
        { "screeningId", new string('x', 65), "screeningId", "id" },
        { "screeningId", 12, "screeningId", "type" },
        { "gridId", null, "gridId", "required" },
        { "gridId", "no-such-grid", "gridId", "unknownGrid" },
        { "screenedAt", null, "screenedAt", "required" },
        { "screenedAt", "2026-03-01T09:30:00", "screenedAt", "time" },
        { "screenedAt", "today", "screenedAt", "time" },
        { "screenedAt", DateTimeOffset.UtcNow.AddHours(1).ToString("O"), "screenedAt", "future" },
        { "reporterId", null, "reporterId", "required" },
        { "reporterId", "w 1", "reporterId", "id" },
        { "householdsVisited", -1, "householdsVisited", "range" },
        { "householdsVisited", 10_001, "householdsVisited", "range" },
        { "householdsVisited", 2.5, "householdsVisited", "type" },
        { "householdsVisited", "30", "householdsVisited", "type" },
        { "findings", null, "findings", "required" },
        { "findings", "nothing", "findings", "enum" },
        { "findings", "NONE", "findings", "enum" },
        { "findings", 0, "findings", "type" },
        { "reportIds", "r-1", "reportIds", "type" },
        { "reportIds", new JsonArray("r-1", "bad id"), "reportIds[1]", "id" },
        { "reportIds", new JsonArray(Enumerable.Range(0, 101).Select(i => (JsonNode)$"r-{i}").ToArray()), "reportIds", "maxItems" },
        // A round that filed reports did not find nothing.
        { "reportIds", new JsonArray("r-1"), "reportIds", "findings" },
    };

    [Theory]
    [MemberData(nameof(BrokenRounds))]
    public async Task Each_rule_of_a_round_is_rejected_naming_the_field(string field, JsonNode? value, string expectedField, string expectedRule)
    {
        var round = Round(app.GridIds[0]);
        if (value is null) round.Remove(field);
        else round[field] = value.DeepClone();

        var (status, body, contentType) = await Reports.PostAsync(app.CreateClient(), "/api/v1/screenings", round);

        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Contains(body!["errors"]!.AsArray(), e => (string?)e!["field"] == expectedField && (string?)e["rule"] == expectedRule);
        Assert.Contains(expectedField, (string?)body["detail"]);
    }

    [Fact]
    public async Task A_village_is_not_a_grid()
    {
        var village = app.Hierarchy.AtLevel(AreaLevel.Village).First().Id;
        var (status, body, _) = await Reports.PostAsync(app.CreateClient(), "/api/v1/screenings", Round(village));
        Assert.Equal(400, status);
        Assert.Contains(body!["errors"]!.AsArray(), e => (string?)e!["field"] == "gridId" && (string?)e["rule"] == "unknownGrid");
    }

    [Fact]
    public async Task Valid_rounds_are_accepted_and_logged_as_posted()
    {
        var client = app.CreateClient();
        var minimal = Round(app.GridIds[1]);
        minimal.Remove("householdsVisited");
        var withReports = Round(app.GridIds[1]);
        withReports["findings"] = "disputes_reported";
        withReports["reportIds"] = new JsonArray("r-a", "r-b");
        withReports["householdsVisited"] = 10_000;
        var empty = Round(app.GridIds[1]);
        empty["householdsVisited"] = 0;
        empty["reportIds"] = new JsonArray();

        var (status, body, _) = await Reports.PostAsync(client, "/api/v1/screenings", new JsonArray(minimal, withReports, empty));

        Assert.Equal(202, status);
        Assert.Equal(3, (int)body!["accepted"]!);
        Assert.All(body["items"]!.AsArray(), item => Assert.Null(item!["caseId"]));
        Assert.Equal((string?)withReports["screeningId"], (string?)body["items"]![1]!["id"]);

        // What the applier reads back on a replay is what was posted.
        var entry = app.Services.GetRequiredService<IngestLog>().ReadAfter(0).Single(e => e.ItemId == (string)withReports["screeningId"]!);
        Assert.Equal(IngestKind.Screening, entry.Kind);
        var logged = JsonSerializer.Deserialize<ScreeningRound>(entry.Payload, WarningJson.Options)!;
        Assert.Equal(app.GridIds[1], logged.GridId);
        Assert.Equal(ScreeningFindings.DisputesReported, logged.Findings);
        Assert.Equal(["r-a", "r-b"], logged.ReportIds);
        Assert.Equal(10_000, logged.HouseholdsVisited);
        Assert.Equal(DateTimeOffset.Parse((string)withReports["screenedAt"]!), logged.ScreenedAt);
    }

    [Fact]
    public async Task A_duplicate_round_is_stored_once()
    {
        var client = app.CreateClient();
        var round = Round(app.GridIds[2]);
        var first = await Reports.PostAsync(client, "/api/v1/screenings", round);
        var second = await Reports.PostAsync(client, "/api/v1/screenings", round);
        var inBatch = await Reports.PostAsync(client, "/api/v1/screenings", new JsonArray(round.DeepClone(), round.DeepClone()));

        Assert.Equal("accepted", (string?)first.Body!["items"]![0]!["status"]);
        Assert.Equal(202, second.Status);
        Assert.Equal("duplicate", (string?)second.Body!["items"]![0]!["status"]);
        Assert.Equal(2, (int)inBatch.Body!["duplicates"]!);
        Assert.Single(app.Services.GetRequiredService<IngestLog>().ReadAfter(0), e => e.ItemId == (string)round["screeningId"]!);
    }

    [Fact]
    public async Task A_batch_keeps_its_good_rounds_and_names_the_bad_ones()
    {
        var client = app.CreateClient();
        var bad = Round(app.GridIds[3]);
        bad["findings"] = "all_quiet";
        var (status, body, _) = await Reports.PostAsync(client, "/api/v1/screenings",
            new JsonArray(Round(app.GridIds[3]), bad, 7, Round(app.GridIds[3])));

        Assert.Equal(202, status);
        Assert.Equal(2, (int)body!["accepted"]!);
        Assert.Equal(2, (int)body["rejected"]!);
        var items = body["items"]!.AsArray();
        Assert.Equal("rejected", (string?)items[1]!["status"]);
        Assert.Equal("findings", (string?)items[1]!["errors"]![0]!["field"]);
        Assert.Equal("rejected", (string?)items[2]!["status"]);
        Assert.Equal("accepted", (string?)items[3]!["status"]);

        var allBad = await Reports.PostAsync(client, "/api/v1/screenings", new JsonArray(bad.DeepClone(), bad.DeepClone()));
        Assert.Equal(400, allBad.Status);
        Assert.Equal("application/problem+json", allBad.ContentType);
        Assert.Contains("findings", (string?)allBad.Body!["detail"]);
    }

    [Fact]
    public async Task A_round_makes_its_grid_compliant_up_to_the_city()
    {
        var client = app.CreateClient();
        var grid = app.GridIds[6];
        var stale = app.GridIds[7];
        var path = app.Hierarchy.PathToRoot(grid);
        await app.SettleAsync();
        var before = new Dictionary<string, int>();
        foreach (var area in path) before[area.Id] = await CompliantAsync(client, area.Id);
        Assert.Equal(0, before[grid]);

        // A round older than the cadence (a day by default) leaves its grid overdue; a late upload never undoes a newer one.
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/screenings", Round(stale, DateTimeOffset.UtcNow.AddDays(-2)))).Status);
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/screenings", Round(grid))).Status);
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/screenings", Round(grid, DateTimeOffset.UtcNow.AddDays(-3)))).Status);
        await app.SettleAsync();

        foreach (var area in path)
            Assert.Equal(before[area.Id] + 1, await CompliantAsync(client, area.Id));
        var gridView = await Reports.GetAsync(client, $"/api/v1/regions/{grid}");
        Assert.Equal(1.0, (double)gridView["counts"]!["screening"]!["rate"]!);
        Assert.Equal(0, await CompliantAsync(client, stale));
        // A round is not a dispute: nothing is opened or reported.
        Assert.Equal(0, (int)gridView["counts"]!["reportsToday"]!);
        Assert.Equal(0, (int)gridView["counts"]!["open"]!);
    }

    [Fact]
    public async Task A_report_still_counts_as_screening()
    {
        var client = app.CreateClient();
        var grid = app.GridIds[8];
        await app.SettleAsync();
        Assert.Equal(0, await CompliantAsync(client, grid));
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/reports", Reports.Valid(grid))).Status);
        await app.SettleAsync();
        Assert.Equal(1, await CompliantAsync(client, grid));
    }

    private static async Task<int> CompliantAsync(HttpClient client, string areaId) =>
        (int)(await Reports.GetAsync(client, $"/api/v1/regions/{areaId}"))["counts"]!["screening"]!["compliant"]!;
}
