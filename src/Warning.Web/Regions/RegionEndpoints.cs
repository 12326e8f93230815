using Warning.Analytics.Hierarchy;
using Warning.Silo.Areas;
using Orleans;
using Warning.Web.Accounts;

namespace Warning.Web.Regions;

public static class RegionEndpoints
{
    public static RouteGroupBuilder MapRegions(this RouteGroupBuilder api)
    {
        var regions = api.MapGroup("/regions").RequireAuthorization(Policies.Aggregates).WithTags("Regions");

        // A caller limited to a region sees it as their only root; anything outside answers like an unknown id.
        regions.MapGet("/", async (HttpContext http, AreaHierarchy hierarchy, IGrainFactory grains) =>
            Results.Ok(await Task.WhenAll(RegionScope.Of(http).Roots(hierarchy).Select(a => DescribeAsync(a, hierarchy, grains)))));

        regions.MapGet("/{id}", async (string id, HttpContext http, AreaHierarchy hierarchy, IGrainFactory grains) =>
            RegionScope.Of(http).Allows(hierarchy, id) && hierarchy.TryGet(id, out var area)
                ? Results.Ok(await DescribeAsync(area, hierarchy, grains))
                : Problems.NotFound("id", $"region '{id}' is not in the loaded hierarchy"));

        regions.MapGet("/{id}/children", async (string id, HttpContext http, AreaHierarchy hierarchy, IGrainFactory grains) =>
            RegionScope.Of(http).Allows(hierarchy, id)
                ? Results.Ok(await Task.WhenAll(hierarchy.ChildrenOf(id).Select(a => DescribeAsync(a, hierarchy, grains))))
                : Problems.NotFound("id", $"region '{id}' is not in the loaded hierarchy"));

        return api;
    }

    public static async Task<RegionView> DescribeAsync(Area area, AreaHierarchy hierarchy, IGrainFactory grains)
    {
        var counts = await grains.For(area).GetCounts();
        return new RegionView(area.Id, area.Name, Area.LevelName(area.Level), area.Kind, area.ParentId,
            hierarchy.ChildrenOf(area.Id).Count, counts);
    }
}

public sealed record RegionView(string Id, string Name, string Level, string Kind, string? ParentId, int Children, AreaCounts Counts);
