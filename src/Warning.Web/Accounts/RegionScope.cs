using System.Security.Claims;
using Warning.Analytics.Hierarchy;

namespace Warning.Web.Accounts;

/// <summary>
/// The subtree of the hierarchy a caller may see. Anything outside answers 404 exactly like an id that does not exist,
/// so ids outside one's scope don't leak.
/// </summary>
public readonly record struct RegionScope(string? RegionId)
{
    public static RegionScope Of(ClaimsPrincipal user) => new(WarningClaims.RegionOf(user));

    public static RegionScope Of(HttpContext http) => Of(http.User);

    public bool IsUnlimited => RegionId is null;

    /// <summary>Whether <paramref name="areaId"/> is the scope's region or lies under it (false for unknown ids).</summary>
    public bool Allows(AreaHierarchy hierarchy, string areaId)
    {
        if (!hierarchy.Contains(areaId)) return false;
        if (RegionId is null) return true;
        foreach (var a in hierarchy.PathToRoot(areaId))
            if (a.Id == RegionId) return true;
        return false;
    }

    /// <summary>The areas a caller sees at the top: the hierarchy's roots, or their own region.</summary>
    public IReadOnlyList<Area> Roots(AreaHierarchy hierarchy) =>
        RegionId is null ? hierarchy.Roots : hierarchy.TryGet(RegionId, out var a) ? [a] : [];

    /// <summary>The area a region-less query means: the caller's region, else the first root.</summary>
    public string DefaultRegion(AreaHierarchy hierarchy) => RegionId ?? hierarchy.Roots[0].Id;
}
