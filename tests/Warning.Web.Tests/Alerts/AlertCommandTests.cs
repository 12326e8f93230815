using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;
using Warning.Analytics.Hierarchy;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Alerts;

/// <summary>The remaining commands (unack, comment, resolve), the on-call answer and the settings check at start.</summary>
public sealed class AlertCommandTests : IDisposable
{
    private readonly AlertApp _app;
    private readonly string _township, _county, _city;

    public AlertCommandTests()
    {
        var hierarchy = new WarningAppFactory().Hierarchy;
        var township = hierarchy.AtLevel(AreaLevel.Township).OrderBy(t => t.Id, StringComparer.Ordinal).First();
        (_township, _county, _city) = (township.Id, township.ParentId!, hierarchy.PathToRoot(township.Id)[^1].Id);
        _app = new AlertApp(b =>
        {
            b.UseSetting("Alerts:OnCall:0:RegionId", _township);
            b.UseSetting("Alerts:OnCall:0:Desk", "乡镇综治中心值班室");
            b.UseSetting("Alerts:OnCall:0:Shifts:0:Start", "08:00");
            b.UseSetting("Alerts:OnCall:0:Shifts:0:End", "20:00");
            b.UseSetting("Alerts:OnCall:0:Shifts:0:Who", "白班 张");
            b.UseSetting("Alerts:OnCall:0:Shifts:1:Start", "20:00");
            b.UseSetting("Alerts:OnCall:0:Shifts:1:End", "08:00");
            b.UseSetting("Alerts:OnCall:0:Shifts:1:Who", "夜班 李");
            b.UseSetting("Alerts:OnCall:0:Overrides:0:From", "2026-10-01T00:00:00+08:00");
            b.UseSetting("Alerts:OnCall:0:Overrides:0:To", "2026-10-08T00:00:00+08:00");
            b.UseSetting("Alerts:OnCall:0:Overrides:0:Who", "国庆值守 王");
            b.UseSetting("Alerts:OnCall:1:RegionId", _county);
            b.UseSetting("Alerts:OnCall:1:Desk", "县指挥中心");
            b.UseSetting("Alerts:OnCall:1:Shifts:0:Start", "00:00");
            b.UseSetting("Alerts:OnCall:1:Shifts:0:End", "00:00");
            b.UseSetting("Alerts:OnCall:1:Shifts:0:Who", "县值班长");
        });
    }

    [Fact]
    public async Task Unack_comment_and_resolve_each_move_the_version_and_a_resolved_alert_takes_no_ack()
    {
        var client = _app.Client();
        var caseId = await AlertApp.ViolentCaseAsync(client, _app.Factory.GridIds[40]);
        var id = $"case_high:{caseId}";
        JsonNode? alert = null;
        Assert.True(await Poll.UntilAsync(async () => (alert = await AlertApp.AlertAsync(client, id)) is not null, AlertApp.Limit), "no alert");
        var v = (int)alert!["version"]!;
        var acked = await AlertApp.CommandAsync(client, id, "ack", new JsonObject { ["version"] = v, ["comment"] = "签收" });
        var unacked = await AlertApp.CommandAsync(client, id, "unack", new JsonObject { ["version"] = v + 1 });
        Assert.Equal((200, "firing"), (unacked.Status, (string?)unacked.Body!["state"]));
        Assert.Null(unacked.Body["acknowledgedBy"]);
        var noComment = await AlertApp.CommandAsync(client, id, "comment", new JsonObject { ["version"] = v + 2 });
        Assert.Equal((400, "comment"), (noComment.Status, (string?)noComment.Body!["errors"]![0]!["field"]));
        var commented = await AlertApp.CommandAsync(client, id, "comment", new JsonObject { ["version"] = v + 2, ["comment"] = "派出所民警已到村" });
        Assert.Equal((200, v + 3, "firing"), (commented.Status, (int)commented.Body!["version"]!, (string?)commented.Body["state"]));
        var noNote = await AlertApp.CommandAsync(client, id, "resolve", new JsonObject { ["version"] = v + 3 });
        Assert.Equal((400, "comment"), (noNote.Status, (string?)noNote.Body!["errors"]![0]!["field"]));
        var noVersion = await AlertApp.CommandAsync(client, id, "resolve", new JsonObject { ["comment"] = "x" });
        Assert.Equal((400, "version"), (noVersion.Status, (string?)noVersion.Body!["errors"]![0]!["field"]));
        var resolved = await AlertApp.CommandAsync(client, id, "resolve", new JsonObject { ["version"] = v + 3, ["comment"] = "当事人和解，已签协议" });
        Assert.Equal((200, "resolved"), (resolved.Status, (string?)resolved.Body!["state"]));
        var late = await AlertApp.CommandAsync(client, id, "ack", new JsonObject { ["version"] = v + 4, ["comment"] = "签收" });
        Assert.Equal(409, late.Status);
        Assert.Equal("resolved", (string?)late.Body!["alert"]!["state"]);

        var timeline = (await AlertApp.AlertAsync(client, id))!["timeline"]!.AsArray();
        Assert.Equal(["ack", "unack", "comment", "resolve"], timeline.Where(e => (string?)e!["actor"] == "test").Select(e => (string)e!["kind"]!));
        Assert.Contains(timeline, e => (string?)e!["kind"] == "comment" && (string?)e["comment"] == "派出所民警已到村" && (string?)e["before"] == "firing");
        using var unknown = await client.GetAsync("/api/v1/alerts/case_high:no-such-case");
        Assert.Equal(404, (int)unknown.StatusCode);
        foreach (var (query, field) in new[] { ("?state=lost", "state"), ("?rule=nope", "rule"), ("?minSeverity=huge", "minSeverity"), ("?limit=0", "limit"), ("?cursor=x", "cursor") })
        {
            using var bad = await client.GetAsync("/api/v1/alerts" + query);
            Assert.Equal(400, (int)bad.StatusCode);
            Assert.Equal(field, (string?)JsonNode.Parse(await bad.Content.ReadAsStringAsync())!["errors"]![0]!["field"]);
        }
    }

