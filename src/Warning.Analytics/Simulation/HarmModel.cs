using Warning.Analytics.Disputes;

namespace Warning.Analytics.Simulation;

/// <summary>
/// What the hazard sees of a case, taken over its first 30 days. <see cref="PetitionsFiled"/> and
/// <see cref="ComplaintsFiled"/> are carried so that tests and evaluations can see them, and the model ignores them
/// on purpose: petitioning and complaining are lawful service requests, never a risk flag (DESIGN.md).
/// </summary>
public sealed record CaseFeatures(
    DisputeCategory Category,
    IReadOnlyList<CaseFlag> Flags,
    int PeopleInvolved,
    double? AmountInDispute,
    int FailedMediations,
    int ThreatIncidents,
    double DaysOpen,
    bool DocumentedThreatKeyIndividual,
    int PetitionsFiled = 0,
    int ComplaintsFiled = 0);

/// <summary>
/// The simulator's ground truth for escalation: the probability that a dispute turns into harm (violence, injury, a
/// criminal case, self-harm) within 30 days of opening.
/// <code>
/// z = β0 + Σ flag coefficients + category offset
///       + 0.40·min(failed mediations, 4) + 0.70·min(linked threat incidents, 3)
///       + 0.25·clamp(log10(amount / 10,000), 0, 4) + 0.025·min(days open, 30)
///       + 0.90·[key individual with documented-threat basis] + 0.30·[30 or more people involved]
/// p = 0.6 · logistic(z)
/// </code>
/// The 0.6 ceiling keeps even the worst case short of certain (people step in); β0 puts an ordinary dispute near 2% and the city-wide mean near 4%.
/// </summary>
public static class HarmModel
{
    public const double Intercept = -3.8;
    public const double Ceiling = 0.6;
    public const double PerFailedMediation = 0.40;
    public const int FailedMediationCap = 4;
    public const double PerThreatIncident = 0.70;
    public const int ThreatIncidentCap = 3;
    public const double PerAmountDecade = 0.25;
    public const double PerDayOpen = 0.025;
    public const double DaysOpenCap = 30;
    public const double DocumentedThreatKeyIndividual = 0.90;
    public const double GroupDispute = 0.30;

    /// <summary>Coefficient of each <see cref="CaseFlag"/>, in enum order.</summary>
    public static IReadOnlyList<double> FlagCoefficients { get; } =
    [
        1.30, // threat_of_violence
        0.90, // weapon_mentioned
        0.80, // prior_violence
        0.40, // injury
        1.20, // self_harm_risk
        0.15, // vulnerable_party
        0.00, // cross_region
        0.30, // repeat_dispute
    ];

    /// <summary>Offset of each <see cref="DisputeCategory"/>, in enum order: family and neighbour quarrels are closest to blows.</summary>
    public static IReadOnlyList<double> CategoryOffsets { get; } =
    [
        0.25,  // land
        0.20,  // demolition
        0.40,  // marriage_family
        0.25,  // neighbor
        0.10,  // labor_wage
        0.15,  // debt
        -0.50, // property_mgmt
        0.00,  // medical
        -0.20, // traffic
        -0.90, // consumer
        -0.40, // environment
        0.00,  // other
    ];

    public static double LogOdds(CaseFeatures f)
    {
        var z = Intercept + CategoryOffsets[(int)f.Category];
        foreach (var flag in f.Flags) z += FlagCoefficients[(int)flag];
        z += PerFailedMediation * Math.Min(f.FailedMediations, FailedMediationCap);
        z += PerThreatIncident * Math.Min(f.ThreatIncidents, ThreatIncidentCap);
        if (f.AmountInDispute is > 10_000 and var amount) z += PerAmountDecade * Math.Min(Math.Log10(amount / 10_000), 4);
        z += PerDayOpen * Math.Clamp(f.DaysOpen, 0, DaysOpenCap);
        if (f.DocumentedThreatKeyIndividual) z += DocumentedThreatKeyIndividual;
        if (f.PeopleInvolved >= 30) z += GroupDispute;
        // PetitionsFiled and ComplaintsFiled deliberately do not appear here.
        return z;
    }

    public static double Probability30Days(CaseFeatures features) => Ceiling / (1 + Math.Exp(-LogOdds(features)));
}
