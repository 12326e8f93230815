using MathNet.Numerics;

namespace Warning.Analytics.Spikes;

/// <summary>Upper-tail probabilities of counts: how surprising is observing at least k.</summary>
public static class CountTail
{
    /// <summary>P(X ≥ k) for X ~ Poisson(mean).</summary>
    public static double Poisson(int k, double mean)
    {
        if (k <= 0) return 1;
        if (mean <= 0) return 0;
        // P(X ≥ k) = regularized lower incomplete gamma P(k, mean): no 1 − CDF cancellation in the far tail.
        return SpecialFunctions.GammaLowerRegularized(k, mean);
    }

    /// <summary>
    /// P(X ≥ k) for the negative binomial with the given mean and Gamma shape r: a Poisson count whose rate is itself
    /// uncertain (estimated from r baseline cases). Tends to <see cref="Poisson"/> as r grows.
    /// </summary>
    public static double NegativeBinomial(int k, double mean, double shape)
    {
        if (k <= 0) return 1;
        if (mean <= 0) return 0;
        if (shape > 1e6) return Poisson(k, mean);
        // X ≥ k ⇔ the k-th "failure" comes before the r-th "success": P = I_{1-p}(k, r) with p = r/(r+mean).
        var q = mean / (shape + mean);
        return SpecialFunctions.BetaRegularized(k, shape, q);
    }
}
