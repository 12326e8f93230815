using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR.Client;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Alerts;

/// <summary>Issue 14: alerts raised by the grains as reports apply, and what duty officers do with them over the API.</summary>
public sealed class AlertLifecycleTests : IDisposable
{
    private readonly AlertApp _app = new();

    [Fact]
    public async Task A_case_turning_high_fires_an_alert_that_is_pushed_acknowledged_with_a_comment_and_audited()
    {
        var client = _app.Client();
        var (hub, heard) = await _app.ConsoleAsync();
        await using var _ = hub;
        var grid = _app.Factory.GridIds[5];
        var caseId = await AlertApp.ViolentCaseAsync(client, grid);
        var id = $"case_high:{caseId}";

        JsonNode? alert = null;
        Assert.True(await Poll.UntilAsync(async () => (alert = await AlertApp.AlertAsync(client, id)) is not null, AlertApp.Limit), "no case_high alert");
        Assert.Equal("firing", (string?)alert!["state"]);
        Assert.Contains((string?)alert["severity"], new[] { "high", "critical" });
        Assert.Equal(_app.Factory.Hierarchy.VillageOf(grid)!.Id, (string?)alert["regionId"]);
        Assert.Equal(new[] { caseId }, alert["subjects"]!.AsArray().Select(s => (string?)s));
        Assert.Equal("case", (string?)alert["subject"]!["kind"]);
        Assert.False(string.IsNullOrEmpty((string?)alert["title"]!["zh"]));
        Assert.False(string.IsNullOrEmpty((string?)alert["title"]!["en"]));
        // The same report also linked harm to an open case: its own rule, its own alert.
        Assert.True(await Poll.UntilAsync(async () => await AlertApp.AlertAsync(client, $"harm_incident:{caseId}") is not null, AlertApp.Limit), "no harm_incident alert");

        Assert.True(await Poll.UntilAsync(() => heard.Any(m => m.GetProperty("type").GetString() == "alert"
            && m.GetProperty("data").GetProperty("id").GetString() == id), AlertApp.Limit), "the console never heard the alert");
        var listed = await AlertApp.ListAsync(client, $"?rule=case_high&state=open&regionId={grid[..0]}{_app.Factory.Hierarchy.VillageOf(grid)!.Id}");
        Assert.Contains(listed, a => (string?)a!["id"] == id);

        var version = (int)alert["version"]!;
        var noComment = await AlertApp.CommandAsync(client, id, "ack", new JsonObject { ["version"] = version });
        Assert.Equal(400, noComment.Status);
        Assert.Equal("comment", (string?)noComment.Body!["errors"]![0]!["field"]);
        var stale = await AlertApp.CommandAsync(client, id, "ack", new JsonObject { ["version"] = version - 1, ["comment"] = "已电话联系村调委会" });
        Assert.Equal(409, stale.Status);
        Assert.Equal(version, (int)stale.Body!["alert"]!["version"]!);

        var acked = await AlertApp.CommandAsync(client, id, "ack", new JsonObject { ["version"] = version, ["comment"] = "已电话联系村调委会" });
        Assert.Equal(200, acked.Status);
        Assert.Equal("acknowledged", (string?)acked.Body!["state"]);
        Assert.Equal(version + 1, (int)acked.Body["version"]!);
        Assert.Equal("test", (string?)acked.Body["acknowledgedBy"]);
        // A second officer still holding the old version is told, and shown the alert as it now is.
        var second = await AlertApp.CommandAsync(client, id, "ack", new JsonObject { ["version"] = version, ["comment"] = "我也看到了" });
        Assert.Equal(409, second.Status);
        Assert.Equal("acknowledged", (string?)second.Body!["alert"]!["state"]);

        var detail = (await AlertApp.AlertAsync(client, id))!;
        var ack = detail["timeline"]!.AsArray().Single(e => (string?)e!["kind"] == "ack");
        Assert.Equal(("test", "firing", "acknowledged", "已电话联系村调委会"), ((string?)ack!["actor"], (string?)ack["before"], (string?)ack["after"], (string?)ack["comment"]));
        Assert.Equal((version, version + 1), ((int)ack["versionBefore"]!, (int)ack["versionAfter"]!));
        var audit = await Reports.GetAsync(client, "/api/v1/audit");
        Assert.Contains($"alert:{id}", audit.ToJsonString());
        Assert.True(await Poll.UntilAsync(() => heard.Any(m => m.GetProperty("data").GetProperty("id").GetString() == id
            && m.GetProperty("data").GetProperty("state").GetString() == "acknowledged"), AlertApp.Limit), "the console never heard the acknowledgement");

        // What was pushed can be asked for again by a console that reconnects with the last number it saw.
        var first = heard.First(m => m.GetProperty("data").GetProperty("id").GetString() == id).GetProperty("seq").GetInt64();
        var missed = await hub.InvokeAsync<List<System.Text.Json.JsonElement>>("Resume", first - 1);
        Assert.Contains(missed, m => m.GetProperty("data").GetProperty("id").GetString() == id && m.GetProperty("data").GetProperty("state").GetString() == "acknowledged");
    }

    public void Dispose() => _app.Dispose();
}
