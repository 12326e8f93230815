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

    /// <summary>
    /// Basis expiry as of <paramref name="now"/>: reports the first time the basis is seen expired (its cases are then
    /// re-scored without it), and once it has been expired for <paramref name="purgeAfter"/> clears the identifying fields.
    /// </summary>
    [Alias("Sweep")]
    Task<PersonSweep> Sweep(DateTimeOffset now, TimeSpan purgeAfter);
}

[GenerateSerializer, Immutable, Alias("PersonSweep")]
public sealed record PersonSweep([property: Id(0)] bool NewlyExpired, [property: Id(1)] bool Purged, [property: Id(2)] IReadOnlyList<string> LinkedCases)
{
    /// <summary>When the person next needs the sweep (expiry, then purge); null once purged.</summary>
    [Id(3)] public DateTimeOffset? NextDueAt { get; init; }
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
    IReadOnlyList<string> LinkedCases, DateTimeOffset? LastCheckIn, int MissedCheckIns)
{
    /// <summary>Past its retention after expiry: the reference, dates of review, links and check-ins are gone.</summary>
    [Id(8)] public bool Purged { get; init; }

    [Id(9)] public string BasisReference { get; init; } = "";
}