    [Fact]
    public async Task On_call_names_who_is_on_duty_by_shift_and_override_and_the_chain_above()
    {
        var client = _app.Client();
        async Task<JsonArray> ChainAsync(string at) => (await Reports.GetAsync(client, $"/api/v1/oncall?regionId={_township}&at={Uri.EscapeDataString(at)}"))["chain"]!.AsArray();
        var day = await ChainAsync("2026-09-01T10:00:00+08:00");
        Assert.Equal([(_township, "白班 张", "shift"), (_county, "县值班长", "shift"), (_city, null, "none")],
            day.Select(l => ((string)l!["regionId"]!, (string?)l["onDuty"], (string)l["source"]!)));
        Assert.Equal("夜班 李", (string?)(await ChainAsync("2026-09-01T23:30:00+08:00"))[0]!["onDuty"]);
        Assert.Equal("夜班 李", (string?)(await ChainAsync("2026-09-02T07:59:00+08:00"))[0]!["onDuty"]);
        Assert.Equal(("国庆值守 王", "override"), ((string?)(await ChainAsync("2026-10-03T10:00:00+08:00"))[0]!["onDuty"], (string?)(await ChainAsync("2026-10-03T10:00:00+08:00"))[0]!["source"]));
        using var bad = await client.GetAsync($"/api/v1/oncall?regionId={_township}&at=tomorrow");
        Assert.Equal(400, (int)bad.StatusCode);
        using var unknown = await client.GetAsync("/api/v1/oncall?regionId=nowhere");
        Assert.Equal(404, (int)unknown.StatusCode);
    }

    [Theory]
    [InlineData("Alerts:AckTimeout", "-00:05:00", "Alerts:AckTimeout")]
    [InlineData("Alerts:EscalationDelays:0", "00:00:00", "Alerts:EscalationDelays:0")]
    [InlineData("Alerts:FeedHeartbeats:pager", "00:10:00", "Alerts:FeedHeartbeats:pager")]
    [InlineData("Alerts:Webhooks:nowhere:Url", "http://127.0.0.1:9/hook", "Alerts:Webhooks:nowhere")]
    public void A_bad_alert_setting_stops_the_start_with_a_message_naming_it(string key, string value, string named)
    {
        using var factory = new WarningAppFactory();
        using var bad = factory.WithWebHostBuilder(b => b.UseSetting(key, value));
        var error = Assert.ThrowsAny<Exception>(() => bad.CreateClient());
        var validation = error as OptionsValidationException ?? error.InnerException as OptionsValidationException
            ?? (error as AggregateException)?.Flatten().InnerExceptions.OfType<OptionsValidationException>().FirstOrDefault();
        Assert.NotNull(validation);
        Assert.Contains(validation!.Failures, f => f.Contains(named, StringComparison.Ordinal));
    }

    public void Dispose() => _app.Dispose();
}
