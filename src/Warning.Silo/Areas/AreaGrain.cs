using Microsoft.Extensions.Options;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Risk;
using Warning.Silo.Cases;
using Orleans;
using Orleans.Runtime;
using Warning.Silo.Ingest;
using Warning.Silo.Time;

namespace Warning.Silo.Areas;

/// <summary>The shared behaviour of area grains: a tally kept idempotently per log seq, summarised against the hierarchy.</summary>
public abstract class AreaGrain<TState>(IPersistentState<TState> state, DirtyGrains dirty, AreaHierarchy hierarchy, WarningClock clock,
    IOptions<ScreeningOptions> screening, IOptions<RiskOptions> risk)
    : LogAppliedGrain<TState>(state, dirty) where TState : AreaState, new()
{
    protected AreaHierarchy Hierarchy { get; } = hierarchy;

    protected TimeSpan GridCadence => screening.Value.GridCadence;

    public Task ApplyCaseChange(long seq, CaseChange change)
    {
        if (LogPosition.Covers(State.Tally.LastSeq, State.Tally.PartitionSeqs, seq)) return Task.CompletedTask;
        State.Tally.Apply(change, clock.DayOf);
        OnCaseChange(change);
        (State.Tally.LastSeq, State.Tally.PartitionSeqs) = LogPosition.Record(State.Tally.LastSeq, State.Tally.PartitionSeqs, seq);
        MarkChanged();
        return Task.CompletedTask;
    }

    public Task CountIncident(long seq, Incident incident)
    {
        if (LogPosition.Covers(State.Tally.LastSeq, State.Tally.PartitionSeqs, seq)) return Task.CompletedTask;
        State.Tally.CountIncident(incident.Type, clock.DayOf(incident.OccurredAt));
        (State.Tally.LastSeq, State.Tally.PartitionSeqs) = LogPosition.Record(State.Tally.LastSeq, State.Tally.PartitionSeqs, seq);
        MarkChanged();
        return Task.CompletedTask;
    }

    public Task RecordScreening(long seq, ScreeningRound round)
    {
        if (LogPosition.Covers(State.Tally.LastSeq, State.Tally.PartitionSeqs, seq)) return Task.CompletedTask;
        State.Tally.MarkScreened(round.GridId, round.ScreenedAt);
        (State.Tally.LastSeq, State.Tally.PartitionSeqs) = LogPosition.Record(State.Tally.LastSeq, State.Tally.PartitionSeqs, seq);
        MarkChanged();
        return Task.CompletedTask;
    }

    /// <summary>A case re-scored by a linked incident; kept idempotent by its own watermark, since the incident's seq is also counted.</summary>
    public Task ApplyCaseRisk(long seq, CaseRiskChange change)
    {
        if (LogPosition.Covers(State.RiskLastSeq, State.RiskPartitionSeqs, seq)) return Task.CompletedTask;
        State.Tally.Risk.Apply(change);
        (State.RiskLastSeq, State.RiskPartitionSeqs) = LogPosition.Record(State.RiskLastSeq, State.RiskPartitionSeqs, seq);
        MarkChanged();
        return Task.CompletedTask;
    }

    public Task ApplyCaseRisks(long seq, IReadOnlyList<CaseRiskChange> changes)
    {
        if (LogPosition.Covers(State.RiskLastSeq, State.RiskPartitionSeqs, seq)) return Task.CompletedTask;
        foreach (var change in changes) State.Tally.Risk.Apply(change);
        (State.RiskLastSeq, State.RiskPartitionSeqs) = LogPosition.Record(State.RiskLastSeq, State.RiskPartitionSeqs, seq);
        MarkChanged();
        return Task.CompletedTask;
    }

    public async Task Apply(IReadOnlyList<AreaUpdate> updates)
    {
        List<Incident>? fresh = null;
        foreach (var u in updates)
        {
            if (u.Change is { } change) await ApplyCaseChange(u.Seq, change);
            else if (u.Incident is { } incident)
            {
                if (!LogPosition.Covers(State.Tally.LastSeq, State.Tally.PartitionSeqs, u.Seq)) (fresh ??= new()).Add(incident);
                await CountIncident(u.Seq, incident);
            }
            else if (u.Risk is { } risk) await ApplyCaseRisk(u.Seq, risk);
            else if (u.Screening is { } round) await RecordScreening(u.Seq, round);
        }
        if (fresh is not null) await OnIncidentsAsync(fresh);
        await OnAppliedAsync();
    }

    /// <summary>After a segment's updates are applied here.</summary>
    protected virtual Task OnAppliedAsync() => Task.CompletedTask;

    /// <summary>Incidents newly counted here in one call (a segment of the log), for an area's own alert rules.</summary>
    protected virtual Task OnIncidentsAsync(IReadOnlyList<Incident> incidents) => Task.CompletedTask;

    public Task<AreaCounts> GetCounts()
    {
        var grids = Hierarchy.TryGet(Key, out var area) ? GridCount(area) : 0;
        var deadlines = risk.Value.Deadlines;
        return Task.FromResult(State.Tally.Summarise(clock.Today, clock.Now, grids, screening.Value.GridCadence, c => deadlines.For(c).Complete));
    }

    public Task<IReadOnlyList<DayOpened>> GetDailyOpened(DateOnly from, DateOnly to)
    {
        var days = new List<DayOpened>();
        foreach (var (day, tally) in State.Tally.Days)
        {
            if (day < from) continue;
            if (day > to) break;
            if (tally.Opened.Count > 0) days.Add(new DayOpened(day, new Dictionary<DisputeCategory, int>(tally.Opened)));
        }
        return Task.FromResult<IReadOnlyList<DayOpened>>(days);
    }

    protected virtual void OnCaseChange(CaseChange change)
    {
    }

    private int GridCount(Area area) => area.Level == AreaLevel.Grid ? 1 : Hierarchy.Descendants(area.Id, AreaLevel.Grid).Count();
}

[GenerateSerializer, Alias("AreaState")]
public class AreaState
{
    [Id(0)]
    public AreaTally Tally { get; set; } = new();

    /// <summary>Last log seq whose incident re-score reached this area (<see cref="AreaGrain{TState}.ApplyCaseRisk"/>).</summary>
    [Id(1)]
    public long RiskLastSeq { get; set; }

    /// <summary>As <see cref="RiskLastSeq"/> for the cluster's other partitions (<see cref="LogPosition"/>).</summary>
    [Id(2)]
    public Dictionary<int, long>? RiskPartitionSeqs { get; set; }
}
