using Warning.Analytics.Disputes;

namespace Warning.Analytics.Simulation;

/// <summary>Something the simulated city sends to Warning: a screening report, a feed incident or a screening round.</summary>
public abstract record SimulatedEvent(DateTimeOffset At);

public sealed record SimulatedReport(ScreeningReport Report) : SimulatedEvent(Report.ReportedAt);

public sealed record SimulatedIncident(Incident Incident) : SimulatedEvent(Incident.OccurredAt);

/// <summary>A grid worker's screening round; only with <see cref="SimulatorOptions.ScreeningRounds"/> on.</summary>
public sealed record SimulatedScreening(ScreeningRound Round) : SimulatedEvent(Round.ScreenedAt);

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

/// <summary>
/// The common cause behind a planted cluster: the field reports' "带有普遍性的，特别是可能引起群体性事件的矛盾纠纷" —
/// many households against one requisition, employer, property company or plant, not many unrelated quarrels at once.
/// </summary>
public enum SpikeCause { LandRequisition, WageArrears, PropertyCompany, Pollution, Other }

/// <summary>
/// A planted cluster event: a trigger in <see cref="VillageId"/> opens, on top of its normal arrivals, extra cases of
/// <see cref="Category"/> during [<see cref="From"/>, <see cref="To"/>), <see cref="ExpectedExtraCases"/> of them in
/// expectation, front-loaded: day d of the spike gets a share proportional to <see cref="Decay"/>^d.
/// </summary>
public sealed record PlantedSpike(string VillageId, DisputeCategory Category, DateTimeOffset From, DateTimeOffset To, double ExpectedExtraCases,
    SpikeCause Cause = SpikeCause.Other)
{
    /// <summary>Ratio of one day's expected extra cases to the day before's.</summary>
    public double Decay { get; init; } = SimulatorOptions.DefaultSpikeDecay;

    public int Days => Math.Max(1, (int)Math.Round((To - From).TotalDays));

    /// <summary>Expected extra cases on day <paramref name="day"/> of the spike (0 = its first day); 0 outside it.</summary>
    public double ExpectedExtraOn(int day)
    {
        if (day < 0 || day >= Days) return 0;
        var total = 0.0;
        for (var d = 0; d < Days; d++) total += Math.Pow(Decay, d);
        return ExpectedExtraCases * Math.Pow(Decay, day) / total;
    }

    /// <summary>Expected extra cases over the spike's first <paramref name="days"/> days.</summary>
    public double ExpectedExtraInFirst(int days) => Enumerable.Range(0, days).Sum(ExpectedExtraOn);
}
