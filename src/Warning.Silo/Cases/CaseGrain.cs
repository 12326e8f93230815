using Warning.Analytics.Disputes;
using Warning.Silo.GrainHost;

namespace Warning.Silo.Cases;

public sealed class CaseGrain : Grain<CaseState>, ICaseGrain
{
    public Task<CaseChange?> ApplyReport(long seq, ScreeningReport report)
    {
        if (seq <= State.LastSeq) return Task.FromResult(State.Changes.GetValueOrDefault(seq));

        var opened = !State.Exists;
        DisputeCategory? previousCategory = opened ? null : State.Category;
        CaseStatus? previousStatus = opened ? null : State.Status;
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
        var change = new CaseChange(Key, State.GridId!, report.ReportedAt, opened, previousCategory, previousStatus, State.Category, State.Status);
        State.Changes[seq] = change;
        State.LastSeq = seq;
        WriteStateAsync();
        return Task.FromResult<CaseChange?>(change);
    }

    public Task LinkIncident(long seq, Incident incident)
    {
        if (seq <= State.LastSeq) return Task.CompletedTask;
        var linked = new LinkedIncident(incident.IncidentId, incident.Source, incident.Type, incident.OccurredAt, incident.Severity, incident.Summary);
        var at = State.Incidents.FindLastIndex(i => i.OccurredAt <= incident.OccurredAt) + 1;
        State.Incidents.Insert(at, linked);
        State.LastSeq = seq;
        WriteStateAsync();
        return Task.CompletedTask;
    }

    public Task<CaseView?> GetView() => Task.FromResult(State.Exists
        ? new CaseView(Key, State.GridId!, State.Category, State.Status, State.OpenedAt, State.UpdatedAt, State.PartiesCount,
            State.PeopleInvolved, State.AmountInDispute, State.MediationAttempts, State.Flags.ToArray(), State.PersonIds.Count,
            State.History.ToArray(), State.Incidents.ToArray())
        : null);
}
