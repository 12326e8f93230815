using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Areas;
using Orleans;
using Warning.Silo.Time;
using Warning.Web.Spikes;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Spikes;

public sealed class SpikeScanTests(WarningAppFactory app) : IClassFixture<WarningAppFactory>
{
    [Fact]
    public async Task The_scan_sets_a_surging_villages_spike_state_and_the_api_lists_it()
    {
        var client = app.CreateClient();
        var village = app.Hierarchy.AtLevel(AreaLevel.Village).OrderBy(v => v.Id, StringComparer.Ordinal).Skip(3).First();
        var grid = app.Hierarchy.ChildrenOf(village.Id)[0];
        var quietVillage = app.Hierarchy.AtLevel(AreaLevel.Village).OrderBy(v => v.Id, StringComparer.Ordinal).First();

        // Seven labour-wage disputes in one village today, in a city that has been quiet.
        var batch = new JsonArray();
        for (var i = 0; i < 7; i++)
        {
            var report = Reports.Valid(grid.Id);
            report["category"] = "labor_wage";
            batch.Add(report);
        }
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/reports", batch)).Status);
        await app.SettleAsync();

        var today = app.Services.GetRequiredService<WarningClock>().Today;
        var opened = await app.Services.GetRequiredService<IGrainFactory>().GetGrain<IVillageGrain>(village.Id).GetDailyOpened(today.AddDays(-3), today);
        Assert.Equal(7, Assert.Single(opened).Opened[DisputeCategory.LaborWage]);

        var summary = await app.Services.GetRequiredService<SpikeScanService>().ScanAsync(today, apply: true);
        Assert.Equal(app.Hierarchy.AtLevel(AreaLevel.Village).Count(), summary.Villages);

        var grains = app.Services.GetRequiredService<IGrainFactory>();
        var state = await grains.GetGrain<IVillageGrain>(village.Id).GetSpikeState();
        Assert.True(state.IsSpiking);
        Assert.Equal(today, state.AsOf);
        var overall = Assert.Single(state.Active, s => s.Category is null && s.Method == "poisson_c2" && s.GridId is null);
        Assert.Equal(7, overall.Observed);
        Assert.True(overall.Expected < 1, $"expected {overall.Expected}");
        Assert.Contains(state.Active, s => s.Category == DisputeCategory.LaborWage && s.GridId is null);
        // The grid the reports came from is flagged too, on its village's state.
        Assert.Contains(state.Active, s => s.GridId == grid.Id && s.Observed == 7);
        var quiet = await grains.GetGrain<IVillageGrain>(quietVillage.Id).GetSpikeState();
        Assert.False(quiet.IsSpiking);
        Assert.Equal(today, quiet.AsOf);

        // An older day's scan (e.g. the start-up scan of yesterday) does not overwrite today's state.
        await grains.GetGrain<IVillageGrain>(village.Id).SetSpikeState(new VillageSpikeState(today.AddDays(-1), []));
        Assert.True((await grains.GetGrain<IVillageGrain>(village.Id).GetSpikeState()).IsSpiking);

        var township = village.ParentId!;
        var live = await Reports.GetAsync(client, $"/api/v1/spikes?regionId={township}");
        Assert.True((bool)live["live"]!);
        var listed = Assert.Single(live["villages"]!.AsArray(), v => (string?)v!["villageId"] == village.Id)!;
        Assert.Contains(listed["active"]!.AsArray(), s => (string?)s!["category"] == "labor_wage");

        var onDemand = await Reports.GetAsync(client, $"/api/v1/spikes?regionId={app.CityId}&date={today:yyyy-MM-dd}");
        Assert.False((bool)onDemand["live"]!);
        Assert.Contains(onDemand["villages"]!.AsArray(), v => (string?)v!["villageId"] == village.Id);
        var yesterday = await Reports.GetAsync(client, $"/api/v1/spikes?regionId={app.CityId}&date={today.AddDays(-1):yyyy-MM-dd}");
        Assert.DoesNotContain(yesterday["villages"]!.AsArray(), v => (string?)v!["villageId"] == village.Id);
    }

    [Theory]
    [InlineData("/api/v1/spikes?date=2025-13-01", 400, "date")]
    [InlineData("/api/v1/spikes?date=yesterday", 400, "date")]
    [InlineData("/api/v1/spikes?date=2999-01-01", 400, "date")]
    [InlineData("/api/v1/spikes?regionId=nowhere", 404, "regionId")]
    public async Task Bad_queries_are_problems_naming_the_field(string path, int status, string field)
    {
        using var response = await app.CreateClient().GetAsync(path);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(field, (string?)body["errors"]![0]!["field"]);
    }
}
