using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Warning.Analytics.Hierarchy;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Alerts;

/// <summary>Group wait: a wave of cases from one village is one alert listing them; a repeat updates it instead of opening another.</summary>
public sealed class AlertGroupingTests : IDisposable
{
    private readonly MovableTime _time = new();
    private readonly AlertApp _app;

    public AlertGroupingTests()
    {
        _app = new AlertApp(b =>
        {
            b.UseSetting("Alerts:GroupWait", "00:05:00");
            b.ConfigureServices(s => s.AddSingleton<TimeProvider>(_time));
        });
    }

    [Fact]
    public async Task Cases_of_one_village_within_the_group_wait_become_one_alert_that_fires_when_the_wait_is_over()
    {
        var client = _app.Client();
        var hierarchy = _app.Factory.Hierarchy;
        var village = hierarchy.AtLevel(AreaLevel.Village).OrderBy(v => v.Id, StringComparer.Ordinal).First(v => hierarchy.ChildrenOf(v.Id).Count >= 2);
        var grids = hierarchy.ChildrenOf(village.Id).Take(2).Select(g => g.Id).ToArray();
        var first = await AlertApp.ViolentCaseAsync(client, grids[0]);
        var id = $"case_high:{first}";
        JsonNode? alert = null;
        Assert.True(await Poll.UntilAsync(async () => (alert = await AlertApp.AlertAsync(client, id)) is not null, AlertApp.Limit), "no alert");
        Assert.Equal("pending", (string?)alert!["state"]);

        var second = await AlertApp.ViolentCaseAsync(client, grids[1]);
        Assert.True(await Poll.UntilAsync(async () => (alert = await AlertApp.AlertAsync(client, id))!["subjects"]!.AsArray().Count == 2, AlertApp.Limit), "the second case did not join the alert");
        Assert.Equal([first, second], alert!["subjects"]!.AsArray().Select(s => (string)s!));
        Assert.Equal("pending", (string?)alert["state"]);
        Assert.Null(await AlertApp.AlertAsync(client, $"case_high:{second}"));
        Assert.Single(await AlertApp.ListAsync(client, $"?rule=case_high&regionId={village.Id}"));

        // The same case again (a repeat): the count and last seen move, no new alert.
        var count = (int)alert["count"]!;
        var incident = Reports.Incident(grids[0], first);
        incident["type"] = "violence";
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/incidents", incident)).Status);
        // Harm on the same case is its own rule; its repeat updates the one harm alert of the village.
        Assert.True(await Poll.UntilAsync(async () => (int)(await AlertApp.AlertAsync(client, $"harm_incident:{first}"))!["count"]! >= 3, AlertApp.Limit), "the harm alert did not count the repeat");
        Assert.Single(await AlertApp.ListAsync(client, $"?rule=harm_incident&regionId={village.Id}"));
        Assert.True((int)(await AlertApp.AlertAsync(client, id))!["count"]! >= count);

        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.True(await Poll.UntilAsync(async () => (string?)(await AlertApp.AlertAsync(client, id))!["state"] == "firing", AlertApp.Limit), "did not fire after the group wait");
    }

    public void Dispose() => _app.Dispose();
}
