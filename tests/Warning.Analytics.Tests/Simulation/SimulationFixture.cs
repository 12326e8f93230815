using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;

namespace Warning.Analytics.Tests.Simulation;

/// <summary>Cities shared by the simulator tests; generating them is cheap but not free.</summary>
internal static class Cities
{
    public static readonly DateTimeOffset Jan2025 = new(2025, 1, 1, 0, 0, 0, TimeSpan.FromHours(8));

    private static readonly Lazy<AreaHierarchy> LazyDingxi = new(() => CityGenerator.Generate(CityShape.Dingxi, 42));
    private static readonly Lazy<AreaHierarchy> LazySmall = new(() => CityGenerator.Generate(CityShape.Small, 42));

    public static AreaHierarchy Dingxi => LazyDingxi.Value;
    public static AreaHierarchy Small => LazySmall.Value;

    public static string VillageOf(AreaHierarchy city, string gridId)
    {
        var area = city[gridId];
        return area.Level == AreaLevel.Grid ? area.ParentId! : area.Id;
    }
}
