using Warning.Analytics.Hierarchy;
using Orleans;

namespace Warning.Silo.Areas;

public static class AreaGrains
{
    /// <summary>The grain that keeps an area's counts, by its level.</summary>
    public static IAreaGrain For(this IGrainFactory grains, Area area) => area.Level switch
    {
        AreaLevel.Grid => grains.GetGrain<IGridGrain>(area.Id),
        AreaLevel.Village => grains.GetGrain<IVillageGrain>(area.Id),
        _ => grains.GetGrain<IRegionGrain>(area.Id),
    };
}
