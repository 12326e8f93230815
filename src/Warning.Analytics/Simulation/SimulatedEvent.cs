using Warning.Analytics.Disputes;

namespace Warning.Analytics.Simulation;

/// <summary>Something the simulated city sends to Warning: a screening report or a feed incident.</summary>
public abstract record SimulatedEvent(DateTimeOffset At);

public sealed record SimulatedReport(ScreeningReport Report) : SimulatedEvent(Report.ReportedAt);

public sealed record SimulatedIncident(Incident Incident) : SimulatedEvent(Incident.OccurredAt);

/// <summary>
/// What really happened to a case, for evaluating the risk model. <see cref="HarmProbability30Days"/> comes from
/// <see cref="HarmModel"/> applied to <see cref="Features"/>; <see cref="HarmOccurred"/> is one draw from it.
/// </summary>
public sealed record CaseTruth(
    string CaseId,
    string GridId,
    DisputeCategory Category,
    DateTimeOffset OpenedAt,
    double HarmProbability30Days,
    bool HarmOccurred,
    DateTimeOffset? HarmAt,
    IncidentType? HarmKind)
{
    /// <summary>The features the hazard was computed from (documented in Simulation/README.md).</summary>
    public CaseFeatures? Features { get; init; }

    /// <summary>What the case was at opening, from which <see cref="AsOfHarm"/> redraws the unseen rest of its course.</summary>
    public CaseSetup? Setup { get; init; }

    /// <summary>Whether the case's last report (possibly after the run ends) is resolved.</summary>
    public bool ResolvesEventually { get; init; }
}

/// <summary>A planted surge: new cases in <see cref="VillageId"/> (only <see cref="Category"/> if set) run at <see cref="Multiplier"/> times their rate during [From, To).</summary>
public sealed record PlantedSpike(string VillageId, DisputeCategory? Category, DateTimeOffset From, DateTimeOffset To, double Multiplier);
