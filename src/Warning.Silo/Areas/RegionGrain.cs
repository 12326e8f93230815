using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Placement;
using Orleans.Runtime;
using Warning.Silo.Ingest;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Risk;
using Warning.Silo.Time;

namespace Warning.Silo.Areas;

[GenerateSerializer, Alias("RegionState")]
public sealed class RegionState : AreaState;

/// <summary>A township, county or city: the roll-up the big screen and the meetings read.</summary>
// Activated on the silo that first calls it: in cluster mode the owner of its county's partition, so a county's grains
// live beside the owner that applies them instead of a remote call (and a write) away; one silo alone is unaffected.
[GrainType("region"), PreferLocalPlacement]
public sealed class RegionGrain([PersistentState("state")] IPersistentState<RegionState> state, DirtyGrains dirty,
    AreaHierarchy hierarchy, WarningClock clock, IOptions<ScreeningOptions> screening, IOptions<RiskOptions> risk)
    : AreaGrain<RegionState>(state, dirty, hierarchy, clock, screening, risk), IRegionGrain;
