namespace Warning.Analytics.Spikes;

/// <summary>
/// False-discovery control across the many units × series tested on one day (≈ 25,000 for Dingxi): on a quiet day BH
/// at level q raises any alarm with probability ≤ q, on a busy day it lets more of the real ones through.
/// </summary>
public static class BenjaminiHochberg
{
    /// <summary>Indices of <paramref name="pValues"/> rejected at level <paramref name="q"/>.</summary>
    /// <param name="tests">Number of hypotheses tested (≥ pValues.Count): tests skipped as hopeless (p = 1) still count.</param>
    public static IReadOnlyList<int> Reject(IReadOnlyList<double> pValues, int tests, double q)
    {
        if (tests < pValues.Count) throw new ArgumentOutOfRangeException(nameof(tests), "fewer tests than p-values");
        if (pValues.Count == 0) return [];
        var order = Enumerable.Range(0, pValues.Count).OrderBy(i => pValues[i]).ToArray();
        var cut = -1;
        for (var rank = 0; rank < order.Length; rank++)
            if (pValues[order[rank]] <= (rank + 1) * q / tests) cut = rank;
        return cut < 0 ? [] : order[..(cut + 1)];
    }
}
