using System.Text.Json.Nodes;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Ingest;

public sealed class IngestRulesTests(WarningAppFactory app) : IClassFixture<WarningAppFactory>
{
    public static TheoryData<string, JsonNode?, string, string> BrokenReports => new()
    {
        // field, value (null = remove), expected error field, expected rule
        { "reportId", null, "reportId", "required" },
        { "reportId", "", "reportId", "id" },
        { "reportId", new string('x', 65), "reportId", "id" },
        { "reportId", "has space", "reportId", "id" },
        { "reportId", 12, "reportId", "type" },
        { "gridId", null, "gridId", "required" },
        { "gridId", "no-such-grid", "gridId", "unknownGrid" },
        { "reportedAt", null, "reportedAt", "required" },
        { "reportedAt", "2026-03-01 09:30", "reportedAt", "time" },
        { "reportedAt", "2026-03-01T09:30:00", "reportedAt", "time" },
        { "reportedAt", DateTimeOffset.UtcNow.AddHours(1).ToString("O"), "reportedAt", "future" },
        { "reportedAt", "0001-01-01T00:00:00Z", "reportedAt", "min" },
        { "reportedAt", "1600-01-01T00:00:00+08:00", "reportedAt", "min" },
        { "reportedAt", "1970-01-01T00:00:00Z", "reportedAt", "min" },
        { "reportedAt", "1999-12-31T23:59:59Z", "reportedAt", "min" },
        { "reportedAt", "2026-03-01T09:30:00+08:00\n", "reportedAt", "time" },
        { "reporterId", null, "reporterId", "required" },
        { "reporterId", "w-1\n", "reporterId", "id" },
        { "reportId", "r-1\n", "reportId", "id" },
        { "caseId", "case-unknown", "caseId", "unknownCase" },
        { "category", null, "category", "required" },
        { "category", "LAND", "category", "enum" },
        { "category", "murder", "category", "enum" },
        { "status", "closed", "status", "enum" },
        { "partiesCount", 1, "partiesCount", "range" },
        { "partiesCount", 10_001, "partiesCount", "range" },
        { "partiesCount", 2.5, "partiesCount", "type" },
        { "partiesCount", "3", "partiesCount", "type" },
        { "peopleInvolved", 100_001, "peopleInvolved", "range" },
        { "peopleInvolved", 1_000_000_000_000, "peopleInvolved", "range" },
        { "amountInDispute", -1, "amountInDispute", "range" },
        { "amountInDispute", 1e11, "amountInDispute", "range" },
        { "amountInDispute", "100", "amountInDispute", "type" },
        { "mediationAttempts", 101, "mediationAttempts", "range" },
        { "mediationAttempts", -1, "mediationAttempts", "range" },
        { "flags", "threat_of_violence", "flags", "type" },
        { "flags", new JsonArray("threat_of_violence", "angry"), "flags[1]", "enum" },
        { "personIds", new JsonArray("p-not-registered"), "personIds[0]", "unregisteredPerson" },
        { "personIds", new JsonArray("bad id"), "personIds[0]", "id" },
        { "summary", new string('长', 2001), "summary", "maxLength" },
        { "summary", "bell\u0007", "summary", "controlCharacters" },
    };

    [Theory]
    [MemberData(nameof(BrokenReports))]
    public async Task Each_rule_of_a_report_is_rejected_naming_the_field(string field, JsonNode? value, string expectedField, string expectedRule)
    {
        var report = Reports.Valid(app.GridIds[0]);
        if (value is null) report.Remove(field);
        else report[field] = value.DeepClone();

        var (status, body, contentType) = await Reports.PostAsync(app.CreateClient(), "/api/v1/reports", report);

        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", contentType);
        var errors = body!["errors"]!.AsArray();
        Assert.Contains(errors, e => (string?)e!["field"] == expectedField && (string?)e["rule"] == expectedRule);
        Assert.Contains(expectedField, (string?)body["detail"]);
    }

    [Fact]
    public async Task People_involved_below_parties_count_is_rejected()
    {
        var report = Reports.Valid(app.GridIds[0]);
        report["partiesCount"] = 10;
        report["peopleInvolved"] = 9;
        var (status, body, _) = await Reports.PostAsync(app.CreateClient(), "/api/v1/reports", report);
        Assert.Equal(400, status);
        Assert.Contains(body!["errors"]!.AsArray(), e => (string?)e!["field"] == "peopleInvolved" && (string?)e["rule"] == "min");
    }

    public static TheoryData<string, JsonNode?, string, string> BrokenIncidents => new()
    {
        { "incidentId", null, "incidentId", "required" },
        { "source", "twitter", "source", "enum" },
        { "type", "riot", "type", "enum" },
        { "occurredAt", "yesterday", "occurredAt", "time" },
        { "gridId", "nowhere", "gridId", "unknownGrid" },
        { "caseId", "case-0000", "caseId", "unknownCase" },
        { "severity", 0, "severity", "range" },
        { "severity", 6, "severity", "range" },
        { "personIds", new JsonArray("ghost"), "personIds[0]", "unregisteredPerson" },
        { "summary", new string('x', 2001), "summary", "maxLength" },
    };

