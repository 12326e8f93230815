using Microsoft.Extensions.Options;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Risk;
using Warning.Silo.Time;

namespace Warning.Silo.Areas;

public sealed class RegionState : AreaState;

/// <summary>A township, county or city: the roll-up the big screen and the meetings read.</summary>
public sealed class RegionGrain(AreaHierarchy hierarchy, WarningClock clock, IOptions<ScreeningOptions> screening, IOptions<RiskOptions> risk)
    : AreaGrain<RegionState>(hierarchy, clock, screening, risk), IRegionGrain;
