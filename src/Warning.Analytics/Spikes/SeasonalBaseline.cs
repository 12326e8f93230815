namespace Warning.Analytics.Spikes;

/// <summary>What a unit's series is expected to count over a window, and how sure that expectation is.</summary>
/// <param name="Mean">Expected cases in the window.</param>
/// <param name="Shape">Gamma shape of the rate's uncertainty (≈ baseline cases + prior); the predictive count is negative binomial.</param>
public readonly record struct Expectation(double Mean, double Shape);

/// <summary>
/// The unit's own baseline, EARS C2-style (a lag gap between baseline and the days tested) but long, scaled to the
/// window by the reference population (all other units): expected = the unit's share of the reference over the baseline ×
/// the reference's count in the window. That carries Spring Festival, planting season and weekends for free, per
/// category, without a calendar model. The share is a Gamma posterior: per category it is shrunk toward the unit's
/// overall share (a village sees most categories only a few times a quarter).
/// </summary>
public sealed class SeasonalBaseline(DailyCountMatrix counts, SpikeOptions options)
{
    /// <summary>Expectation for days [from, to] of one series, from the baseline ending <see cref="SpikeOptions.LagDays"/> before <paramref name="testDay"/>.</summary>
    /// <returns>Null when fewer than <see cref="SpikeOptions.MinBaselineDays"/> of baseline exist (or the reference is empty).</returns>
    public Expectation? For(int unit, int series, int testDay, int from, int to)
    {
        var baseEnd = testDay - options.LagDays - 1;
        var baseStart = Math.Max(0, baseEnd - options.BaselineDays + 1);
        if (baseEnd - baseStart + 1 < options.MinBaselineDays) return null;

        // The reference is every other unit: a unit's own surge must not raise the yardstick it is measured by (it
        // would, for a rare category in a small city).
        var own = counts.Sum(unit, series, baseStart, baseEnd);
        var referenceBase = counts.ReferenceSum(series, baseStart, baseEnd) - own;
        var referenceWindow = counts.ReferenceSum(series, from, to) - counts.Sum(unit, series, from, to);
        var others = Math.Max(1, counts.Units.Count - 1);

        double priorShare, priorCases;
        if (series == DailyCountMatrix.Overall)
        {
            // Overall: the unit's own history dominates; the prior (an average unit) only matters for a unit with no past.
            priorShare = 1.0 / others;
            priorCases = 0.5;
        }
        else
        {
            var ownAll = counts.Sum(unit, DailyCountMatrix.Overall, baseStart, baseEnd);
            var referenceAll = counts.ReferenceSum(DailyCountMatrix.Overall, baseStart, baseEnd) - ownAll;
            priorShare = (ownAll + 0.5) / (referenceAll + 0.5 * others);
            priorCases = options.CategoryPriorCases;
        }
        if (referenceBase + priorCases / priorShare <= 0) return null;

        // Posterior of the unit's share θ: Gamma(priorCases + own, priorCases/θ0 + referenceBase).
        var shape = priorCases + own;
        var share = shape / (priorCases / priorShare + referenceBase);
        // A reference with no cases in the window (a category out of season) still allows a small expectation.
        var mean = share * Math.Max(referenceWindow, 0.5);
        return new Expectation(mean, shape);
    }
}
