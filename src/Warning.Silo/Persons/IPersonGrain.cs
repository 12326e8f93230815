using Warning.Analytics.Disputes;
using Warning.Silo.GrainHost;

namespace Warning.Silo.Persons;

/// <summary>A key individual (重点人员), known only by a pseudonymous id, a grid and the recorded legal basis.</summary>
public interface IPersonGrain : IGrainWithStringKey
{
    Task Register(long seq, KeyIndividual person);

    Task LinkCase(long seq, string caseId);

    Task RecordIncident(long seq, Incident incident);

    Task<PersonView?> GetView();
}

public sealed record PersonView(
    string PersonId, string GridId, SupervisionBasis Basis, DateTimeOffset BasisReviewedAt, DateTimeOffset BasisExpiresAt,
    IReadOnlyList<string> LinkedCases, DateTimeOffset? LastCheckIn, int MissedCheckIns);
