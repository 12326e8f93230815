using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Time;
using Warning.Web.Live;
using Warning.Web.Spikes;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Alerts;

/// <summary>Issue 14: every rule fires from real reports and incidents posted to the HTTP API (case_high and harm: <see cref="AlertLifecycleTests"/>).</summary>
public sealed class AlertRuleTests : IDisposable
{
    private readonly MovableTime _time = new();
    private readonly AlertApp _app;

    public AlertRuleTests()
    {
        _app = new AlertApp(b =>
        {
            b.UseSetting("Alerts:FeedHeartbeats:hotline_12345", "00:10:00");
            b.UseSetting("Alerts:MassIncidentThreshold", "3");
            b.UseSetting("Alerts:MassIncidentWindow", "01:00:00");
            b.ConfigureServices(s => s.AddKeyedSingleton<TimeProvider>(Warning.Silo.Time.WarningClock.Business, _time));
        });
    }

    private Task<bool> FiresAsync(HttpClient client, string id, string state = "firing") =>
        Poll.UntilAsync(async () => (string?)(await AlertApp.AlertAsync(client, id))?["state"] == state, AlertApp.Limit);

    [Fact]
    public async Task A_key_individuals_missed_check_in_alerts_with_basis_and_area_and_the_big_screen_sees_no_person()
    {
        var client = _app.Client();
        var grid = _app.Factory.GridIds[20];
        var person = "p-al-" + Guid.NewGuid().ToString("N")[..10];
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/persons", new JsonObject
        {
            ["personId"] = person, ["gridId"] = grid, ["basis"] = "community_corrections", ["basisReference"] = "矫正决定书 2026-17",
            ["basisReviewedAt"] = now.AddDays(-5).ToString("O"), ["basisExpiresAt"] = now.AddDays(100).ToString("O"),
        })).Status);
        // A screen watching the whole city: alerts go only to the views some screen watches.
        _app.App.Services.GetRequiredService<ScreenViews>().Watch(null);
        var missed = Reports.Incident(grid);
        missed["source"] = "corrections";
        missed["type"] = "check_in_missed";
        missed["personIds"] = new JsonArray(person);
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/incidents", missed)).Status);

        var id = $"check_in_missed:{person}";
        Assert.True(await FiresAsync(client, id), "no check_in_missed alert");
        var alert = (await AlertApp.AlertAsync(client, id))!;
        Assert.Equal(("person", _app.Factory.Hierarchy.VillageOf(grid)!.Id), ((string?)alert["subject"]!["kind"], (string?)alert["regionId"]));
        Assert.Contains("community_corrections", (string?)alert["detail"]!["en"]);
        Assert.DoesNotContain("矫正决定书", alert.ToJsonString());

        // Acknowledged: the wall display shows the unit that signed for it, never the officer or the person.
        var acked = await AlertApp.CommandAsync(client, id, "ack", new JsonObject { ["version"] = (int)alert["version"]!, ["comment"] = "已联系司法所" });
        Assert.Equal(200, acked.Status);
        var feed = _app.App.Services.GetRequiredService<LiveFeed>();
        LiveMessage? shown = null;
        Assert.True(await Poll.UntilAsync(() => (shown = feed.Since(0).LastOrDefault(m => m.Type == "alert" && Json(m).Contains(id))) is not null
            && Json(shown).Contains("\"state\":\"acknowledged\""), AlertApp.Limit), "the screen never got the acknowledgement");
        var text = Json(shown!);
        Assert.Contains("\"acknowledgedBy\":\"指挥中心\"", text);
        Assert.DoesNotContain("\"test\"", text);
        Assert.DoesNotContain($"\"id\":\"{person}\"", text);
    }

    [Fact]
    public async Task A_feed_silent_past_its_interval_is_an_alert_and_its_next_incident_clears_it()
    {
        var client = _app.Client();
        var grid = _app.Factory.GridIds[21];
        var call = Reports.Incident(grid);
        call["source"] = "hotline_12345";
        call["type"] = "complaint";
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/incidents", call)).Status);
        await _app.Factory.SettleAsync();

        _time.Advance(TimeSpan.FromMinutes(11));
        Assert.True(await FiresAsync(client, "feed_silent:hotline_12345"), "a silent feed raised no alert");
        // Only the watched source: police_110 has no interval configured.
        Assert.Null(await AlertApp.AlertAsync(client, "feed_silent:police_110"));

        var again = Reports.Incident(grid);
        again["source"] = "hotline_12345";
        again["type"] = "complaint";
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/incidents", again)).Status);
        Assert.True(await Poll.UntilAsync(async () => (await AlertApp.AlertAsync(client, "feed_silent:hotline_12345"))!["timeline"]!.AsArray()
            .Any(e => (string?)e!["kind"] == "condition_cleared"), AlertApp.Limit), "the feed's return did not clear its alert");
    }

    [Fact]
    public async Task A_county_mass_incident_inhibits_its_villages_harm_alerts_which_stay_listed_as_suppressed()
    {
        var client = _app.Client();
        var hierarchy = _app.Factory.Hierarchy;
        var county = hierarchy.AtLevel(AreaLevel.County).OrderBy(c => c.Id, StringComparer.Ordinal).First();
        var grids = hierarchy.Descendants(county.Id, AreaLevel.Grid).Select(g => g.Id).Order(StringComparer.Ordinal).Take(4).ToArray();
        var first = await AlertApp.ViolentCaseAsync(client, grids[0]);
        Assert.True(await FiresAsync(client, $"harm_incident:{first}"), "no harm alert before the mass incident");

        await AlertApp.ViolentCaseAsync(client, grids[1]);
        await AlertApp.ViolentCaseAsync(client, grids[2]);
        var mass = $"mass_incident:{county.Id}";
        Assert.True(await FiresAsync(client, mass), "three violent incidents in an hour raised no mass-incident alert");
        Assert.Equal("critical", (string?)(await AlertApp.AlertAsync(client, mass))!["severity"]);
        Assert.True(await FiresAsync(client, $"harm_incident:{first}", "suppressed"), "the village's harm alert was not inhibited");
        Assert.Equal(mass, (string?)(await AlertApp.AlertAsync(client, $"harm_incident:{first}"))!["inhibitedBy"]);
        Assert.Contains(await AlertApp.ListAsync(client, "?state=open"), a => (string?)a!["id"] == $"harm_incident:{first}" && (string?)a["state"] == "suppressed");
        // An alert of another county is not touched.
        var elsewhere = hierarchy.Descendants(hierarchy.AtLevel(AreaLevel.County).OrderBy(c => c.Id, StringComparer.Ordinal).Skip(1).First().Id, AreaLevel.Grid).First().Id;
        var other = await AlertApp.ViolentCaseAsync(client, elsewhere);
        Assert.True(await FiresAsync(client, $"harm_incident:{other}"), "another county's harm alert was inhibited");
    }

    [Fact]
    public async Task A_case_alerts_when_its_acceptance_deadline_passes_with_no_report_or_tick_in_between()
    {
        var client = _app.Client();
        var grid = _app.Factory.GridIds[23];
        var opened = Reports.Valid(grid);
        // Land: three days to accept.
        opened["category"] = "land";
        opened["flags"] = new JsonArray();
        opened["reportedAt"] = _time.GetUtcNow().AddDays(-2).ToString("O");
        var posted = await Reports.PostAsync(client, "/api/v1/reports", opened);
        var caseId = (string)posted.Body!["items"]![0]!["caseId"]!;
        await _app.Factory.SettleAsync();
        Assert.Null(await AlertApp.AlertAsync(client, $"case_overdue:{caseId}"));

        // A day and a half on, still only screened: past the deadline, with no report and no re-score tick in between
        // (the tick comes once a day).
        _time.Advance(TimeSpan.FromHours(36));
        Assert.True(await FiresAsync(client, $"case_overdue:{caseId}"), "no deadline alert");
        Assert.Contains("acceptance", (string?)(await AlertApp.AlertAsync(client, $"case_overdue:{caseId}"))!["title"]!["en"]);
    }

    [Fact]
    public async Task A_village_spike_found_by_the_scan_alerts_under_its_rule_and_category()
    {
        var client = _app.Client();
        var village = _app.Factory.Hierarchy.AtLevel(AreaLevel.Village).OrderBy(v => v.Id, StringComparer.Ordinal).Skip(5).First();
        var grid = _app.Factory.Hierarchy.ChildrenOf(village.Id)[0];
        var batch = new JsonArray();
        for (var i = 0; i < 7; i++)
        {
            var report = Reports.Valid(grid.Id);
            report["category"] = "labor_wage";
            report["flags"] = new JsonArray();
            batch.Add(report);
        }
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/reports", batch)).Status);
        await _app.Factory.SettleAsync();
        var today = _app.App.Services.GetRequiredService<WarningClock>().Today;
        await _app.App.Services.GetRequiredService<SpikeScanService>().ScanAsync(today, apply: true);

        var id = $"spike:{village.Id}:labor_wage";
        Assert.True(await FiresAsync(client, id), "the spike raised no alert");
        var alert = (await AlertApp.AlertAsync(client, id))!;
        Assert.Equal(("village", "labor_wage", village.Id), ((string?)alert["subject"]!["kind"], (string?)alert["category"], (string?)alert["regionId"]));
    }

    [Fact]
    public async Task A_grid_that_stops_screening_is_overdue_at_the_next_tick_and_its_next_round_clears_it()
    {
        var client = _app.Client();
        var grid = _app.Factory.GridIds[24];
        JsonObject Round() => new()
        {
            ["screeningId"] = "s-" + Guid.NewGuid().ToString("N"), ["gridId"] = grid, ["screenedAt"] = _time.GetUtcNow().AddMinutes(-1).ToString("O"),
            ["reporterId"] = "w-1", ["findings"] = "none",
        };
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/screenings", Round())).Status);
        await _app.Factory.SettleAsync();
        var rescore = ActivatorUtilities.CreateInstance<Warning.Web.Risk.RescoreOpenCasesJob>(_app.App.Services);
        await rescore.RunAsync("test: within the cadence", null, CancellationToken.None);
        await _app.Factory.SettleAsync();
        Assert.Null(await AlertApp.AlertAsync(client, $"screening_overdue:{grid}"));

        // A day and more without a round (the grid cadence is a day), then the next tick.
        _time.Advance(TimeSpan.FromHours(26));
        await rescore.RunAsync("test: a day later", null, CancellationToken.None);
        Assert.True(await FiresAsync(client, $"screening_overdue:{grid}"), "no screening_overdue alert");
        var alert = (await AlertApp.AlertAsync(client, $"screening_overdue:{grid}"))!;
        Assert.Equal(("grid", grid), ((string?)alert["subject"]!["kind"], (string?)alert["subject"]!["id"]));

        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/screenings", Round())).Status);
        Assert.True(await Poll.UntilAsync(async () => (await AlertApp.AlertAsync(client, $"screening_overdue:{grid}"))!["timeline"]!.AsArray()
            .Any(e => (string?)e!["kind"] == "condition_cleared"), AlertApp.Limit), "the next round did not clear the alert");
    }

    private static string Json(LiveMessage m) => JsonSerializer.Serialize(m.Data, m.Data.GetType(), Warning.Analytics.Disputes.WarningJson.Options);

    public void Dispose() => _app.Dispose();
}
