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

    /// <summary>Case links and incidents of a segment of the ingest log, in log order.</summary>
    [Alias("Apply")]
    Task Apply(IReadOnlyList<PersonUpdate> updates);

    [Alias("GetView")]
    Task<PersonView?> GetView();
}

/// <summary>One applied log entry as a key individual's grain sees it: a case linked, or an incident.</summary>
[GenerateSerializer, Immutable, Alias("PersonUpdate")]
public sealed record PersonUpdate(long Seq)
{
    [Id(1)] public string? LinkedCaseId { get; init; }
    [Id(2)] public Incident? Incident { get; init; }
}

[GenerateSerializer, Immutable, Alias("PersonView")]
public sealed record PersonView(
    string PersonId, string GridId, SupervisionBasis Basis, DateTimeOffset BasisReviewedAt, DateTimeOffset BasisExpiresAt,
    IReadOnlyList<string> LinkedCases, DateTimeOffset? LastCheckIn, int MissedCheckIns);
