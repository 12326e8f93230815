using Warning.Analytics.Disputes;
using Orleans;
using Orleans.Placement;
using Orleans.Runtime;
using Warning.Silo.Ingest;
using Warning.Silo.Alerts;
using Warning.Analytics.Hierarchy;
using Microsoft.Extensions.Logging;

namespace Warning.Silo.Persons;

[GenerateSerializer, Alias("PersonState")]
public sealed class PersonState
{
    [Id(0)] public KeyIndividual? Record { get; set; }
    [Id(1)] public List<string> LinkedCases { get; set; } = new();
    [Id(2)] public DateTimeOffset? LastCheckIn { get; set; }
    [Id(3)] public int MissedCheckIns { get; set; }
    [Id(4)] public long LastSeq { get; set; }
    /// <summary>As <see cref="LastSeq"/> for the cluster's other partitions (<see cref="LogPosition"/>).</summary>
    [Id(5)] public Dictionary<int, long>? PartitionSeqs { get; set; }
    [Id(6)] public bool ExpiryHandled { get; set; }
    [Id(7)] public bool Purged { get; set; }
}

// Activated on the silo that first calls it: in cluster mode the owner of its county's partition, so a county's grains
// live beside the owner that applies them instead of a remote call (and a write) away; one silo alone is unaffected.
[GrainType("person"), PreferLocalPlacement]
public sealed class PersonGrain([PersistentState("state")] IPersistentState<PersonState> state, DirtyGrains dirty,
    AreaHierarchy hierarchy, PersonExpiryDue expiryDue, ILogger<PersonGrain> logger)
    : LogAppliedGrain<PersonState>(state, dirty), IPersonGrain
{
    protected override bool IsLeaf => true;

    // A registration after expiry or purge is a renewed basis: the record counts again from it.
    public Task Register(long seq, KeyIndividual person) => Apply(seq, () =>
    {
        State.Record = person;
        State.ExpiryHandled = false;
        State.Purged = false;
        expiryDue.Forget(Key);
    });

    public Task LinkCase(long seq, string caseId) => Apply(seq, () =>
    {
        if (!State.LinkedCases.Contains(caseId)) State.LinkedCases.Add(caseId);
    });

    // Only supervision check-ins touch the record; petitions and complaints a person files are never held against them.
    public async Task RecordIncident(long seq, Incident incident)
    {
        var missedBefore = State.MissedCheckIns;
        await ApplyIncident(seq, incident);
        if (State.MissedCheckIns > missedBefore) await RaiseMissedCheckInAsync(incident);
    }

    /// <summary>
    /// The alert names the key individual's basis and area, never the person: the pseudonymous id is its subject so a
    /// repeat updates it, and who it is stays with the supervising department.
    /// </summary>
    private Task RaiseMissedCheckInAsync(Incident incident)
    {
        var grid = State.Record?.GridId ?? incident.GridId;
        var basis = State.Record is { } r ? DisputeVocabulary.WireName(r.Basis) : "unregistered";
        var place = CaseAlerts.PlaceOf(hierarchy, grid);
        return GrainFactory.RaiseAsync(new AlertSignal(AlertRules.CheckInMissed, new AlertSubject("person", Key), CaseAlerts.AreaOf(hierarchy, grid),
            State.MissedCheckIns >= 2 ? AlertSeverity.High : AlertSeverity.Warning, incident.OccurredAt,
            new AlertText($"重点人员未按时报到：{place}", $"Key individual missed a check-in: {place}"),
            new AlertText($"管理依据 {basis}；累计未报到 {State.MissedCheckIns} 次", $"Basis {basis}; {State.MissedCheckIns} missed check-in(s) in all")), logger);
    }

    private Task ApplyIncident(long seq, Incident incident) => Apply(seq, () =>
    {
        if (incident.Type == IncidentType.CheckIn && (State.LastCheckIn is null || incident.OccurredAt > State.LastCheckIn))
            State.LastCheckIn = incident.OccurredAt;
        else if (incident.Type == IncidentType.CheckInMissed)
            State.MissedCheckIns++;
    });

    public async Task Apply(IReadOnlyList<PersonUpdate> updates)
    {
        foreach (var u in updates)
        {
            if (u.LinkedCaseId is { } caseId) await LinkCase(u.Seq, caseId);
            else if (u.Incident is { } incident) await RecordIncident(u.Seq, incident);
        }
    }

    public Task<PersonView?> GetView() => Task.FromResult(State.Record is { } r
        ? new PersonView(r.PersonId, r.GridId, r.Basis, r.BasisReviewedAt, r.BasisExpiresAt, State.LinkedCases.ToArray(), State.LastCheckIn, State.MissedCheckIns)
        {
            Purged = State.Purged,
            BasisReference = r.BasisReference,
        }
        : null);

    public Task<PersonSweep> Sweep(DateTimeOffset now, TimeSpan purgeAfter)
    {
        // Not applied yet: look again at the next sweep. Not expired: at its expiry.
        if (State.Record is not { } r) return Task.FromResult(new PersonSweep(false, false, []) { NextDueAt = now });
        if (r.BasisExpiresAt > now) return Task.FromResult(new PersonSweep(false, false, []) { NextDueAt = r.BasisExpiresAt });
        var newly = !State.ExpiryHandled;
        var cases = State.LinkedCases.ToArray();
        State.ExpiryHandled = true;
        var purge = !State.Purged && r.BasisExpiresAt + purgeAfter <= now;
        if (purge)
        {
            // The pseudonymous id, grid, kind of basis and its expiry stay (the grain's key, and why it no longer counts);
            // what could point to the person goes: the decision's reference, the review date, linked cases, check-ins.
            State.Record = r with { BasisReference = "", BasisReviewedAt = r.BasisExpiresAt };
            State.LinkedCases.Clear();
            State.LastCheckIn = null;
            State.MissedCheckIns = 0;
            State.Purged = true;
        }
        if (newly || purge) MarkChanged();
        return Task.FromResult(new PersonSweep(newly, purge, cases) { NextDueAt = State.Purged ? null : r.BasisExpiresAt + purgeAfter });
    }

    private Task Apply(long seq, Action change)
    {
        if (LogPosition.Covers(State.LastSeq, State.PartitionSeqs, seq)) return Task.CompletedTask;
        change();
        (State.LastSeq, State.PartitionSeqs) = LogPosition.Record(State.LastSeq, State.PartitionSeqs, seq);
        MarkChanged();
        return Task.CompletedTask;
    }
}
