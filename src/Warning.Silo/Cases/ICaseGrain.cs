using Warning.Analytics.Disputes;
using Warning.Analytics.Risk;
using Warning.Silo.GrainHost;

namespace Warning.Silo.Cases;

public interface ICaseGrain : IGrainWithStringKey
{
    /// <summary>Applies a report and returns what it changed; for a seq already applied, the change it made then (replay).</summary>
    Task<CaseChange?> ApplyReport(long seq, ScreeningReport report);

    /// <summary>Links an incident and re-scores the case in the same turn; returns the score's move for the areas (on replay, the move it made then).</summary>
    Task<CaseRiskChange?> LinkIncident(long seq, Incident incident);

    /// <summary>The case as the reading API shows it, or null if no report ever opened it.</summary>
    Task<CaseView?> GetView();
}

public sealed record CaseView(
    string CaseId, string GridId, DisputeCategory Category, CaseStatus Status, DateTimeOffset OpenedAt, DateTimeOffset UpdatedAt,
    int PartiesCount, int PeopleInvolved, double? AmountInDispute, int MediationAttempts, IReadOnlyList<CaseFlag> Flags,
    int KeyIndividuals, IReadOnlyList<CaseHistoryEntry> History, IReadOnlyList<LinkedIncident> Incidents)
{
    /// <summary>Escalation risk: probability, level, model version ("points" before any model) and its contributions in words.</summary>
    public RiskScore? Score { get; init; }
}
