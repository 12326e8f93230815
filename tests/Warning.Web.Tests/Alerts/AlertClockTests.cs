using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Warning.Analytics.Hierarchy;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Alerts;

/// <summary>Issue 14's time-driven lifecycle, with the service's clock moved by the test instead of waited for.</summary>
public sealed class AlertClockTests : IDisposable
{
    private readonly MovableTime _time = new();
    private readonly AlertApp _app;

    public AlertClockTests()
    {
        _app = new AlertApp(b =>
        {
            b.UseSetting("Alerts:EscalationDelays:0", "00:15:00");
            b.UseSetting("Alerts:EscalationDelays:1", "00:30:00");
            b.UseSetting("Alerts:AckTimeout", "00:30:00");
            b.UseSetting("Alerts:KeepFiring", "00:10:00");
            b.ConfigureServices(s => s.AddKeyedSingleton<TimeProvider>(Warning.Silo.Time.WarningClock.Business, _time));
        });
    }

    private async Task<JsonNode> WaitForAsync(HttpClient client, string id, Func<JsonNode, bool> condition, string what)
    {
        JsonNode? alert = null;
        Assert.True(await Poll.UntilAsync(async () => (alert = await AlertApp.AlertAsync(client, id)) is not null && condition(alert), AlertApp.Limit),
            $"{id}: {what}; last seen {alert?.ToJsonString()}");
        return alert!;
    }

    [Fact]
    public async Task A_pack_notice_never_escalates_and_resolves_itself_after_its_lifetime()
    {
        var client = _app.Client();
        var county = _app.Factory.Hierarchy.AtLevel(AreaLevel.County).First();
        var pack = new Warning.Web.Meetings.StoredPack($"monthly-{county.Id}-202611-v1", county.Id, "monthly", null, new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 30), 1,
            _time.GetUtcNow(), "test", true, null);
        await Warning.Silo.Alerts.AlertRaiser.RaiseAsync(_app.App.Services.GetRequiredService<Orleans.IGrainFactory>(),
            Warning.Web.Meetings.MeetingPackJob.PackReady(pack, county.Name, _time.GetUtcNow()), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var id = $"pack_ready:{pack.Id}";
        var notice = await WaitForAsync(client, id, a => (string?)a["state"] == "firing", "never fired");

        // Well past both escalation delays: still level 0, still firing (nobody is paged about a pack).
        _time.Advance(TimeSpan.FromHours(2));
        await Poll.UntilAsync(() => false, TimeSpan.FromSeconds(1));
        notice = (await AlertApp.AlertAsync(client, id))!;
        Assert.Equal(("firing", 0), ((string?)notice["state"], (int)notice["escalationLevel"]!));
        Assert.DoesNotContain(notice["timeline"]!.AsArray(), e => (string?)e!["kind"] == "escalated");

        // Alerts:InfoLifetime (3 days) after it fired, it resolves by itself.
        _time.Advance(TimeSpan.FromDays(3));
        notice = await WaitForAsync(client, id, a => (string?)a["state"] == "resolved", "did not expire");
        Assert.Contains(notice["timeline"]!.AsArray(), e => (string?)e!["kind"] == "expired");
    }

    [Fact]
    public async Task An_unacknowledged_alert_climbs_level_by_level_and_an_acknowledgement_that_times_out_fires_again()
    {
        var client = _app.Client();
        var caseId = await AlertApp.ViolentCaseAsync(client, _app.Factory.GridIds[11]);
        var id = $"case_high:{caseId}";
        var alert = await WaitForAsync(client, id, a => (string?)a["state"] == "firing", "never fired");
        Assert.Equal(0, (int)alert["escalationLevel"]!);

        _time.Advance(TimeSpan.FromMinutes(14));
        // Nothing is due yet: the alert is still where it was after a few more of its ticks.
        var unchanged = (int)alert["version"]!;
        await Poll.UntilAsync(() => false, TimeSpan.FromSeconds(1));
        Assert.Equal(0, (int)(await AlertApp.AlertAsync(client, id))!["escalationLevel"]!);

        _time.Advance(TimeSpan.FromMinutes(2));
        alert = await WaitForAsync(client, id, a => (int)a["escalationLevel"]! == 1, "did not escalate to the county");
        Assert.True((int)alert["version"]! > unchanged);
        _time.Advance(TimeSpan.FromMinutes(31));
        alert = await WaitForAsync(client, id, a => (int)a["escalationLevel"]! == 2, "did not escalate to the city");
        _time.Advance(TimeSpan.FromHours(2));
        await Poll.UntilAsync(() => false, TimeSpan.FromSeconds(1));
        alert = (await AlertApp.AlertAsync(client, id))!;
        Assert.Equal(2, (int)alert["escalationLevel"]!);
        Assert.True(2 == alert["timeline"]!.AsArray().Count(e => (string?)e!["kind"] == "escalated"), alert.ToJsonString());

        var acked = await AlertApp.CommandAsync(client, id, "ack", new JsonObject { ["version"] = (int)alert["version"]!, ["comment"] = "市指挥中心已接手" });
        Assert.Equal(200, acked.Status);
        _time.Advance(TimeSpan.FromMinutes(31));
        alert = await WaitForAsync(client, id, a => (string?)a["state"] == "firing", "the acknowledgement never timed out");
        Assert.Null(alert["acknowledgedBy"]);
        Assert.Contains(alert["timeline"]!.AsArray(), e => (string?)e!["kind"] == "ack_timeout" && (string?)e["before"] == "acknowledged" && (string?)e["after"] == "firing");
    }

