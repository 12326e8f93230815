using Orleans;

namespace Warning.Analytics.Disputes;

/// <summary>A grid worker's screening report (排查报告) as accepted at <c>POST /api/v1/reports</c>.</summary>
/// <remarks><see cref="CaseId"/> is always set once accepted: ingest assigns one when the feed opened a new case.</remarks>
[GenerateSerializer, Immutable, Alias("ScreeningReport")]
public sealed record ScreeningReport(
    string ReportId,
    string GridId,
    DateTimeOffset ReportedAt,
    string ReporterId,
    string? CaseId,
    DisputeCategory Category,
    CaseStatus Status,
    int PartiesCount,
    int PeopleInvolved,
    double? AmountInDispute,
    int MediationAttempts,
    IReadOnlyList<CaseFlag> Flags,
    IReadOnlyList<string> PersonIds,
    string? Summary);
