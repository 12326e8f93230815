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
using Warning.Silo.Alerts;
using Microsoft.Extensions.Logging;

namespace Warning.Silo.Areas;

[GenerateSerializer, Alias("GridState")]
public sealed class GridState : AreaState
{
    [Id(0)]
    public HashSet<string> OpenCases { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whether a screening_overdue alert is out for this grid (cleared by its next screening or report).</summary>
    [Id(1)]
    public bool ScreeningOverdue { get; set; }

    /// <summary>The last screening known when the alert went out: one after it clears the alert.</summary>
    [Id(2)]
    public DateTimeOffset? OverdueLastScreened { get; set; }

    /// <summary>Per open case, what the duty officer's list sorts and filters on (a subset of <see cref="OpenCases"/> in an older store).</summary>
    [Id(3)]
    public Dictionary<string, OpenCaseEntry> Entries { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A grid (网格): one grid worker's ~300 households; knows its open cases and when it last screened.</summary>
// Activated on the silo that first calls it: in cluster mode the owner of its county's partition, so a county's grains
// live beside the owner that applies them instead of a remote call (and a write) away; one silo alone is unaffected.
[GrainType("grid"), PreferLocalPlacement]
public sealed class GridGrain([PersistentState("state")] IPersistentState<GridState> state, DirtyGrains dirty,
    AreaHierarchy hierarchy, WarningClock clock, IOptions<ScreeningOptions> screening, IOptions<RiskOptions> risk, ILogger<GridGrain> logger)
    : AreaGrain<GridState>(state, dirty, hierarchy, clock, screening, risk), IGridGrain
{
    protected override bool IsLeaf => true;

    /// <summary>
    /// The screening-cadence rule, as of a re-score tick (the log's record of time passing): a grid that has screened or
    /// reported before and has not within its cadence is overdue. A grid never heard from is not alerted: that is a
    /// deployment that has not started, not a grid that stopped.
    /// </summary>
    public async Task CheckScreening(DateTimeOffset asOf)
    {
        if (State.ScreeningOverdue || !State.Tally.GridLastScreened.TryGetValue(Key, out var last) || asOf - last <= GridCadence) return;
        State.ScreeningOverdue = true;
        State.OverdueLastScreened = last;
        MarkChanged();
        var place = CaseAlerts.PlaceOf(Hierarchy, Key);
        await GrainFactory.RaiseAsync(new AlertSignal(AlertRules.ScreeningOverdue, new AlertSubject("grid", Key), CaseAlerts.AreaOf(Hierarchy, Key),
            AlertSeverity.Warning, asOf, new AlertText($"网格逾期未排查：{place}", $"Grid overdue for screening: {place}"),
            new AlertText($"最近一次排查 {last:yyyy-MM-dd HH:mm}Z，排查周期 {GridCadence}", $"Last screened {last:O}; cadence {GridCadence}")), logger);
    }

    protected override async Task OnAppliedAsync()
    {
        if (!State.ScreeningOverdue || !State.Tally.GridLastScreened.TryGetValue(Key, out var last) || last <= State.OverdueLastScreened) return;
        State.ScreeningOverdue = false;
        MarkChanged();
        await GrainFactory.ClearAsync(AlertRules.ScreeningOverdue, Key, logger);
    }

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
