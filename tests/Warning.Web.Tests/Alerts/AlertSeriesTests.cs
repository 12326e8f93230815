using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Warning.Silo.TimeSeries;
using Warning.Web.Tests.Support;
using Warning.Web.Tests.TimeSeries;

namespace Warning.Web.Tests.Alerts;

/// <summary>Issue 14: an alert's lifecycle points (raised, acknowledged with time to acknowledge, resolved with time to resolve) in a real InfluxDB.</summary>
public sealed class AlertSeriesTests : IAsyncLifetime
{
    private readonly InfluxServer _server = new();
    private readonly WarningAppFactory _app = new();
    private Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> _factory = null!;

    public async Task InitializeAsync()
    {
        await _server.InitializeAsync();
        _factory = InfluxAppFactory.Create(_app, _server, "alerts").WithWebHostBuilder(b =>
        {
            b.UseSetting("Alerts:GroupWait", "00:00:00");
            b.UseSetting("Alerts:TickInterval", "00:00:00.200");
        });
    }

    [Fact]
    public async Task Raising_acknowledging_and_resolving_an_alert_write_the_points_the_alert_operations_dashboard_reads()
    {
        var client = _factory.CreateClient();
        var grid = _app.GridIds[7];
        var caseId = await AlertApp.ViolentCaseAsync(client, grid);
        var id = $"case_high:{caseId}";
        JsonNode? alert = null;
        Assert.True(await Poll.UntilAsync(async () => (alert = await AlertApp.AlertAsync(client, id)) is not null, AlertApp.Limit), "no alert");
        var acked = await AlertApp.CommandAsync(client, id, "ack", new JsonObject { ["version"] = (int)alert!["version"]!, ["comment"] = "已签收" });
        Assert.Equal(200, acked.Status);
        var resolved = await AlertApp.CommandAsync(client, id, "resolve", new JsonObject { ["version"] = (int)acked.Body!["version"]!, ["comment"] = "双方达成调解协议" });
        Assert.Equal(200, resolved.Status);
        Assert.True(await _factory.Writer().FlushAsync(TimeSpan.FromSeconds(30)));

        var influx = _factory.Services.GetRequiredService<InfluxClient>();
        var village = _app.Hierarchy.VillageOf(grid)!;
        async Task<Dictionary<string, long>> CountsAsync() => (await influx.QueryAsync(
                $"SELECT sum(\"count\") FROM \"alerts\" WHERE \"rule\" = 'case_high' AND \"village\" = '{village.Id}' GROUP BY \"event\""))
            .ToDictionary(s => s.Tags["event"], s => s.Values[0][1].GetInt64());
        Dictionary<string, long> counts = new();
        Assert.True(await Poll.UntilAsync(async () => (counts = await CountsAsync()).ContainsKey("resolved"), AlertApp.Limit), "no resolved point");
        Assert.Equal((1, 1, 1), (counts["raised"], counts["acknowledged"], counts["resolved"]));
        var timing = Assert.Single(await influx.QueryAsync(
            $"SELECT max(\"ack_seconds\"), max(\"resolve_seconds\") FROM \"alerts\" WHERE \"rule\" = 'case_high' AND \"village\" = '{village.Id}'"));
        Assert.InRange(timing.Values[0][1].GetDouble(), 0, 600);
        Assert.InRange(timing.Values[0][2].GetDouble(), timing.Values[0][1].GetDouble(), 600);
        // The meeting pack counts them from the same points (issue 16's alert numbers); yesterday too, in case the civil day turned.
        var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8)).DateTime);
        using (var csv = await client.GetAsync($"/api/v1/reports/briefing?regionId={village.Id}&from={today.AddDays(-1):yyyy-MM-dd}&to={today:yyyy-MM-dd}&format=csv"))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, csv.StatusCode);
            using var zip = new System.IO.Compression.ZipArchive(await csv.Content.ReadAsStreamAsync());
            using var reader = new StreamReader(zip.GetEntry("key_numbers.csv")!.Open());
            var keys = (await reader.ReadToEndAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(l => l.Split(',')).ToDictionary(f => f[0], f => f[2]);
            // Fired: every alert of the village that fired, once each (the violent case raised case_high, its incident harm_incident).
            var fired = (await AlertApp.ListAsync(client, $"?regionId={village.Id}")).Count(a => a!["firedAt"] is not null);
            Assert.True(fired >= 1);
            Assert.Equal((fired.ToString(System.Globalization.CultureInfo.InvariantCulture), "1", "1", "0"),
                (keys["alerts_fired"], keys["alerts_acknowledged"], keys["alerts_acknowledged_in_time"], keys["alerts_escalated"]));
            Assert.Equal(timing.Values[0][1].GetDouble() / 60, double.Parse(keys["alerts_median_ack_minutes"], System.Globalization.CultureInfo.InvariantCulture), 6);
        }

        // The case id (and the alert id that carries it) never goes into a point.
        var raw = await influx.QueryAsync($"SELECT * FROM \"alerts\" WHERE \"village\" = '{village.Id}'");
        Assert.DoesNotContain(raw.SelectMany(s => s.Values).SelectMany(v => v), v => v.ToString().Contains(caseId, StringComparison.Ordinal));
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        _app.Dispose();
        await _server.DisposeAsync();
    }
}
