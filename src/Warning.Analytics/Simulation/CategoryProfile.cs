using Warning.Analytics.Disputes;

namespace Warning.Analytics.Simulation;

/// <summary>How disputes of one category look: how common, how big, how hard to settle, which flags they carry.</summary>
/// <param name="RuralShare">Share of new cases in a village (村).</param>
/// <param name="CommunityShare">Share in an urban community (社区): less land, more property management.</param>
/// <param name="AmountPresent">Probability the report carries an amount in dispute.</param>
/// <param name="AmountMedian">Median amount (CNY) of a lognormal with spread <paramref name="AmountSigma"/>.</param>
/// <param name="MediationSuccess">Probability one mediation attempt settles the case.</param>
/// <param name="DaysBetweenAttempts">Mean days before the next mediation attempt.</param>
/// <param name="GroupChance">Probability of a group dispute (群体性纠纷), with <paramref name="GroupSize"/> people.</param>
/// <param name="FlagPrevalence">Probability of each <see cref="CaseFlag"/>, in enum order.</param>
public sealed record CategoryProfile(
    DisputeCategory Category,
    double RuralShare,
    double CommunityShare,
    double AmountPresent,
    double AmountMedian,
    double AmountSigma,
    double MediationSuccess,
    double DaysBetweenAttempts,
    double GroupChance,
    (int Min, int Max) GroupSize,
    double[] FlagPrevalence)
{
    // Flag columns: threat, weapon, prior_violence, injury, self_harm_risk, vulnerable_party, cross_region, repeat_dispute (percent).
    private static readonly CategoryProfile[] Table =
    [
        new(DisputeCategory.Land,           0.17, 0.03, 0.60,  20_000, 1.0, 0.60, 3.0, 0.03, (10, 80),  P(6, 2, 4, 3, 1, 6, 1, 12)),
        new(DisputeCategory.Demolition,     0.03, 0.05, 0.80, 150_000, 1.0, 0.45, 5.0, 0.04, (10, 60),  P(5, 1, 2, 1, 2, 8, 1, 10)),
        new(DisputeCategory.MarriageFamily, 0.20, 0.18, 0.40,  50_000, 1.2, 0.65, 2.0, 0.00, (0, 0),    P(7, 1.5, 8, 3, 3, 20, 3, 10)),
        new(DisputeCategory.Neighbor,       0.22, 0.18, 0.30,   3_000, 1.0, 0.75, 1.5, 0.00, (0, 0),    P(6, 1.5, 4, 4, 0.8, 6, 0.5, 14)),
        new(DisputeCategory.LaborWage,      0.08, 0.08, 0.95,  30_000, 1.1, 0.55, 3.0, 0.10, (30, 200), P(4, 0.5, 1, 1, 2, 10, 15, 8)),
        new(DisputeCategory.Debt,           0.10, 0.09, 0.95,  40_000, 1.2, 0.60, 3.0, 0.00, (0, 0),    P(4, 1, 2, 1, 2.5, 6, 6, 8)),
        new(DisputeCategory.PropertyMgmt,   0.01, 0.14, 0.60,   3_000, 0.9, 0.70, 2.0, 0.05, (10, 120), P(2, 0.3, 1, 1, 0.5, 5, 0.5, 10)),
        new(DisputeCategory.Medical,        0.02, 0.03, 0.80,  60_000, 1.2, 0.50, 5.0, 0.00, (0, 0),    P(4, 0.5, 1, 2, 1.5, 15, 4, 5)),
        new(DisputeCategory.Traffic,        0.05, 0.06, 0.85,  20_000, 1.0, 0.70, 2.0, 0.00, (0, 0),    P(2, 0.5, 1, 20, 0.5, 6, 10, 2)),
        new(DisputeCategory.Consumer,       0.02, 0.06, 0.90,   2_000, 1.0, 0.80, 2.0, 0.00, (0, 0),    P(1, 0.2, 0.5, 0.5, 0.3, 5, 5, 3)),
        new(DisputeCategory.Environment,    0.03, 0.04, 0.40,  10_000, 1.2, 0.55, 4.0, 0.06, (10, 100), P(3, 0.5, 1, 0.5, 0.3, 8, 4, 10)),
        new(DisputeCategory.Other,          0.07, 0.06, 0.30,   5_000, 1.2, 0.70, 2.0, 0.00, (0, 0),    P(3, 1, 2, 2, 1, 6, 3, 5)),
    ];

    public static IReadOnlyList<CategoryProfile> All => Table;

    public static CategoryProfile Of(DisputeCategory category) => Table[(int)category];

    private static double[] P(params double[] percent) => percent.Select(p => p / 100).ToArray();
}
