using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
using Warning.Analytics.Hierarchy;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Cases;

/// <summary>
/// The duty officer's list asks only the cases it shows: the grids know what it sorts and filters on. A county of a
/// province holds thousands of open cases, and waking each (after a restart, a store read each) took longer than a
/// grain call may.
/// </summary>
public sealed class CaseListTests(WarningAppFactory app) : IClassFixture<WarningAppFactory>
{
    [Fact]
    public async Task Listing_a_county_wakes_only_the_cases_it_shows_in_the_order_the_cases_give()
    {
        var client = app.CreateClient();
        var grid = app.GridIds[11];
        var opened = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            var report = Reports.Valid(grid);
            // Half with a threat, half calm: two risk levels to sort and filter on.
            if (i % 2 == 0) report["flags"] = new System.Text.Json.Nodes.JsonArray();
            report["category"] = i < 4 ? "land" : "debt";
            var posted = await Reports.PostAsync(client, "/api/v1/reports", report);
            Assert.Equal(202, posted.Status);
            opened.Add((string)posted.Body!["items"]![0]!["caseId"]!);
        }
        await app.SettleAsync();
        var county = app.Hierarchy.PathToRoot(grid).First(a => a.Level == AreaLevel.County).Id;
        var before = await Reports.GetAsync(client, $"/api/v1/cases?regionId={county}&limit=500");

        // Every case asleep, as after a restart or the leaf idle timeout.
        var management = app.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        async Task<HashSet<string>> AwakeAsync() =>
            (await management.GetActiveGrains(GrainType.Create("case"))).Select(g => g.Key.ToString()!).Where(opened.Contains).ToHashSet();
        Assert.True(await Poll.UntilAsync(async () =>
        {
            await management.ForceActivationCollection(TimeSpan.Zero);
            return (await AwakeAsync()).Count == 0;
        }, TimeSpan.FromMinutes(2)), "the cases did not go to sleep");

        var two = await Reports.GetAsync(client, $"/api/v1/cases?regionId={county}&limit=2");
        Assert.Equal(2, two["cases"]!.AsArray().Count);
        Assert.Equal((int)before["openCases"]!, (int)two["openCases"]!);
        var awake = await AwakeAsync();
        Assert.True(awake.Count <= 2, $"listing two cases woke {awake.Count} of this grid's: {string.Join(", ", awake)}");
        // The same order as when every case answered for itself.
        Assert.Equal(before["cases"]!.AsArray().Take(2).Select(c => (string?)c!["caseId"]), two["cases"]!.AsArray().Select(c => (string?)c!["caseId"]));

        // Filters on what the grid keeps: category and level.
        var debt = await Reports.GetAsync(client, $"/api/v1/cases?regionId={grid}&category=debt");
        Assert.Equal(opened.Skip(4).Order(), debt["cases"]!.AsArray().Select(c => (string)c!["caseId"]!).Order());
        var high = await Reports.GetAsync(client, $"/api/v1/cases?regionId={grid}&minLevel=high");
        Assert.All(high["cases"]!.AsArray(), c => Assert.Contains((string?)c!["score"]!["level"], new[] { "high", "critical" }));
        Assert.Equal((int)high["matching"]!, high["cases"]!.AsArray().Count);
    }
}
