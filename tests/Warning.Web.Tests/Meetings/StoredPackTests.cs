using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Meetings;

/// <summary>Packs generated as jobs, stored and versioned, fetched as stored; special bulletins on a planted spike.</summary>
public sealed class StoredPackTests(MeetingHistory history) : IClassFixture<MeetingHistory>
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task A_generated_pack_is_stored_versioned_listed_and_fetched_without_regenerating()
    {
        var client = history.App.CreateClient();
        client.Timeout = TimeSpan.FromMinutes(5);
        var county = history.Factory.Hierarchy.ChildrenOf(history.Factory.CityId).OrderBy(a => a.Id, StringComparer.Ordinal).First();
        var body = new JsonObject { ["regionId"] = county.Id, ["from"] = "2026-10-01", ["to"] = "2026-10-31" };
        var first = await GenerateAsync(client, "/api/v1/reports/packs", body);
        Assert.Equal("succeeded", (string?)first["state"]);
        Assert.Equal(100, (int)first["percent"]!);
        var id = (string)first["packId"]!;

        var second = await GenerateAsync(client, "/api/v1/reports/packs", body);
        var id2 = (string)second["packId"]!;
        Assert.NotEqual(id, id2);

        var list = await Reports.GetAsync(client, $"/api/v1/reports?regionId={county.Id}");
        var packs = list["packs"]!.AsArray().Where(p => (string?)p!["from"] == "2026-10-01" && (string?)p!["kind"] == "on_demand").ToArray();
        Assert.Equal([1, 2], packs.Select(p => (int)p!["version"]!).Order());
        Assert.All(packs, p => Assert.True((bool)p!["hasPdf"]!));
        // The city lists its counties' packs too.
        Assert.Contains((await Reports.GetAsync(client, $"/api/v1/reports?regionId={history.Factory.CityId}"))["packs"]!.AsArray(), p => (string?)p!["id"] == id);

        // Fetching reads what was stored: the same bytes twice, and no new version appears.
        var html1 = await client.GetStringAsync($"/api/v1/reports/{id}?format=html");
        var html2 = await client.GetStringAsync($"/api/v1/reports/{id}?format=html");
        Assert.Equal(html1, html2);
        Assert.Contains(county.Name, html1);
        var pdf = await client.GetByteArrayAsync($"/api/v1/reports/{id}?format=pdf");
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(pdf, 0, 4));
        using var csv = await client.GetAsync($"/api/v1/reports/{id}?format=csv");
        Assert.Equal("application/zip", csv.Content.Headers.ContentType?.MediaType);
        var after = await Reports.GetAsync(client, $"/api/v1/reports?regionId={county.Id}");
        Assert.Equal(list["packs"]!.AsArray().Count, after["packs"]!.AsArray().Count);
        Assert.Equal(404, (int)(await client.GetAsync("/api/v1/reports/monthly-nothing-v1")).StatusCode);
        Assert.Equal(404, (int)(await client.GetAsync("/api/v1/reports/jobs/pack-999999")).StatusCode);

        // Each stored pack is an info notice to the county's analysts, one per pack, never escalating.
        var notices = (await Reports.GetAsync(client, $"/api/v1/alerts?rule=pack_ready&regionId={county.Id}"))["alerts"]!.AsArray();
        Assert.Contains(notices, n => (string?)n!["id"] == $"pack_ready:{id}");
        var notice = Assert.Single(notices, n => (string?)n!["id"] == $"pack_ready:{id2}")!;
        Assert.Equal("info", (string?)notice["severity"]);
        Assert.Equal(0, (int)notice["escalationLevel"]!);
        Assert.Contains($"/api/v1/reports/{id2}", (string?)notice["detail"]!["zh"]);
        Assert.Contains(county.Name, (string?)notice["title"]!["zh"]);
    }

    [Fact]
    public async Task A_bulletin_for_a_planted_spike_shows_that_spikes_villages_and_its_evidence()
    {
        var client = history.App.CreateClient();
        var h = history.Factory.Hierarchy;
        // A planted spike well inside the history, so the scan has its whole baseline behind it.
        var spike = history.PlantedSpikes
            .Where(s => s.From > MeetingHistory.Start.AddDays(-200) && s.To < MeetingHistory.Start.AddDays(-3))
            .OrderByDescending(s => s.ExpectedExtraCases).First();
        var village = h[spike.VillageId];
        var county = h.PathToRoot(village.Id).Single(a => a.Level == AreaLevel.County);
        var china = TimeSpan.FromHours(8);
        var from = DateOnly.FromDateTime(spike.From.ToOffset(china).DateTime).AddDays(-3);
        var to = DateOnly.FromDateTime(spike.To.ToOffset(china).DateTime).AddDays(3);
        var category = DisputeVocabulary.WireName(spike.Category);
        var status = await GenerateAsync(client, "/api/v1/reports/bulletins",
            new JsonObject { ["regionId"] = county.Id, ["category"] = category, ["from"] = $"{from:yyyy-MM-dd}", ["to"] = $"{to:yyyy-MM-dd}" });
        Assert.Equal("succeeded", (string?)status["state"]);
        var id = (string)status["packId"]!;
        var html = await client.GetStringAsync($"/api/v1/reports/{id}?format=html");
        Assert.Contains("专报", html);

        var files = await Csv.ReadZipAsync(client, $"/api/v1/reports/{id}?format=csv");
        var spikes = files["spikes.csv"];
        var header = spikes[0].Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i);
        var signals = spikes.Skip(1).Where(r => r[header["village"]] == village.Id).ToArray();
        Assert.True(signals.Length > 0, $"no signal for {village.Id} ({village.Name}) in the bulletin; spikes: {string.Join("; ", spikes.Skip(1).Select(r => string.Join(",", r)))}");
        // Evidence: observed well above the baseline, and the method named.
        Assert.Contains(signals, r => double.Parse(r[header["observed"]], System.Globalization.CultureInfo.InvariantCulture)
                                      > 2 * double.Parse(r[header["expected"]], System.Globalization.CultureInfo.InvariantCulture) && r[header["method"]].Length > 0);
        Assert.Contains(village.Name, html);
        // Only the bulletin's category (or all-category signals) are listed.
        Assert.All(spikes.Skip(1), r => Assert.True(r[header["category"]] is "" || r[header["category"]] == category, string.Join(",", r)));
        // The cases are that category's only.
        var cases = files["cases.csv"];
        var caseHeader = cases[0].Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i);
        Assert.All(cases.Skip(1), r => Assert.Equal(category, r[caseHeader["category"]]));
        Assert.Contains(cases.Skip(1), r => r[caseHeader["village"]] == village.Name);
    }

    [Theory]
    [InlineData("{\"regionId\":\"629900\",\"from\":\"2026-10-01\",\"to\":\"2026-10-31\"}", "category")]
    [InlineData("{\"regionId\":\"629900\",\"category\":\"weather\",\"from\":\"2026-10-01\",\"to\":\"2026-10-31\"}", "category")]
    [InlineData("{\"regionId\":\"629900\",\"category\":\"land\",\"from\":\"2026-10-31\",\"to\":\"2026-10-01\"}", "from")]
    [InlineData("{\"regionId\":\"629900\",\"category\":\"land\",\"from\":\"yesterday\",\"to\":\"2026-10-01\"}", "from")]
    public async Task A_bad_bulletin_request_gets_400_naming_the_field(string json, string field)
    {
        var client = history.App.CreateClient();
        using var response = await client.PostAsync("/api/v1/reports/bulletins", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal(field, (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]![0]!["field"]);
    }

    private static async Task<JsonNode> GenerateAsync(HttpClient client, string path, JsonObject body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        Assert.Equal(202, (int)response.StatusCode);
        var job = (await response.Content.ReadFromJsonAsync<JsonNode>())!;
        var jobPath = $"/api/v1/reports/jobs/{(string)job["jobId"]!}";
        JsonNode status = job;
        Assert.True(await Poll.UntilAsync(async () =>
        {
            status = await Reports.GetAsync(client, jobPath);
            return (string?)status["state"] is "succeeded" or "failed";
        }, Limit), $"the pack job did not finish within {Limit}: {status.ToJsonString()}");
        Assert.True((string?)status["state"] == "succeeded", status.ToJsonString());
        return status;
    }
}
