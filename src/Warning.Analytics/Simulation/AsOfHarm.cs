namespace Warning.Analytics.Simulation;

/// <summary>An as-of probability and how many redrawn courses it rests on.</summary>
public readonly record struct AsOfEstimate(double Probability, int Accepted, int Draws)
{
    public bool Found => Accepted > 0;
}

/// <summary>
/// The simulator's truth as of a moment: the probability that a case not harmed so far is harmed within the horizon,
/// given everything the case is (<see cref="CaseSetup"/>) and what its course has shown by then (<see cref="CourseSeen"/>).
/// <para>
/// <see cref="CaseTruth.HarmProbability30Days"/> is computed from the case's whole first 30 days, including mediations
/// that will fail and threat calls still to come, so no scorer at the moment of scoring can reach it. This is the best
/// any scorer can do then: the rest of the course is redrawn by the simulator's own law (<see cref="CaseCourse.Draw"/>),
/// draws whose course up to the moment disagrees with what was seen are rejected, and each kept draw contributes its
/// hazard times the chance its harm time falls in the horizon, weighted by the chance it had not struck yet:
/// </para>
/// <code>
/// P = Σ p_c · (F_c(at + horizon) − F_c(at)) / Σ (1 − p_c · F_c(at))   over kept draws c
/// </code>
/// <para>
/// where p_c is <see cref="HarmModel.Probability30Days"/> of the draw and F_c the distribution of its harm time
/// (uniform over <see cref="CaseCourse.HarmSpan"/>). Draws are matched on counts, not on exact times, so the estimate
/// conditions on a little less than a scorer could see; it is an evaluation reference, never a live scorer.
/// </para>
/// </summary>
public static class AsOfHarm
{
    public static AsOfEstimate Probability(CaseSetup setup, DateTimeOffset openedAt, DateTimeOffset at, CourseSeen seen, TimeSpan horizon,
        int seed, int accept = 400, int maxDraws = 40_000)
    {
        var rng = new Random(seed);
        var course = new CaseCourse();
        double numerator = 0, denominator = 0;
        int kept = 0, draws = 0;
        var until = at + horizon;
        while (kept < accept && draws < maxDraws)
        {
            draws++;
            course.Draw(rng, setup, openedAt);
            if (course.SeenAt(at) != seen) continue;
            kept++;
            var p = HarmModel.Probability30Days(course.Features(setup));
            var (from, to) = course.HarmSpan();
            var struckBy = Cdf(from, to, at);
            numerator += p * (Cdf(from, to, until) - struckBy);
            denominator += 1 - p * struckBy;
        }
        return new AsOfEstimate(kept == 0 ? double.NaN : numerator / denominator, kept, draws);
    }

    private static double Cdf(DateTimeOffset from, DateTimeOffset to, DateTimeOffset x) =>
        Math.Clamp((x - from).TotalHours / Math.Max(1e-9, (to - from).TotalHours), 0, 1);
}
