using Orleans;

namespace Warning.Analytics.Disputes;

/// <summary>
/// A key individual (重点人员) as registered at <c>POST /api/v1/persons</c>. Deliberately holds no name or identity
/// number: the pseudonymous id is all Warning needs, the owning department keeps the rest.
/// </summary>
[GenerateSerializer, Immutable, Alias("KeyIndividual")]
public sealed record KeyIndividual(
    string PersonId,
    string GridId,
    SupervisionBasis Basis,
    string BasisReference,
    DateTimeOffset BasisReviewedAt,
    DateTimeOffset BasisExpiresAt);
