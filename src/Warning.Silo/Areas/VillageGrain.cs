using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Placement;
using Orleans.Runtime;
using Warning.Silo.Ingest;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Risk;
using Warning.Silo.Time;
using Warning.Silo.Alerts;
using Microsoft.Extensions.Logging;

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
    AreaHierarchy hierarchy, WarningClock clock, IOptions<ScreeningOptions> screening, IOptions<RiskOptions> risk, ILogger<VillageGrain> logger)
    : AreaGrain<VillageState>(state, dirty, hierarchy, clock, screening, risk), IVillageGrain
{
    public Task<VillageSpikeState> GetSpikeState() => Task.FromResult(State.Spike);

    public async Task SetSpikeState(VillageSpikeState state)
    {
        // A scan of an earlier day (a late start-up scan, a retried job) never replaces a later day's findings.
        if (state.AsOf < State.Spike.AsOf) return;
        var before = State.Spike.Active.Select(SpikeSubject).ToHashSet(StringComparer.Ordinal);
        State.Spike = state;
        MarkChanged();
        // The spike rule: each signal that appeared raises (or repeats) its alert; each that ended clears it.
        var village = Key;
        foreach (var signal in state.Active)
            await GrainFactory.RaiseAsync(SpikeAlert(village, signal), logger);
        foreach (var ended in before.Except(state.Active.Select(SpikeSubject)))
            await GrainFactory.ClearAsync(AlertRules.Spike, ended, logger);
    }

    private string SpikeSubject(SpikeSignal s) => $"{s.GridId ?? Key}:{(s.Category is { } c ? DisputeVocabulary.WireName(c) : "all")}";

    private AlertSignal SpikeAlert(string village, SpikeSignal s)
    {
        var place = CaseAlerts.PlaceOf(Hierarchy, s.GridId ?? village);
        var category = s.Category is { } c ? DisputeVocabulary.WireName(c) : null;
        var what = category ?? "all";
        return new AlertSignal(AlertRules.Spike, new AlertSubject(s.GridId is null ? "village" : "grid", SpikeSubject(s)), village,
            s.Observed >= 2 * s.Expected + 5 ? AlertSeverity.High : AlertSeverity.Warning, new DateTimeOffset(s.Since.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
            new AlertText($"纠纷异常增多（{what}）：{place}", $"Dispute spike ({what}): {place}"),
            new AlertText($"自 {s.Since:yyyy-MM-dd} 起观察到 {s.Observed} 起，基线预期 {s.Expected:F1} 起（{s.Method}）",
                $"{s.Observed} observed since {s.Since:yyyy-MM-dd} against {s.Expected:F1} expected ({s.Method})"), category);
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
