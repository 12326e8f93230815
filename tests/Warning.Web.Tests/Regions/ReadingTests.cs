using System.Text.Json.Nodes;
using Warning.Analytics.Hierarchy;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Regions;

public sealed class ReadingTests(WarningAppFactory app) : IClassFixture<WarningAppFactory>
{
    [Fact]
    public async Task Counts_roll_up_from_grid_to_city()
    {
        var client = app.CreateClient();
        var grid = app.Hierarchy[app.GridIds[5]];
        var path = app.Hierarchy.PathToRoot(grid.Id);
        await app.SettleAsync();
        var before = new Dictionary<string, JsonNode>();
        foreach (var area in path) before[area.Id] = await Reports.GetAsync(client, $"/api/v1/regions/{area.Id}");

        var now = DateTimeOffset.UtcNow;
        var open1 = Reports.Valid(grid.Id);
        open1["category"] = "labor_wage";
        open1["reportedAt"] = now.ToString("O");
        var open2 = Reports.Valid(grid.Id);
        open2["category"] = "labor_wage";
        open2["reportedAt"] = now.ToString("O");
        var r = await Reports.PostAsync(client, "/api/v1/reports", new JsonArray(open1, open2));
        var case2 = (string)r.Body!["items"]![1]!["caseId"]!;
        var resolve = Reports.Valid(grid.Id);
        resolve["caseId"] = case2;
        resolve["category"] = "labor_wage";
        resolve["status"] = "resolved";
        resolve["reportedAt"] = now.AddSeconds(1).ToString("O");
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/reports", resolve)).Status);
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/incidents", Reports.Incident(grid.Id, case2))).Status);
        await app.SettleAsync();

        foreach (var area in path)
        {
            var after = await Reports.GetAsync(client, $"/api/v1/regions/{area.Id}");
            var b = before[area.Id]["counts"]!;
            var a = after["counts"]!;
            Assert.Equal((int)b["today"]! + 2, (int)a["today"]!);
            Assert.Equal((int)b["open"]! + 1, (int)a["open"]!);
            Assert.Equal((int)b["resolvedToday"]! + 1, (int)a["resolvedToday"]!);
            Assert.Equal(Area.LevelName(area.Level), (string?)after["level"]);
            var wage = a["byCategory"]!.AsArray().Single(c => (string?)c!["category"] == "labor_wage")!;
            Assert.True((int)wage["today"]! >= 2);
            Assert.True((int)a["screening"]!["compliant"]! >= 1);
            Assert.NotNull(a["resolutionRate"]);
        }

        var caseView = await Reports.GetAsync(client, $"/api/v1/cases/{case2}");
        Assert.Equal(2, caseView["history"]!.AsArray().Count);
        Assert.Single(caseView["incidents"]!.AsArray());
        Assert.Equal("resolved", (string?)caseView["status"]);
    }

    [Fact]
    public async Task Roots_children_and_unknown_ids()
    {
        var client = app.CreateClient();
        var roots = (await Reports.GetAsync(client, "/api/v1/regions")).AsArray();
        Assert.Equal(app.CityId, (string?)Assert.Single(roots)!["id"]);
        Assert.Equal("city", (string?)roots[0]!["level"]);

        var children = (await Reports.GetAsync(client, $"/api/v1/regions/{app.CityId}/children")).AsArray();
        Assert.Equal(app.Hierarchy.ChildrenOf(app.CityId).Count, children.Count);
        Assert.All(children, c => Assert.Equal(app.CityId, (string?)c!["parentId"]));

        using var missing = await client.GetAsync("/api/v1/regions/nope'\"");
        Assert.Equal(404, (int)missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        using var missingCase = await client.GetAsync("/api/v1/cases/case-none");
        Assert.Equal(404, (int)missingCase.StatusCode);
    }

    [Fact]
    public async Task Health_and_readiness()
    {
        var client = app.CreateClient();
        await app.SettleAsync();
        Assert.True((await client.GetAsync("/healthz")).IsSuccessStatusCode);
        var ready = await Reports.GetAsync(client, "/readyz");
        Assert.Equal("ready", (string?)ready["status"]);
    }
}
