using Microsoft.Extensions.Logging;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Risk;
using Warning.Silo.Areas;
using Orleans;
using Orleans.Placement;
using Orleans.Runtime;
using Warning.Silo.Ingest;
using Warning.Silo.Persons;
using Warning.Silo.Risk;
using Warning.Silo.Alerts;

namespace Warning.Silo.Cases;

// Activated on the silo that first calls it: in cluster mode the owner of its county's partition, so a county's grains
// live beside the owner that applies them instead of a remote call (and a write) away; one silo alone is unaffected.
[GrainType("case"), PreferLocalPlacement]
public sealed class CaseGrain([PersistentState("state")] IPersistentState<CaseState> state, DirtyGrains dirty,
    CaseRiskScorer scorer, AreaHierarchy hierarchy, ILogger<CaseGrain> logger, Microsoft.Extensions.Options.IOptions<RiskOptions> risk,
    Microsoft.Extensions.Options.IOptions<AlertsOptions> alerts, CaseDeadlines deadlines) : LogAppliedGrain<CaseState>(state, dirty), ICaseGrain
{
    protected override bool IsLeaf => true;

    public async Task<CaseChange?> ApplyReport(long seq, ScreeningReport report)
    {
        if (LogPosition.Covers(State.LastSeq, State.PartitionSeqs, seq)) return State.Changes.GetValueOrDefault(seq);

        var opened = !State.Exists;
        DisputeCategory? previousCategory = opened ? null : State.Category;
        CaseStatus? previousStatus = opened ? null : State.Status;
        DateTimeOffset? previousOpenedAt = opened ? null : State.OpenedAt;
        if (opened)
        {
            State.GridId = report.GridId;
            State.OpenedAt = report.ReportedAt;
        }

        // Reports can arrive out of order (a feed's backlog); the latest report by time states the case's current facts.
        var latest = State.History.Count == 0 || report.ReportedAt >= State.UpdatedAt;
        if (latest)
        {
            State.Category = report.Category;
            State.Status = report.Status;
            State.UpdatedAt = report.ReportedAt;
            State.PartiesCount = report.PartiesCount;
            State.PeopleInvolved = report.PeopleInvolved;
            State.AmountInDispute = report.AmountInDispute ?? State.AmountInDispute;
            State.MediationAttempts = Math.Max(State.MediationAttempts, report.MediationAttempts);
            State.Flags = State.Flags.Union(report.Flags).ToList();
        }
        else
        {
            State.MediationAttempts = Math.Max(State.MediationAttempts, report.MediationAttempts);
            State.Flags = State.Flags.Union(report.Flags).ToList();
        }
        if (report.ReportedAt < State.OpenedAt) State.OpenedAt = report.ReportedAt;
        foreach (var person in report.PersonIds)
            if (!State.PersonIds.Contains(person)) State.PersonIds.Add(person);

        var entry = new CaseHistoryEntry(report.ReportId, report.ReportedAt, report.ReporterId, report.Status, report.Category,
            report.PartiesCount, report.PeopleInvolved, report.AmountInDispute, report.MediationAttempts, report.Flags, report.Summary);
        var at = State.History.FindLastIndex(h => h.ReportedAt <= report.ReportedAt) + 1;
        State.History.Insert(at, entry);
        // The score moves in this same turn, so the area roll-up below and any reader after this report see it.
        var scoreBefore = State.Score;
        var risk = await RescoreAsync(previousStatus?.IsOpen() ?? false);
        if (alerts.Value.Enabled)
        {
            await CaseAlerts.AfterScoreAsync(GrainFactory, hierarchy, logger, Key, State.GridId!, State.Category, scoreBefore, State.Score, State.Status.IsOpen(), report.ReportedAt, seq);
            await CheckDeadlinesAsync(report.ReportedAt);
        }
        var change = new CaseChange(Key, State.GridId!, report.ReportedAt, opened, previousCategory, previousStatus, State.Category, State.Status)
        {
            Risk = risk,
            OpenedAt = State.OpenedAt,
            PreviousOpenedAt = previousOpenedAt,
        };
        State.Changes[seq] = change;
        (State.LastSeq, State.PartitionSeqs) = LogPosition.Record(State.LastSeq, State.PartitionSeqs, seq);
        MarkChanged();
        return change;
    }

    public async Task<CaseRiskChange?> LinkIncident(long seq, Incident incident)
    {
        if (LogPosition.Covers(State.LastSeq, State.PartitionSeqs, seq)) return State.IncidentRiskChanges.GetValueOrDefault(seq);
        var linked = new LinkedIncident(incident.IncidentId, incident.Source, incident.Type, incident.OccurredAt, incident.Severity, incident.Summary);
        var at = State.Incidents.FindLastIndex(i => i.OccurredAt <= incident.OccurredAt) + 1;
        State.Incidents.Insert(at, linked);
        var scoreBefore = State.Score;
        var risk = State.Exists ? await RescoreAsync(State.Status.IsOpen()) : null;
        if (risk is not null) State.IncidentRiskChanges[seq] = risk;
        if (State.Exists && alerts.Value.Enabled)
        {
            await CaseAlerts.AfterIncidentAsync(GrainFactory, hierarchy, logger, Key, State.GridId!, State.Category, State.Status.IsOpen(), incident, seq);
            await CaseAlerts.AfterScoreAsync(GrainFactory, hierarchy, logger, Key, State.GridId!, State.Category, scoreBefore, State.Score, State.Status.IsOpen(), incident.OccurredAt, seq);
        }
        (State.LastSeq, State.PartitionSeqs) = LogPosition.Record(State.LastSeq, State.PartitionSeqs, seq);
        MarkChanged();
        return risk;
    }

    public async Task<CaseRiskChange?> Rescore(long seq, DateTimeOffset asOf)
    {
        if (LogPosition.Covers(State.LastSeq, State.PartitionSeqs, seq)) return State.IncidentRiskChanges.GetValueOrDefault(seq);
        CaseRiskChange? moved = null;
        if (State.Exists && State.Status.IsOpen() && asOf > LatestEvent() && asOf > (State.RescoredAsOf ?? DateTimeOffset.MinValue))
        {
            State.RescoredAsOf = asOf;
            var scoreBefore = State.Score;
            var risk = await RescoreAsync(wasOpen: true);
            if (alerts.Value.Enabled)
            {
                await CaseAlerts.AfterScoreAsync(GrainFactory, hierarchy, logger, Key, State.GridId!, State.Category, scoreBefore, State.Score, true, asOf);
                await CheckDeadlinesAsync(asOf);
            }
            if (risk is not null && (risk.PreviousBasisPoints != risk.BasisPoints || risk.PreviousHigh != risk.High))
                State.IncidentRiskChanges[seq] = moved = risk;
        }
        (State.LastSeq, State.PartitionSeqs) = LogPosition.Record(State.LastSeq, State.PartitionSeqs, seq);
        MarkChanged();
        return moved;
    }

    /// <summary>
    /// The deadline rule (受理、调处、办结时限), as of the moment of a report or a re-score tick: time moves the case past its
    /// deadlines with no report of its own, and the ticks are the log's record of time passing.
    /// </summary>
    private async Task CheckDeadlinesAsync(DateTimeOffset asOf)
    {
        var (accept, mediate, complete) = risk.Value.Deadlines.For(State.Category);
        var stage = CaseAlerts.OverdueStage(State.Status, asOf - State.OpenedAt, accept, mediate, complete);
        if (stage > State.OverdueStage)
        {
            State.OverdueStage = stage;
            MarkChanged();
            await CaseAlerts.OverdueAsync(GrainFactory, hierarchy, logger, Key, State.GridId!, State.Category, stage, asOf);
        }
        else if (!State.Status.IsOpen() && State.OverdueStage > 0)
        {
            State.OverdueStage = 0;
            MarkChanged();
            await GrainFactory.ClearAsync(AlertRules.CaseOverdue, Key, logger);
        }
        deadlines.Schedule(Key, CaseAlerts.NextDeadline(State.Status, State.OpenedAt, State.OverdueStage, accept, mediate, complete));
    }

    public async Task CheckDeadline(DateTimeOffset asOf)
    {
        if (!State.Exists || !alerts.Value.Enabled) return;
        await CheckDeadlinesAsync(asOf);
    }

    public Task<CaseView?> GetView() => Task.FromResult(State.Exists
        ? new CaseView(Key, State.GridId!, State.Category, State.Status, State.OpenedAt, State.UpdatedAt, State.PartiesCount,
            State.PeopleInvolved, State.AmountInDispute, State.MediationAttempts, State.Flags.ToArray(), State.PersonIds.Count,
            State.History.ToArray(), State.Incidents.ToArray()) { Score = State.Score }
        : null);

    private DateTimeOffset LatestEvent()
    {
        var latest = State.UpdatedAt;
        foreach (var i in State.Incidents) if (i.OccurredAt > latest) latest = i.OccurredAt;
        return latest;
    }

    /// <summary>
    /// Re-scores the case as of its latest known event or re-score tick, whichever is later (never the wall clock, so a
    /// replay after a crash gives the same score), and returns what changed for the areas' roll-up. A scoring failure
    /// keeps the previous score: the report itself must still be applied.
    /// </summary>
    private async Task<CaseRiskChange?> RescoreAsync(bool wasOpen)
    {
        var previous = State.Score;
        try
        {
            var asOf = LatestEvent();
            if (State.RescoredAsOf is { } tick && tick > asOf) asOf = tick;
            var snapshot = new CaseSnapshot(State.Category, State.OpenedAt,
                State.History.Select(h => new SnapshotReport(h.ReportedAt, h.Status, h.Category, h.PartiesCount, h.PeopleInvolved, h.AmountInDispute, h.MediationAttempts, h.Flags)).ToArray(),
                State.Incidents.Select(i => new SnapshotIncident(i.OccurredAt, i.Type)).ToArray(),
                await KeyIndividualBasesAsync(asOf),
                await VillageSpikingAsync());
            State.Score = scorer.Score(snapshot, asOf);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Scoring case {CaseId} failed; keeping its previous score", Key);
        }
        return CaseRiskChange.Between(Key, State.GridId!, wasOpen, previous, State.Status.IsOpen(), State.Score);
    }

    /// <summary>The bases of the key individuals in this case that are still valid at <paramref name="asOf"/>.</summary>
    private async Task<SupervisionBasis[]> KeyIndividualBasesAsync(DateTimeOffset asOf)
    {
        if (State.PersonIds.Count == 0) return [];
        var views = await Task.WhenAll(State.PersonIds.Select(p => GrainFactory.GetGrain<IPersonGrain>(p).GetView()));
        return views.Where(v => v is not null && v.BasisExpiresAt > asOf).Select(v => v!.Basis).Distinct().ToArray();
    }

    private async Task<bool> VillageSpikingAsync()
    {
        if (State.GridId is null || hierarchy.VillageOf(State.GridId) is not { } village) return false;
        var spike = await GrainFactory.GetGrain<IVillageGrain>(village.Id).GetSpikeState();
        // Training reads planted clusters of the case's own category the same way.
        return spike.IsSpikingFor(State.Category);
    }
}
