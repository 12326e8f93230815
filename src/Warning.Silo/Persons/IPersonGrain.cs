using Warning.Analytics.Disputes;
using Orleans;
using Warning.Silo.Ingest;

namespace Warning.Silo.Persons;

/// <summary>A key individual (重点人员), known only by a pseudonymous id, a grid and the recorded legal basis.</summary>
[Alias("IPersonGrain")]
public interface IPersonGrain : ILogAppliedGrain
{
    [Alias("Register")]
    Task Register(long seq, KeyIndividual person);

    [Alias("LinkCase")]
    Task LinkCase(long seq, string caseId);

    [Alias("RecordIncident")]
    Task RecordIncident(long seq, Incident incident);

    [Alias("GetView")]
    Task<PersonView?> GetView();
}

[GenerateSerializer, Immutable, Alias("PersonView")]
public sealed record PersonView(
    string PersonId, string GridId, SupervisionBasis Basis, DateTimeOffset BasisReviewedAt, DateTimeOffset BasisExpiresAt,
    IReadOnlyList<string> LinkedCases, DateTimeOffset? LastCheckIn, int MissedCheckIns);
