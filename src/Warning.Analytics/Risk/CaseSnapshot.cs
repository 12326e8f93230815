using Warning.Analytics.Disputes;

namespace Warning.Analytics.Risk;

/// <summary>
/// What scoring may know of a case: its reports and linked incidents in time order, the legal bases of the key
/// individuals taking part, and whether its village is in a spike. Built by the case grain from its state (live) and by
/// <see cref="HistoryReplay"/> from the simulator's events (training); <see cref="CaseFeatureExtractor"/> reads only
/// what happened at or before the scoring time, so one code path serves both.
/// </summary>
public sealed record CaseSnapshot(
    DisputeCategory Category,
    DateTimeOffset OpenedAt,
    IReadOnlyList<SnapshotReport> Reports,
    IReadOnlyList<SnapshotIncident> Incidents,
    IReadOnlyList<SupervisionBasis> KeyIndividualBases,
    bool VillageSpiking);

public sealed record SnapshotReport(
    DateTimeOffset At, CaseStatus Status, DisputeCategory Category, int PartiesCount, int PeopleInvolved, double? AmountInDispute,
    int MediationAttempts, IReadOnlyList<CaseFlag> Flags);

/// <summary>A linked incident as scoring sees it: only its type and time.</summary>
public sealed record SnapshotIncident(DateTimeOffset At, IncidentType Type);
