using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Warning.Analytics.Hierarchy;
using Warning.Web.Accounts;
using Warning.Web.Tests.Security;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Alerts;

/// <summary>Real accounts: a duty officer sees, hears and acts on the alerts of their own region only, and acts under their own name.</summary>
public sealed class AlertScopeTests(SecureApp app) : IClassFixture<SecureApp>
{
    [Fact]
    public async Task A_county_duty_officer_hears_and_lists_only_their_countys_alerts_and_acknowledges_under_their_own_name()
    {
        var counties = app.Hierarchy.AtLevel(AreaLevel.County).OrderBy(c => c.Id, StringComparer.Ordinal).ToArray();
        var (mine, other) = (counties[0], counties[1]);
        string GridOf(Area county) => app.Hierarchy.Descendants(county.Id, AreaLevel.Grid).OrderBy(g => g.Id, StringComparer.Ordinal).First().Id;
        var officer = await app.CreateAccountAsync(Roles.DutyOfficer, mine.Id);
        var cookie = await app.SignInAsync(officer);
        var (_, key) = await app.CreateKeyAsync(IngestKinds.All);

        var (hub, heard) = await HearAsync(cookie);
        await using var _ = hub;

        var theirs = await ViolentAsync(key, GridOf(other));
        var ours = await ViolentAsync(key, GridOf(mine));
        Assert.True(await Poll.UntilAsync(() => heard.Any(m => m.GetProperty("data").GetProperty("id").GetString() == ours), AlertApp.Limit), "the officer never heard their county's alert");
        // Theirs went out before ours; by now it had been pushed, to other groups.
        Assert.DoesNotContain(heard, m => m.GetProperty("data").GetProperty("id").GetString() == theirs);
        Assert.All(heard, m => Assert.Contains(mine.Id, app.Hierarchy.PathToRoot(m.GetProperty("data").GetProperty("regionId").GetString()!).Select(a => a.Id)));
        var missed = await hub.InvokeAsync<List<JsonElement>>("Resume", 0L);
        Assert.DoesNotContain(missed, m => m.GetProperty("type").GetString() == "alert" && m.GetProperty("data").GetProperty("id").GetString() == theirs);

        using (var outside = await app.SendAsync(HttpMethod.Get, $"/api/v1/alerts/{theirs}", cookie)) Assert.Equal(404, (int)outside.StatusCode);
        using (var list = await app.SendAsync(HttpMethod.Get, "/api/v1/alerts?state=open", cookie))
        {
            var alerts = (await list.Content.ReadFromJsonAsync<JsonNode>())!["alerts"]!.AsArray();
            Assert.Contains(alerts, a => (string?)a!["id"] == ours);
            Assert.DoesNotContain(alerts, a => (string?)a!["id"] == theirs);
        }
        using (var outside = await app.SendAsync(HttpMethod.Get, $"/api/v1/alerts?regionId={other.Id}", cookie)) Assert.Equal(404, (int)outside.StatusCode);

        JsonNode alert;
        using (var read = await app.SendAsync(HttpMethod.Get, $"/api/v1/alerts/{ours}", cookie)) alert = (await read.Content.ReadFromJsonAsync<JsonNode>())!;
        using var ack = await app.SendAsync(HttpMethod.Post, $"/api/v1/alerts/{ours}/ack", cookie, body: new JsonObject { ["version"] = (int)alert["version"]!, ["comment"] = "县综治中心已签收" });
        Assert.Equal(200, (int)ack.StatusCode);
        var acked = (await ack.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal((officer.UserName, mine.Name), ((string?)acked["acknowledgedBy"], (string?)acked["acknowledgedUnit"]));
        using var theirAck = await app.SendAsync(HttpMethod.Post, $"/api/v1/alerts/{theirs}/ack", cookie, body: new JsonObject { ["version"] = 1, ["comment"] = "不是我的" });
        Assert.Equal(404, (int)theirAck.StatusCode);
    }

    [Fact]
    public async Task An_analyst_hears_and_lists_the_pack_notices_of_their_county_and_nothing_of_cases()
    {
        var county = app.Hierarchy.AtLevel(AreaLevel.County).OrderBy(c => c.Id, StringComparer.Ordinal).Skip(1).First();
        var grid = app.Hierarchy.Descendants(county.Id, AreaLevel.Grid).OrderBy(g => g.Id, StringComparer.Ordinal).Skip(3).First().Id;
        var analyst = await app.CreateAccountAsync(Roles.Analyst, county.Id);
        var cookie = await app.SignInAsync(analyst);
        var (_, key) = await app.CreateKeyAsync(IngestKinds.All);

        var (hub, heard) = await HearAsync(cookie);
        await using var _ = hub;

        // A case alert in the analyst's own county, then a pack notice for it (as the pack job raises it).
        await ViolentAsync(key, grid);
        var pack = new Warning.Web.Meetings.StoredPack($"monthly-{county.Id}-202611-v1", county.Id, "monthly", null, new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 30), 1,
            DateTimeOffset.UtcNow, "test", true, null);
        var grains = app.Factory.Services.GetRequiredService<Orleans.IGrainFactory>();
        await Warning.Silo.Alerts.AlertRaiser.RaiseAsync(grains, Warning.Web.Meetings.MeetingPackJob.PackReady(pack, county.Name, DateTimeOffset.UtcNow),
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var notice = $"pack_ready:{pack.Id}";

        Assert.True(await Poll.UntilAsync(() => heard.Any(m => m.GetProperty("data").GetProperty("id").GetString() == notice), AlertApp.Limit), "the analyst never heard the pack notice");
        string? harm = null;
        Assert.True(await Poll.UntilAsync(async () => (harm = (await grains.GetGrain<Warning.Silo.Alerts.IAlertBoardGrain>(Warning.Silo.Alerts.IAlertBoardGrain.Key).List())
            .FirstOrDefault(a => a.Rule == Warning.Silo.Alerts.AlertRules.HarmIncident && a.RegionId == app.Hierarchy.VillageOf(grid)!.Id)?.Id) is not null, AlertApp.Limit), "no harm alert");
        Assert.All(heard, m => Assert.Equal("pack_ready", m.GetProperty("data").GetProperty("rule").GetString()));
        using (var list = await app.SendAsync(HttpMethod.Get, "/api/v1/alerts", cookie))
        {
            var alerts = (await list.Content.ReadFromJsonAsync<JsonNode>())!["alerts"]!.AsArray();
            var only = Assert.Single(alerts);
            Assert.Equal((notice, "info"), ((string?)only!["id"], (string?)only["severity"]));
            Assert.Contains(pack.Id, (string?)only["detail"]!["zh"]);
        }
        using (var detail = await app.SendAsync(HttpMethod.Get, $"/api/v1/alerts/{harm}", cookie)) Assert.Equal(404, (int)detail.StatusCode);
        Assert.DoesNotContain(await hub.InvokeAsync<List<JsonElement>>("Resume", 0L), m => m.GetProperty("type").GetString() == "alert" && m.GetProperty("data").GetProperty("id").GetString() == harm);
        // The desk's own pages stay the desk's; a notice is read, not worked.
        using (var silences = await app.SendAsync(HttpMethod.Get, "/api/v1/silences", cookie)) Assert.Equal(403, (int)silences.StatusCode);
        using (var ack = await app.SendAsync(HttpMethod.Post, $"/api/v1/alerts/{notice}/ack", cookie, body: new JsonObject { ["version"] = 1, ["comment"] = "已阅" }))
            Assert.Equal(403, (int)ack.StatusCode);
    }

    [Fact]
    public async Task A_grid_supervisor_hears_lists_and_reads_their_grids_share_of_its_villages_alerts_and_nothing_of_the_next_grid()
    {
        // Case alerts belong to the village; the supervisor's region is one of its grids. The last such village: the
        // other tests of this class raise in their counties' first grids, and a case there would join this village's alert.
        var village = app.Hierarchy.AtLevel(AreaLevel.Village).OrderByDescending(v => v.Id, StringComparer.Ordinal).First(v => app.Hierarchy.ChildrenOf(v.Id).Count() >= 2);
        var grids = app.Hierarchy.ChildrenOf(village.Id).OrderBy(g => g.Id, StringComparer.Ordinal).Select(g => g.Id).ToArray();
        var supervisor = await app.CreateAccountAsync(Roles.GridSupervisor, grids[0]);
        var cookie = await app.SignInAsync(supervisor);
        var (_, key) = await app.CreateKeyAsync(IngestKinds.All);
        var (hub, heard) = await HearAsync(cookie);
        await using var _ = hub;

        // Within the group wait (30 s), both join one village alert listing both cases.
        var mine = await ViolentAsync(key, grids[0]);
        var next = await ViolentAsync(key, grids[1]);
        string CaseOf(string alertId) => alertId[(alertId.IndexOf(':') + 1)..];
        var (myCase, nextCase) = (CaseOf(mine), CaseOf(next));
        Assert.True(await Poll.UntilAsync(() => heard.Any(m => m.GetRawText().Contains(myCase, StringComparison.Ordinal)), AlertApp.Limit),
            "the supervisor never heard their grid's alert");
        // Both cases are in one village alert on the board (what a county officer sees), so the share is what is tested.
        var grains = app.Factory.Services.GetRequiredService<Orleans.IGrainFactory>();
        Assert.True(await Poll.UntilAsync(async () => (await grains.GetGrain<Warning.Silo.Alerts.IAlertBoardGrain>(Warning.Silo.Alerts.IAlertBoardGrain.Key).List())
            .Any(a => a.Subjects.Contains(nextCase) && a.Subjects.Contains(myCase)), AlertApp.Limit), "the two cases were not grouped into one village alert");
        Assert.DoesNotContain(heard, m => m.GetRawText().Contains(nextCase, StringComparison.Ordinal));

        using (var list = await app.SendAsync(HttpMethod.Get, "/api/v1/alerts?state=open", cookie))
        {
            Assert.Equal(200, (int)list.StatusCode);
            var text = await list.Content.ReadAsStringAsync();
            Assert.Contains(myCase, text);
            Assert.DoesNotContain(nextCase, text);
            var alerts = JsonNode.Parse(text)!["alerts"]!.AsArray();
            Assert.All(alerts, a => Assert.Equal(village.Id, (string?)a!["regionId"]));
        }
        using (var read = await app.SendAsync(HttpMethod.Get, $"/api/v1/alerts/{mine}", cookie))
        {
            Assert.Equal(200, (int)read.StatusCode);
            Assert.DoesNotContain(nextCase, await read.Content.ReadAsStringAsync());
        }
        using (var other = await app.SendAsync(HttpMethod.Get, $"/api/v1/alerts/{next}", cookie)) Assert.Equal(404, (int)other.StatusCode);
        var missed = await hub.InvokeAsync<List<JsonElement>>("Resume", 0L);
        Assert.Contains(missed, m => m.GetRawText().Contains(myCase, StringComparison.Ordinal));
        Assert.DoesNotContain(missed, m => m.GetRawText().Contains(nextCase, StringComparison.Ordinal));
    }

    /// <summary>A case in <paramref name="grid"/> with a violent incident linked: its harm alert's id.</summary>
    private async Task<string> ViolentAsync(string key, string grid)
    {
        using var posted = await app.SendAsync(HttpMethod.Post, "/api/v1/reports", apiKey: key, body: Reports.Valid(grid));
        var caseId = (string)(await posted.Content.ReadFromJsonAsync<JsonNode>())!["items"]![0]!["caseId"]!;
        var incident = Reports.Incident(grid, caseId);
        incident["type"] = "violence";
        incident["severity"] = 4;
        using var linked = await app.SendAsync(HttpMethod.Post, "/api/v1/incidents", apiKey: key, body: incident);
        Assert.Equal(202, (int)linked.StatusCode);
        return $"harm_incident:{caseId}";
    }

    /// <summary>A connection to <c>/hubs/alerts</c> with a session cookie, keeping every message it hears.</summary>
    private async Task<(HubConnection Hub, ConcurrentQueue<JsonElement> Heard)> HearAsync(string cookie)
    {
        var heard = new ConcurrentQueue<JsonElement>();
        var hub = new HubConnectionBuilder().WithUrl(new Uri(app.Factory.Server.BaseAddress, "/hubs/alerts"), o =>
        {
            o.HttpMessageHandlerFactory = _ => app.Factory.Server.CreateHandler();
            o.Transports = HttpTransportType.LongPolling;
            o.Headers["Cookie"] = cookie;
        }).Build();
        hub.On<JsonElement>("message", m => heard.Enqueue(m));
        await hub.StartAsync();
        return (hub, heard);
    }
}
