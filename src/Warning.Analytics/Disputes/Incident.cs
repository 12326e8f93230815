using Orleans;

namespace Warning.Analytics.Disputes;

/// <summary>An incident from a feed (110, 12345, petition office, court, mediation, corrections) at <c>POST /api/v1/incidents</c>.</summary>
/// <remarks>A petition or complaint is a service request: it never raises risk against the person who filed it.</remarks>
[GenerateSerializer, Immutable, Alias("Incident")]
public sealed record Incident(
    string IncidentId,
    IncidentSource Source,
    IncidentType Type,
    DateTimeOffset OccurredAt,
    string GridId,
    string? CaseId,
    IReadOnlyList<string> PersonIds,
    int Severity,
    string? Summary);