    [Theory]
    [MemberData(nameof(BrokenIncidents))]
    public async Task Each_rule_of_an_incident_is_rejected_naming_the_field(string field, JsonNode? value, string expectedField, string expectedRule)
    {
        var incident = Reports.Incident(app.GridIds[0]);
        if (value is null) incident.Remove(field);
        else incident[field] = value.DeepClone();

        var (status, body, contentType) = await Reports.PostAsync(app.CreateClient(), "/api/v1/incidents", incident);

        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Contains(body!["errors"]!.AsArray(), e => (string?)e!["field"] == expectedField && (string?)e["rule"] == expectedRule);
    }

    [Fact]
    public async Task A_batch_keeps_its_good_items_and_names_the_bad_ones()
    {
        var client = app.CreateClient();
        var good1 = Reports.Valid(app.GridIds[1]);
        var bad = Reports.Valid(app.GridIds[1]);
        bad["category"] = "unknown_category";
        var good2 = Reports.Valid(app.GridIds[2]);
        var (status, body, _) = await Reports.PostAsync(client, "/api/v1/reports", new JsonArray(good1, bad, good2));

        Assert.Equal(202, status);
        Assert.Equal(2, (int)body!["accepted"]!);
        Assert.Equal(1, (int)body["rejected"]!);
        var items = body["items"]!.AsArray();
        Assert.Equal("accepted", (string?)items[0]!["status"]);
        Assert.Equal("rejected", (string?)items[1]!["status"]);
        Assert.Equal("category", (string?)items[1]!["errors"]![0]!["field"]);
        Assert.Equal("accepted", (string?)items[2]!["status"]);

        await app.SettleAsync();
        var caseId = (string)items[0]!["caseId"]!;
        var view = await Reports.GetAsync(client, $"/api/v1/cases/{caseId}");
        Assert.Equal((string)good1["reportId"]!, (string?)view["history"]![0]!["reportId"]);
    }

    [Fact]
    public async Task A_duplicate_report_id_is_stored_once_and_counted_once()
    {
        var client = app.CreateClient();
        var grid = app.GridIds[3];
        await app.SettleAsync();
        var before = (int)(await Reports.GetAsync(client, $"/api/v1/regions/{grid}"))["counts"]!["today"]!;

        var report = Reports.Valid(grid);
        report["reportedAt"] = DateTimeOffset.UtcNow.ToString("O");
        var first = await Reports.PostAsync(client, "/api/v1/reports", report);
        var second = await Reports.PostAsync(client, "/api/v1/reports", report);
        var inBatch = await Reports.PostAsync(client, "/api/v1/reports", new JsonArray(report.DeepClone(), report.DeepClone()));

        Assert.Equal(202, first.Status);
        Assert.Equal("accepted", (string?)first.Body!["items"]![0]!["status"]);
        Assert.Equal(202, second.Status);
        Assert.Equal("duplicate", (string?)second.Body!["items"]![0]!["status"]);
        Assert.Equal((string?)first.Body["items"]![0]!["caseId"], (string?)second.Body["items"]![0]!["caseId"]);
        Assert.Equal(2, (int)inBatch.Body!["duplicates"]!);

        await app.SettleAsync();
        var after = (int)(await Reports.GetAsync(client, $"/api/v1/regions/{grid}"))["counts"]!["today"]!;
        Assert.Equal(before + 1, after);
    }

    [Fact]
    public async Task A_batch_may_open_a_case_and_update_it()
    {
        var client = app.CreateClient();
        var opening = Reports.Valid(app.GridIds[4]);
        var caseId = Warning.Analytics.Disputes.CaseIds.FromOpeningReport((string)opening["reportId"]!);
        var update = Reports.Valid(app.GridIds[4]);
        update["caseId"] = caseId;
        update["status"] = "resolved";
        update["mediationAttempts"] = 1;
        update["reportedAt"] = DateTimeOffset.UtcNow.ToString("O");

        var (status, body, _) = await Reports.PostAsync(client, "/api/v1/reports", new JsonArray(opening, update));
        Assert.Equal(202, status);
        Assert.Equal(2, (int)body!["accepted"]!);

        await app.SettleAsync();
        var view = await Reports.GetAsync(client, $"/api/v1/cases/{caseId}");
        Assert.Equal("resolved", (string?)view["status"]);
        Assert.Equal(2, view["history"]!.AsArray().Count);
    }

    [Fact]
    public async Task Body_level_errors_are_problems_naming_the_body()
    {
        var client = app.CreateClient();
        var malformed = await Reports.SendAsync(client, "/api/v1/reports", new StringContent("{\"reportId\": ", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(400, malformed.Status);
        Assert.Equal("application/problem+json", malformed.ContentType);
        Assert.Equal("json", (string?)malformed.Body!["errors"]![0]!["rule"]);

        var text = await Reports.SendAsync(client, "/api/v1/reports", new StringContent("{}", System.Text.Encoding.UTF8, "text/plain"));
        Assert.Equal(415, text.Status);

        var tooMany = new JsonArray(Enumerable.Range(0, 1001).Select(_ => (JsonNode)Reports.Valid(app.GridIds[0])).ToArray());
        var big = await Reports.PostAsync(client, "/api/v1/reports", tooMany);
        Assert.Equal(413, big.Status);
        Assert.Equal("maxItems", (string?)big.Body!["errors"]![0]!["rule"]);

        var scalar = await Reports.SendAsync(client, "/api/v1/reports", new StringContent("42", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(400, scalar.Status);
    }
}
