using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Placement;
using Orleans.Runtime;
using Warning.Silo.Ingest;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Risk;
using Warning.Silo.Time;

namespace Warning.Silo.Areas;

[GenerateSerializer, Alias("VillageState")]
public sealed class VillageState : AreaState
{
    [Id(0)]
    public VillageSpikeState Spike { get; set; } = VillageSpikeState.Quiet;
}

/// <summary>A village or community (村/社区): the roll-up of its grids, the unit spike detection watches.</summary>
// Activated on the silo that first calls it: in cluster mode the owner of its county's partition, so a county's grains
// live beside the owner that applies them instead of a remote call (and a write) away; one silo alone is unaffected.
[GrainType("village"), PreferLocalPlacement]
public sealed class VillageGrain([PersistentState("state")] IPersistentState<VillageState> state, DirtyGrains dirty,
    AreaHierarchy hierarchy, WarningClock clock, IOptions<ScreeningOptions> screening, IOptions<RiskOptions> risk)
    : AreaGrain<VillageState>(state, dirty, hierarchy, clock, screening, risk), IVillageGrain
{
    public Task<VillageSpikeState> GetSpikeState() => Task.FromResult(State.Spike);

    public Task SetSpikeState(VillageSpikeState state)
    {
        // A scan of an earlier day (a late start-up scan, a retried job) never replaces a later day's findings.
        if (state.AsOf < State.Spike.AsOf) return Task.CompletedTask;
        State.Spike = state;
        MarkChanged();
        return Task.CompletedTask;
    }
}

/// <summary>What the daily spike scan last found in a village: the signals still active (overall or per category) as of a day.</summary>
[GenerateSerializer, Immutable, Alias("VillageSpikeState")]
public sealed record VillageSpikeState(DateOnly? AsOf, IReadOnlyList<SpikeSignal> Active)
{
    public static VillageSpikeState Quiet { get; } = new(null, []);

    public bool IsSpiking => Active.Count > 0;

    /// <summary>
    /// Whether a case of <paramref name="category"/> is in a spike here: its own kind of dispute is surging, or the village's
    /// disputes overall. A cluster of wage claims says little about a family quarrel next door.
    /// </summary>
    public bool IsSpikingFor(DisputeCategory category) => Active.Any(s => s.Category is null || s.Category == category);
}

/// <param name="Category">Null for the village's overall count.</param>
/// <param name="Method">The detector that fired, e.g. "poisson_c2", "poisson_c3", "poisson_cusum".</param>
/// <param name="GridId">Set when the signal came from one grid (网格) of the village rather than the village as a whole.</param>
[GenerateSerializer, Immutable, Alias("SpikeSignal")]
public sealed record SpikeSignal(DisputeCategory? Category, DateOnly Since, int Observed, double Expected, string Method, string? GridId = null);
