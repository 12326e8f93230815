using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Alerts;

/// <summary>Alerts are grain state: they survive a restart, their numbering goes on, and their clocks start again.</summary>
public sealed class AlertRestartTests : IDisposable
{
    private readonly WarningAppFactory _factory = new();

    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> Start(TimeProvider time) => _factory.WithWebHostBuilder(b =>
    {
        b.UseSetting("Alerts:GroupWait", "00:00:00");
        b.UseSetting("Alerts:TickInterval", "00:00:00.200");
        b.UseSetting("Alerts:AckTimeout", "00:30:00");
        b.ConfigureServices(s => s.AddKeyedSingleton<TimeProvider>(Warning.Silo.Time.WarningClock.Business, time));
    });

    [Fact]
    public async Task An_acknowledged_alert_survives_a_restart_with_its_version_and_its_ack_timeout_still_runs()
    {
        var time = new MovableTime();
        string id;
        JsonNode before;
        long lastSeq, epoch;
        using (var first = Start(time))
        {
            var client = first.CreateClient();
            id = $"case_high:{await AlertApp.ViolentCaseAsync(client, _factory.GridIds[30])}";
            JsonNode? alert = null;
            Assert.True(await Poll.UntilAsync(async () => (alert = await AlertApp.AlertAsync(client, id)) is not null, AlertApp.Limit), "no alert");
            var acked = await AlertApp.CommandAsync(client, id, "ack", new JsonObject { ["version"] = (int)alert!["version"]!, ["comment"] = "交接班前已签收" });
            Assert.Equal(200, acked.Status);
            before = (await AlertApp.AlertAsync(client, id))!;
            var hub = await first.Services.GetRequiredService<Orleans.IGrainFactory>().GetGrain<Warning.Silo.Alerts.IAlertBoardGrain>(Warning.Silo.Alerts.IAlertBoardGrain.Key).Since(long.MaxValue);
            (lastSeq, epoch) = (hub.LastSeq, hub.Epoch);
        }

        var later = new MovableTime();
        later.Advance(TimeSpan.FromMinutes(31));
        using var second = Start(later);
        var again = second.CreateClient();
        var after = await AlertApp.AlertAsync(again, id);
        Assert.NotNull(after);
        Assert.Equal(before["timeline"]!.AsArray().Count(e => (string?)e!["kind"] == "ack"), after!["timeline"]!.AsArray().Count(e => (string?)e!["kind"] == "ack"));
        Assert.Contains(await AlertApp.ListAsync(again, "?rule=case_high"), a => (string?)a!["id"] == id);
        // Half an hour has passed on the new process's clock: the acknowledgement times out and the alert fires again.
        Assert.True(await Poll.UntilAsync(async () => (string?)(await AlertApp.AlertAsync(again, id))!["state"] == "firing", AlertApp.Limit), "the ack timeout did not run after the restart");
        var board = await second.Services.GetRequiredService<Orleans.IGrainFactory>().GetGrain<Warning.Silo.Alerts.IAlertBoardGrain>(Warning.Silo.Alerts.IAlertBoardGrain.Key).Since(lastSeq);
        Assert.True(board.LastSeq > lastSeq, "the numbering went backwards across the restart");
        Assert.All(board.Changes, c => Assert.True(c.Seq > lastSeq));
        // Another numbering: the stored number may be behind what a killed process pushed, so clients must read afresh.
        Assert.NotEqual(epoch, board.Epoch);
    }

    public void Dispose() => _factory.Dispose();
}
