using Warning.Analytics.Disputes;
using Orleans;
using Warning.Analytics.Risk;

namespace Warning.Silo.Cases;

/// <summary>One dispute: its current facts, every report and linked incident in order, and the last log seq applied.</summary>
[GenerateSerializer, Alias("CaseState")]
public sealed class CaseState
{
    [Id(0)]
    public string? GridId { get; set; }
    [Id(1)]
    public DisputeCategory Category { get; set; }
    [Id(2)]
    public CaseStatus Status { get; set; }
    [Id(3)]
    public DateTimeOffset OpenedAt { get; set; }
    [Id(4)]
    public DateTimeOffset UpdatedAt { get; set; }
    [Id(5)]
    public int PartiesCount { get; set; }
    [Id(6)]
    public int PeopleInvolved { get; set; }
    [Id(7)]
    public double? AmountInDispute { get; set; }
    [Id(8)]
    public int MediationAttempts { get; set; }
    [Id(9)]
    public List<CaseFlag> Flags { get; set; } = new();
    [Id(10)]
    public List<string> PersonIds { get; set; } = new();
    [Id(11)]
    public List<CaseHistoryEntry> History { get; set; } = new();
    [Id(12)]
    public List<LinkedIncident> Incidents { get; set; } = new();
    [Id(13)]
    public long LastSeq { get; set; }

    /// <summary>As <see cref="LastSeq"/> for the cluster's other partitions (<see cref="Ingest.LogPosition"/>): a case takes rescore ticks from partition 0.</summary>
    [Id(18)]
    public Dictionary<int, long>? PartitionSeqs { get; set; }

    /// <summary>The latest escalation score with its explanation; null before the first report is scored.</summary>
    [Id(14)]
    public RiskScore? Score { get; set; }

    /// <summary>The change each applied report made, by log seq: a replay after a crash re-sends it to areas that missed it.</summary>
    [Id(15)]
    public Dictionary<long, CaseChange> Changes { get; set; } = new();

    /// <summary>
    /// The score move each linked incident or re-score tick made, by log seq: a replay re-sends it to areas that missed it.
    /// (The name predates the ticks; it stays so existing state still reads.)
    /// </summary>
    [Id(16)]
    public Dictionary<long, CaseRiskChange> IncidentRiskChanges { get; set; } = new();

    /// <summary>The latest re-score tick applied (<see cref="ICaseGrain.Rescore"/>): scores are never taken as of an earlier moment again.</summary>
    [Id(17)]
    public DateTimeOffset? RescoredAsOf { get; set; }

    /// <summary>The latest deadline stage the case was alerted for (1 acceptance, 2 mediation, 3 completion): each stage alerts once.</summary>
    [Id(19)]
    public int OverdueStage { get; set; }

    public bool Exists => GridId is not null;
}

[GenerateSerializer, Immutable, Alias("CaseHistoryEntry")]
public sealed record CaseHistoryEntry(
    string ReportId, DateTimeOffset ReportedAt, string ReporterId, CaseStatus Status, DisputeCategory Category,
    int PartiesCount, int PeopleInvolved, double? AmountInDispute, int MediationAttempts, IReadOnlyList<CaseFlag> Flags, string? Summary);

[GenerateSerializer, Immutable, Alias("LinkedIncident")]
public sealed record LinkedIncident(string IncidentId, IncidentSource Source, IncidentType Type, DateTimeOffset OccurredAt, int Severity, string? Summary);

/// <summary>What a report changed about a case, for the roll-ups of the areas above it.</summary>
[GenerateSerializer, Immutable, Alias("CaseChange")]
public sealed record CaseChange(
    string CaseId, string GridId, DateTimeOffset At, bool Opened,
    DisputeCategory? PreviousCategory, CaseStatus? PreviousStatus, DisputeCategory Category, CaseStatus Status)
{
    /// <summary>How the case's score moved in the same turn, for the areas' risk roll-up; null if scoring never ran.</summary>
    [Id(8)]
    public CaseRiskChange? Risk { get; init; }

    /// <summary>When the case opened after this report, and before it (a late report can move the opening earlier): the areas count open cases by opening day for their deadlines.</summary>
    [Id(9)]
    public DateTimeOffset? OpenedAt { get; init; }

    [Id(10)]
    public DateTimeOffset? PreviousOpenedAt { get; init; }
}

/// <summary>
/// A case's score before and after a turn, as the areas' roll-up needs it: only open cases count, probabilities in
/// basis points (1/10,000) so the areas' sums stay exact however many changes they add and take away.
/// </summary>
[GenerateSerializer, Immutable, Alias("CaseRiskChange")]
public sealed record CaseRiskChange(string CaseId, string GridId, bool WasOpen, int? PreviousBasisPoints, bool PreviousHigh, bool IsOpen, int? BasisPoints, bool High)
{
    public static int ToBasisPoints(double probability) => (int)Math.Round(Math.Clamp(probability, 0, 1) * 10_000);

    public static CaseRiskChange? Between(string caseId, string gridId, bool wasOpen, RiskScore? previous, bool isOpen, RiskScore? current) =>
        previous is null && current is null ? null
            : new CaseRiskChange(caseId, gridId, wasOpen, previous is null ? null : ToBasisPoints(previous.Probability), previous?.Level >= RiskLevel.High,
                isOpen, current is null ? null : ToBasisPoints(current.Probability), current?.Level >= RiskLevel.High);
}
