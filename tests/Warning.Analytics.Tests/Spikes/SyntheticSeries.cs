using Warning.Analytics.Disputes;
using Warning.Analytics.Spikes;

namespace Warning.Analytics.Tests.Spikes;

/// <summary>Count matrices drawn from known Poisson rates, for detector tests with a truth the test controls.</summary>
internal static class SyntheticSeries
{
    /// <summary><paramref name="units"/> units whose cases arrive at <paramref name="ratePerDay"/>, spread over categories in the city mix.</summary>
    public static DailyCountMatrix Flat(int units, int days, double ratePerDay, int seed, DateOnly? first = null)
    {
        var counts = new DailyCountMatrix(Enumerable.Range(0, units).Select(i => $"u{i:D4}").ToArray(), first ?? new DateOnly(2025, 3, 1), days);
        var rng = new Random(seed);
        for (var u = 0; u < units; u++)
        for (var d = 0; d < days; d++)
            AddCases(counts, rng, u, d, ratePerDay, category: null);
        return counts;
    }

    /// <summary>Adds Poisson(rate) cases on a day, of one category or drawn from the mix.</summary>
    public static void AddCases(DailyCountMatrix counts, Random rng, int unit, int day, double rate, DisputeCategory? category)
    {
        var n = Poisson(rng, rate);
        for (var k = 0; k < n; k++) counts.Add(unit, category ?? Mix(rng), day);
    }

    // Shares roughly as in a village: neighbour, family and land dominate.
    private static readonly double[] Shares = [0.17, 0.03, 0.20, 0.22, 0.08, 0.10, 0.01, 0.02, 0.05, 0.02, 0.03, 0.07];

    private static DisputeCategory Mix(Random rng)
    {
        var x = rng.NextDouble() * Shares.Sum();
        for (var c = 0; c < Shares.Length; c++)
            if ((x -= Shares[c]) <= 0) return (DisputeCategory)c;
        return DisputeCategory.Other;
    }

    public static int Poisson(Random rng, double mean)
    {
        // Knuth's method: fine for the small means used here.
        var limit = Math.Exp(-mean);
        var k = 0;
        var p = rng.NextDouble();
        while (p > limit) { k++; p *= rng.NextDouble(); }
        return k;
    }
}
