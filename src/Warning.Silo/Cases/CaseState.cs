using Warning.Analytics.Disputes;
using Warning.Analytics.Risk;

namespace Warning.Silo.Cases;

/// <summary>One dispute: its current facts, every report and linked incident in order, and the last log seq applied.</summary>
public sealed class CaseState
{
    public string? GridId { get; set; }
    public DisputeCategory Category { get; set; }
    public CaseStatus Status { get; set; }
    public DateTimeOffset OpenedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public int PartiesCount { get; set; }
    public int PeopleInvolved { get; set; }
    public double? AmountInDispute { get; set; }
    public int MediationAttempts { get; set; }
    public List<CaseFlag> Flags { get; set; } = new();
    public List<string> PersonIds { get; set; } = new();
    public List<CaseHistoryEntry> History { get; set; } = new();
    public List<LinkedIncident> Incidents { get; set; } = new();
    public long LastSeq { get; set; }

    /// <summary>The latest escalation score with its explanation; null before the first report is scored.</summary>
    public RiskScore? Score { get; set; }

    /// <summary>The change each applied report made, by log seq: a replay after a crash re-sends it to areas that missed it.</summary>
    public Dictionary<long, CaseChange> Changes { get; set; } = new();

    /// <summary>
    /// The score move each linked incident or re-score tick made, by log seq: a replay re-sends it to areas that missed it.
    /// (The name predates the ticks; it stays so existing state still reads.)
    /// </summary>
    public Dictionary<long, CaseRiskChange> IncidentRiskChanges { get; set; } = new();

    /// <summary>The latest re-score tick applied (<see cref="ICaseGrain.Rescore"/>): scores are never taken as of an earlier moment again.</summary>
    public DateTimeOffset? RescoredAsOf { get; set; }

    public bool Exists => GridId is not null;
}

public sealed record CaseHistoryEntry(
    string ReportId, DateTimeOffset ReportedAt, string ReporterId, CaseStatus Status, DisputeCategory Category,
    int PartiesCount, int PeopleInvolved, double? AmountInDispute, int MediationAttempts, IReadOnlyList<CaseFlag> Flags, string? Summary);

public sealed record LinkedIncident(string IncidentId, IncidentSource Source, IncidentType Type, DateTimeOffset OccurredAt, int Severity, string? Summary);

/// <summary>What a report changed about a case, for the roll-ups of the areas above it.</summary>
public sealed record CaseChange(
    string CaseId, string GridId, DateTimeOffset At, bool Opened,
    DisputeCategory? PreviousCategory, CaseStatus? PreviousStatus, DisputeCategory Category, CaseStatus Status)
{
    /// <summary>How the case's score moved in the same turn, for the areas' risk roll-up; null if scoring never ran.</summary>
    public CaseRiskChange? Risk { get; init; }

    /// <summary>When the case opened after this report, and before it (a late report can move the opening earlier): the areas count open cases by opening day for their deadlines.</summary>
    public DateTimeOffset? OpenedAt { get; init; }

    public DateTimeOffset? PreviousOpenedAt { get; init; }
}

/// <summary>
/// A case's score before and after a turn, as the areas' roll-up needs it: only open cases count, probabilities in
/// basis points (1/10,000) so the areas' sums stay exact however many changes they add and take away.
/// </summary>
public sealed record CaseRiskChange(string CaseId, string GridId, bool WasOpen, int? PreviousBasisPoints, bool PreviousHigh, bool IsOpen, int? BasisPoints, bool High)
{
    public static int ToBasisPoints(double probability) => (int)Math.Round(Math.Clamp(probability, 0, 1) * 10_000);

    public static CaseRiskChange? Between(string caseId, string gridId, bool wasOpen, RiskScore? previous, bool isOpen, RiskScore? current) =>
        previous is null && current is null ? null
            : new CaseRiskChange(caseId, gridId, wasOpen, previous is null ? null : ToBasisPoints(previous.Probability), previous?.Level >= RiskLevel.High,
                isOpen, current is null ? null : ToBasisPoints(current.Probability), current?.Level >= RiskLevel.High);
}