    [Fact]
    public async Task A_dispatch_whose_deadline_passes_escalates_and_a_closed_case_resolves_its_alert_after_the_keep_firing_window()
    {
        var client = _app.Client();
        var grid = _app.Factory.GridIds[12];
        var caseId = await AlertApp.ViolentCaseAsync(client, grid);
        var id = $"case_high:{caseId}";
        var alert = await WaitForAsync(client, id, a => (string?)a["state"] == "firing", "never fired");
        var version = (int)alert["version"]!;
        var missing = await AlertApp.CommandAsync(client, id, "assign", new JsonObject { ["version"] = version, ["deadline"] = _time.GetUtcNow().AddHours(1).ToString("O") });
        Assert.Equal((400, "department"), (missing.Status, (string?)missing.Body!["errors"]![0]!["field"]));
        var past = await AlertApp.CommandAsync(client, id, "assign", new JsonObject { ["version"] = version, ["department"] = "公安", ["deadline"] = _time.GetUtcNow().AddHours(-1).ToString("O") });
        Assert.Equal((400, "deadline"), (past.Status, (string?)past.Body!["errors"]![0]!["field"]));
        var acked = await AlertApp.CommandAsync(client, id, "ack", new JsonObject { ["version"] = version, ["comment"] = "吹哨：请公安派出所报到" });
        Assert.Equal(200, acked.Status);
        var assigned = await AlertApp.CommandAsync(client, id, "assign", new JsonObject
        {
            ["version"] = version + 1, ["department"] = "公安", ["deadline"] = _time.GetUtcNow().AddMinutes(20).ToString("O"), ["comment"] = "20分钟内到场",
        });
        Assert.Equal(200, assigned.Status);
        Assert.Equal("公安", (string?)assigned.Body!["assignedTo"]!["department"]);

        _time.Advance(TimeSpan.FromMinutes(21));
        alert = await WaitForAsync(client, id, a => (int)a["escalationLevel"]! == 1, "a missed dispatch deadline did not escalate");
        Assert.Equal("firing", (string?)alert["state"]);
        Assert.Contains(alert["timeline"]!.AsArray(), e => (string?)e!["kind"] == "dispatch_overdue");

        // The case is settled: the condition clears, and the alert resolves once the keep-firing window has passed.
        var closing = Reports.Valid(grid);
        closing["caseId"] = caseId;
        closing["status"] = "resolved";
        closing["reportedAt"] = DateTimeOffset.UtcNow.ToString("O");
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/reports", closing)).Status);
        alert = await WaitForAsync(client, id, a => a["timeline"]!.AsArray().Any(e => (string?)e!["kind"] == "condition_cleared"), "the closed case did not clear its alert");
        Assert.NotEqual("resolved", (string?)alert["state"]);
        _time.Advance(TimeSpan.FromMinutes(11));
        alert = await WaitForAsync(client, id, a => (string?)a["state"] == "resolved", "did not resolve after the keep-firing window");
        Assert.Contains(alert["timeline"]!.AsArray(), e => (string?)e!["kind"] == "auto_resolved");
        Assert.DoesNotContain(await AlertApp.ListAsync(client, "?state=open"), a => (string?)a!["id"] == id);
        Assert.Contains(await AlertApp.ListAsync(client, "?state=resolved"), a => (string?)a!["id"] == id);
    }

    [Fact]
    public async Task A_silence_suppresses_matching_alerts_which_are_still_listed_and_fire_when_it_expires()
    {
        var client = _app.Client();
        var grid = _app.Factory.GridIds[14];
        var village = _app.Factory.Hierarchy.VillageOf(grid)!.Id;
        var noReason = await Reports.PostAsync(client, "/api/v1/silences", new JsonObject
        {
            ["matchers"] = new JsonObject { ["regionId"] = village }, ["endsAt"] = _time.GetUtcNow().AddMinutes(30).ToString("O"),
        });
        Assert.Equal((400, "reason"), (noReason.Status, (string?)noReason.Body!["errors"]![0]!["field"]));
        var created = await Reports.PostAsync(client, "/api/v1/silences", new JsonObject
        {
            ["matchers"] = new JsonObject { ["regionId"] = village, ["rule"] = "case_high" },
            ["endsAt"] = _time.GetUtcNow().AddMinutes(30).ToString("O"), ["reason"] = "村里正在集中调解，值班室已知情",
        });
        Assert.Equal(201, created.Status);
        var silence = (string)created.Body!["id"]!;
        Assert.Equal("test", (string?)created.Body["createdBy"]);

        var caseId = await AlertApp.ViolentCaseAsync(client, grid);
        var id = $"case_high:{caseId}";
        var alert = await WaitForAsync(client, id, a => (string?)a["state"] == "suppressed", "was not suppressed");
        Assert.Equal(silence, (string?)alert["silencedBy"]);
        Assert.Contains(await AlertApp.ListAsync(client, "?state=suppressed"), a => (string?)a!["id"] == id);
        // The harm alert of the same case is another rule: the silence does not cover it.
        await WaitForAsync(client, $"harm_incident:{caseId}", a => (string?)a["state"] == "firing", "harm alert not firing");
        Assert.Contains((await Reports.GetAsync(client, "/api/v1/silences")).AsArray(), s => (string?)s!["id"] == silence && (bool)s["active"]!);

        _time.Advance(TimeSpan.FromMinutes(31));
        alert = await WaitForAsync(client, id, a => (string?)a["state"] == "firing", "did not fire when the silence expired");
        Assert.Null(alert["silencedBy"]);
        Assert.Contains((await Reports.GetAsync(client, "/api/v1/silences")).AsArray(), s => (string?)s!["id"] == silence && !(bool)s["active"]!);
    }

    public void Dispose() => _app.Dispose();
}
