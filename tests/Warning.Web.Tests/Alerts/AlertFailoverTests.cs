using System.Text.Json.Nodes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Warning.Web.Tests.Cluster;
using Warning.Web.Tests.Support;
using Xunit.Abstractions;

namespace Warning.Web.Tests.Alerts;

/// <summary>
/// Cluster mode: the alert board is one grain, on one node. That node is killed (<c>kill -9</c>); the board comes back on
/// the survivor, reads every alert back from its grain in PostgreSQL, and the desk goes on: the list holds every alert
/// from before, an officer acknowledges one with the version they saw, and a new report's alert is listed. The kill comes
/// as soon as the last alert is listed, well inside the second between the board's full writes: what was shown stays.
/// </summary>
public sealed class AlertFailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_node_holding_the_alert_board_dies_and_the_survivor_lists_every_alert_and_takes_new_ones()
    {
        var postgres = await TestServers.CreatePostgresDatabaseAsync("alertboard");
        var redis = await TestServers.RedisAsync();
        var grids = CityGenerator.Generate(CityShape.Small, 7).AtLevel(AreaLevel.Grid).Select(a => a.Id).ToArray();
        await using var cluster = await ClusterNodes.StartAsync(2, postgres, redis, "--Alerts:GroupWait=00:00:00");
        var clients = cluster.Nodes.Select(n => new HttpClient { BaseAddress = new Uri(n.BaseUrl), Timeout = TimeSpan.FromSeconds(60) }).ToArray();

        // Harm incidents on open cases, through both nodes: one alert each.
        var ids = new List<string>();
        for (var i = 0; i < 6; i++) ids.Add($"harm_incident:{await AlertApp.ViolentCaseAsync(clients[i % 2], grids[i * 5 % grids.Length])}");
        async Task<HashSet<string>> ListedAsync(HttpClient client)
        {
            try { return (await AlertApp.ListAsync(client, "?rule=harm_incident")).Select(a => (string)a!["id"]!).ToHashSet(); }
            catch (HttpRequestException) { return []; }
            catch (TaskCanceledException) { return []; }
        }
        Assert.True(await Poll.UntilAsync(async () => (await ListedAsync(clients[0])).IsSupersetOf(ids), AlertApp.Limit),
            $"listed before the kill: {string.Join(", ", await ListedAsync(clients[0]))}");

        // The board's node says so in its log.
        var holders = cluster.Nodes.Where(n => n.Output.Contains("Alert board active on this node", StringComparison.Ordinal)).ToArray();
        Assert.Single(holders);
        var victim = holders[0];
        var survivor = clients[cluster.Nodes.IndexOf(victim) == 0 ? 1 : 0];
        victim.Kill();
        output.WriteLine($"killed {victim.BaseUrl}, the board's node");

        Assert.True(await Poll.UntilAsync(async () => (await ListedAsync(survivor)).IsSupersetOf(ids), TimeSpan.FromMinutes(2)),
            $"listed on the survivor after the kill: {string.Join(", ", await ListedAsync(survivor))}");
        var alert = (await AlertApp.AlertAsync(survivor, ids[0]))!;
        var (status, acked) = await AlertApp.CommandAsync(survivor, ids[0], "ack", new JsonObject { ["version"] = (int)alert["version"]!, ["comment"] = "值班长接班后签收" });
        Assert.Equal(200, status);
        Assert.Equal("acknowledged", (string?)acked!["state"]);

        var fresh = $"harm_incident:{await AlertApp.ViolentCaseAsync(survivor, grids[^1])}";
        Assert.True(await Poll.UntilAsync(async () => (await ListedAsync(survivor)).Contains(fresh), AlertApp.Limit), "a new alert after the kill was not listed");
        foreach (var client in clients) client.Dispose();
    }
}
