using Warning.Analytics.Disputes;
using Warning.Silo.GrainHost;

namespace Warning.Silo.Cases;

public interface ICaseGrain : IGrainWithStringKey
{
    /// <summary>Applies a report and returns what it changed; for a seq already applied, the change it made then (replay).</summary>
    Task<CaseChange?> ApplyReport(long seq, ScreeningReport report);

    Task LinkIncident(long seq, Incident incident);

    /// <summary>The case as the reading API shows it, or null if no report ever opened it.</summary>
    Task<CaseView?> GetView();
}

public sealed record CaseView(
    string CaseId, string GridId, DisputeCategory Category, CaseStatus Status, DateTimeOffset OpenedAt, DateTimeOffset UpdatedAt,
    int PartiesCount, int PeopleInvolved, double? AmountInDispute, int MediationAttempts, IReadOnlyList<CaseFlag> Flags,
    int KeyIndividuals, IReadOnlyList<CaseHistoryEntry> History, IReadOnlyList<LinkedIncident> Incidents);
