using Warning.Analytics.Hierarchy;
using Warning.Web.Accounts;

namespace Warning.Web.Hierarchy;

public static class HierarchyEndpoints
{
    /// <summary>The loaded boundaries as GeoJSON, for the screen's map (areas only: no people, no cases).</summary>
    public static RouteGroupBuilder MapHierarchy(this RouteGroupBuilder api)
    {
        api.MapGet("/boundaries", (AreaHierarchy hierarchy, string? level, string? regionId, HttpContext http) =>
        {
            var wanted = level is null ? (AreaLevel?)null : Area.TryParseLevel(level, out var l) ? l : (AreaLevel?)(-1);
            if (wanted == (AreaLevel)(-1)) return Problems.Field(400, "Unknown level", "level", "enum", "level must be city, county, township, village or grid");
            // A region-limited caller gets their subtree, their region as its root; ?regionId= narrows to a subtree inside it.
            var scope = RegionScope.Of(http);
            if (regionId is not null && !scope.Allows(hierarchy, regionId)) return Problems.NotFound("regionId", $"no region '{regionId}'");
            var root = regionId ?? scope.RegionId;
            var view = new RegionScope(root);
            var subset = new AreaHierarchy(hierarchy.All.Where(a => (wanted is null || a.Level <= wanted) && view.Allows(hierarchy, a.Id))
                .Select(a => a.Id == root ? a with { ParentId = null } : a));
            return Results.Stream(stream => GeoJsonHierarchy.WriteAsync(subset, stream), "application/geo+json");
        }).RequireAuthorization(Policies.Aggregates).WithTags("Regions");
        return api;
    }
}
