using Warning.Analytics.Disputes;
using Warning.Analytics.Risk;
using Orleans;
using Warning.Silo.Ingest;

namespace Warning.Silo.Cases;

[Alias("ICaseGrain")]
public interface ICaseGrain : ILogAppliedGrain
{
    /// <summary>Applies a report and returns what it changed; for a seq already applied, the change it made then (replay).</summary>
    [Alias("ApplyReport")]
    Task<CaseChange?> ApplyReport(long seq, ScreeningReport report);

    /// <summary>Links an incident and re-scores the case in the same turn; returns the score's move for the areas (on replay, the move it made then).</summary>
    [Alias("LinkIncident")]
    Task<CaseRiskChange?> LinkIncident(long seq, Incident incident);

    /// <summary>
    /// Re-scores an open case as of <paramref name="asOf"/> (a tick in the log, see <c>Risk/OpenCaseRescore</c>): days open,
    /// deadlines passed, incidents ageing out of their 7- and 30-day windows and the village's spike state move a score
    /// with no new report. Returns the move for the areas, or null if the case is closed or its score did not move.
    /// </summary>
    [Alias("Rescore")]
    Task<CaseRiskChange?> Rescore(long seq, DateTimeOffset asOf);

    /// <summary>
    /// The deadline rule as of <paramref name="asOf"/>, between re-score ticks: the deadline watch calls it when the case's
    /// next deadline moment comes (<see cref="Alerts.CaseDeadlines"/>). Not in the log: it moves no score, only raises the
    /// case's overdue alert, which a replay's next tick would raise again.
    /// </summary>
    [Alias("CheckDeadline")]
    Task CheckDeadline(DateTimeOffset asOf);

    /// <summary>The case as the reading API shows it, or null if no report ever opened it.</summary>
    [Alias("GetView")]
    Task<CaseView?> GetView();
}

[GenerateSerializer, Immutable, Alias("CaseView")]
public sealed record CaseView(
    string CaseId, string GridId, DisputeCategory Category, CaseStatus Status, DateTimeOffset OpenedAt, DateTimeOffset UpdatedAt,
    int PartiesCount, int PeopleInvolved, double? AmountInDispute, int MediationAttempts, IReadOnlyList<CaseFlag> Flags,
    int KeyIndividuals, IReadOnlyList<CaseHistoryEntry> History, IReadOnlyList<LinkedIncident> Incidents)
{
    /// <summary>Escalation risk: probability, level, model version ("points" before any model) and its contributions in words.</summary>
    [Id(14)]
    public RiskScore? Score { get; init; }
}
