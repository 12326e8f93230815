using Warning.Analytics.Disputes;
using Warning.Silo.GrainHost;

namespace Warning.Silo.Persons;

public sealed class PersonState
{
    public KeyIndividual? Record { get; set; }
    public List<string> LinkedCases { get; set; } = new();
    public DateTimeOffset? LastCheckIn { get; set; }
    public int MissedCheckIns { get; set; }
    public long LastSeq { get; set; }
}

public sealed class PersonGrain : Grain<PersonState>, IPersonGrain
{
    public Task Register(long seq, KeyIndividual person) => Apply(seq, () => State.Record = person);

    public Task LinkCase(long seq, string caseId) => Apply(seq, () =>
    {
        if (!State.LinkedCases.Contains(caseId)) State.LinkedCases.Add(caseId);
    });

    // Only supervision check-ins touch the record; petitions and complaints a person files are never held against them.
    public Task RecordIncident(long seq, Incident incident) => Apply(seq, () =>
    {
        if (incident.Type == IncidentType.CheckIn && (State.LastCheckIn is null || incident.OccurredAt > State.LastCheckIn))
            State.LastCheckIn = incident.OccurredAt;
        else if (incident.Type == IncidentType.CheckInMissed)
            State.MissedCheckIns++;
    });

    public Task<PersonView?> GetView() => Task.FromResult(State.Record is { } r
        ? new PersonView(r.PersonId, r.GridId, r.Basis, r.BasisReviewedAt, r.BasisExpiresAt, State.LinkedCases.ToArray(), State.LastCheckIn, State.MissedCheckIns)
        : null);

    private Task Apply(long seq, Action change)
    {
        if (seq <= State.LastSeq) return Task.CompletedTask;
        change();
        State.LastSeq = seq;
        WriteStateAsync();
        return Task.CompletedTask;
    }
}
