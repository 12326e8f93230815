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

    /// <summary>
    /// Re-scores an open case as of <paramref name="asOf"/> (a tick in the log, see <c>Risk/OpenCaseRescore</c>): days open,
    /// deadlines passed, incidents ageing out of their 7- and 30-day windows and the village's spike state move a score
    /// with no new report. Returns the move for the areas, or null if the case is closed or its score did not move.
    /// </summary>
    Task<CaseRiskChange?> Rescore(long seq, DateTimeOffset asOf);

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
