using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Ingest;

/// <summary>What an id stands for once accepted: the same content again is a duplicate, other content is a conflict, and a case stays in its grid.</summary>
public sealed class IngestIdentityTests(WarningAppFactory app) : IClassFixture<WarningAppFactory>
{
    [Fact]
    public async Task The_same_id_with_other_content_is_a_conflict_naming_the_fields_and_the_first_version_stands()
    {
        var client = app.CreateClient();
        var report = Reports.Valid(app.GridIds[5]);
        var first = await Reports.PostAsync(client, "/api/v1/reports", report);
        Assert.Equal(202, first.Status);
        var caseId = (string)first.Body!["items"]![0]!["caseId"]!;

        var changed = (JsonObject)report.DeepClone();
        changed["category"] = "debt";
        changed["partiesCount"] = 3;
        var again = await Reports.PostAsync(client, "/api/v1/reports", changed);
        Assert.Equal(409, again.Status);
        Assert.Equal("application/problem+json", again.ContentType);
        Assert.Equal(1, (int)again.Body!["conflicts"]!);
        var item = again.Body["items"]![0]!;
        Assert.Equal("conflict", (string?)item["status"]);
        var fields = item["errors"]!.AsArray().Select(e => (string)e!["field"]!).Order().ToArray();
        Assert.Equal(["category", "partiesCount"], fields);

        // In a batch with a good item: 202, the conflict named per item.
        var fresh = Reports.Valid(app.GridIds[5]);
        var batch = await Reports.PostAsync(client, "/api/v1/reports", new JsonArray(changed.DeepClone(), fresh));
        Assert.Equal(202, batch.Status);
        Assert.Equal("conflict", (string?)batch.Body!["items"]![0]!["status"]);
        Assert.Equal("accepted", (string?)batch.Body["items"]![1]!["status"]);
        Assert.Equal(1, (int)batch.Body["rejected"]!);

        await app.SettleAsync();
        var view = await Reports.GetAsync(client, $"/api/v1/cases/{caseId}");
        Assert.Equal("land", (string?)view["category"]);
        Assert.Single(view["history"]!.AsArray());
    }

    [Fact]
    public async Task The_same_event_time_with_another_offset_is_still_a_duplicate()
    {
        var client = app.CreateClient();
        var report = Reports.Valid(app.GridIds[6]);
        var at = DateTimeOffset.UtcNow.AddMinutes(-3);
        report["reportedAt"] = at.ToString("O");
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/reports", report)).Status);
        report["reportedAt"] = at.ToOffset(TimeSpan.FromHours(8)).ToString("O");
        var again = await Reports.PostAsync(client, "/api/v1/reports", report);
        Assert.Equal(202, again.Status);
        Assert.Equal("duplicate", (string?)again.Body!["items"]![0]!["status"]);
    }

    [Fact]
    public async Task A_report_on_another_grids_case_is_rejected_naming_gridId()
    {
        var client = app.CreateClient();
        var hierarchy = app.Hierarchy;
        var grids = app.GridIds;
        // A grid in another county, so the case would have jumped across the city's counties.
        var county = (string g) => hierarchy.PathToRoot(g).First(a => a.Level == Warning.Analytics.Hierarchy.AreaLevel.County).Id;
        var home = grids[0];
        var elsewhere = grids.First(g => county(g) != county(home));
        var opening = Reports.Valid(home);
        var opened = await Reports.PostAsync(client, "/api/v1/reports", opening);
        var caseId = (string)opened.Body!["items"]![0]!["caseId"]!;

        var moved = Reports.Valid(elsewhere);
        moved["caseId"] = caseId;
        var (status, body, contentType) = await Reports.PostAsync(client, "/api/v1/reports", moved);
        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Contains(body!["errors"]!.AsArray(), e => (string?)e!["field"] == "gridId" && (string?)e["rule"] == "caseGrid");

        // Within one batch too: the opening item fixes the grid.
        var opening2 = Reports.Valid(home);
        var moved2 = Reports.Valid(elsewhere);
        moved2["caseId"] = Warning.Analytics.Disputes.CaseIds.FromOpeningReport((string)opening2["reportId"]!);
        var batch = await Reports.PostAsync(client, "/api/v1/reports", new JsonArray(opening2, moved2));
        Assert.Equal(202, batch.Status);
        Assert.Equal("rejected", (string?)batch.Body!["items"]![1]!["status"]);

        // The right grid is fine.
        var update = Reports.Valid(home);
        update["caseId"] = caseId;
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/reports", update)).Status);
    }

    [Theory]
    [InlineData("reporterId", "\\ud800")]
    [InlineData("summary", "争执\\udc00")]
    [InlineData("reportId", "r-\\udfff")]
    public async Task A_lone_surrogate_is_a_problem_naming_the_field(string field, string escaped)
    {
        var report = Reports.Valid(app.GridIds[7]);
        report[field] = "PLACEHOLDER";
        var json = report.ToJsonString().Replace("\"PLACEHOLDER\"", $"\"{escaped}\"");
        var (status, body, contentType) = await Reports.SendAsync(app.CreateClient(), "/api/v1/reports", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Contains(body!["errors"]!.AsArray(), e => (string?)e!["field"] == field);
    }

    [Fact]
    public async Task The_earliest_event_time_is_a_setting()
    {
        await using var strict = app.WithWebHostBuilder(b => b
            .UseSetting("Ingest:EarliestEventTime", "2020-01-01T00:00:00+08:00")
            .UseSetting("Storage:DataDirectory", Path.Combine(app.DataDirectory, "strict-" + Guid.NewGuid().ToString("N"))));
        var client = strict.CreateClient();
        var incident = Reports.Incident(app.GridIds[0]);
        incident["occurredAt"] = "2019-12-31T23:00:00+08:00";
        var (status, body, _) = await Reports.PostAsync(client, "/api/v1/incidents", incident);
        Assert.Equal(400, status);
        var error = body!["errors"]!.AsArray().Single(e => (string?)e!["field"] == "occurredAt");
        Assert.Equal("min", (string?)error!["rule"]);
        Assert.Contains("2020-01-01", (string?)error["message"]);

        incident["occurredAt"] = "2020-01-01T00:00:00+08:00";
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/incidents", incident)).Status);
    }
}
