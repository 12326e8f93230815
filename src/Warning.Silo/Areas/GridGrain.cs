using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Placement;
using Orleans.Runtime;
using Warning.Silo.Ingest;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Risk;
using Warning.Silo.Cases;
using Warning.Silo.Time;

namespace Warning.Silo.Areas;

[GenerateSerializer, Alias("GridState")]
public sealed class GridState : AreaState
{
    [Id(0)]
    public HashSet<string> OpenCases { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Per open case, what the duty officer's list sorts and filters on (a subset of <see cref="OpenCases"/> in an older store).</summary>
    [Id(1)]
    public Dictionary<string, OpenCaseEntry> Entries { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A grid (网格): one grid worker's ~300 households; knows its open cases and when it last screened.</summary>
// Activated on the silo that first calls it: in cluster mode the owner of its county's partition, so a county's grains
// live beside the owner that applies them instead of a remote call (and a write) away; one silo alone is unaffected.
[GrainType("grid"), PreferLocalPlacement]
public sealed class GridGrain([PersistentState("state")] IPersistentState<GridState> state, DirtyGrains dirty,
    AreaHierarchy hierarchy, WarningClock clock, IOptions<ScreeningOptions> screening, IOptions<RiskOptions> risk)
    : AreaGrain<GridState>(state, dirty, hierarchy, clock, screening, risk), IGridGrain
{
    public Task<IReadOnlyList<string>> GetOpenCases() => Task.FromResult<IReadOnlyList<string>>(State.OpenCases.Order().ToArray());

    public Task<IReadOnlyList<OpenCaseEntry>> GetOpenCaseEntries() => Task.FromResult<IReadOnlyList<OpenCaseEntry>>(
        State.OpenCases.Select(id => State.Entries.GetValueOrDefault(id) ?? new OpenCaseEntry(id, null, null, null, null)).ToArray());

    protected override void OnCaseChange(CaseChange change)
    {
        if (!change.Status.IsOpen())
        {
            State.OpenCases.Remove(change.CaseId);
            State.Entries.Remove(change.CaseId);
            return;
        }
        State.OpenCases.Add(change.CaseId);
        var known = State.Entries.GetValueOrDefault(change.CaseId);
        var risk = change.Risk is { IsOpen: true } r ? (r.BasisPoints, r.Level) : (known?.BasisPoints, known?.Level);
        State.Entries[change.CaseId] = new OpenCaseEntry(change.CaseId, change.Category, change.OpenedAt ?? known?.OpenedAt ?? change.At, risk.Item1, risk.Item2);
    }

    protected override void OnCaseRisk(CaseRiskChange change)
    {
        if (change.IsOpen && State.Entries.TryGetValue(change.CaseId, out var entry))
            State.Entries[change.CaseId] = entry with { BasisPoints = change.BasisPoints, Level = change.Level };
    }
}
