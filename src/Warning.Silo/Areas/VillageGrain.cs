using Microsoft.Extensions.Options;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Time;

namespace Warning.Silo.Areas;

public sealed class VillageState : AreaState;

/// <summary>A village or community (村/社区): the roll-up of its grids, the unit spike detection watches.</summary>
public sealed class VillageGrain(AreaHierarchy hierarchy, WarningClock clock, IOptions<ScreeningOptions> screening)
    : AreaGrain<VillageState>(hierarchy, clock, screening), IVillageGrain;
