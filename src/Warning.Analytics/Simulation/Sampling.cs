namespace Warning.Analytics.Simulation;

/// <summary>The few distributions the simulator needs, over a seeded <see cref="Random"/> so runs replay exactly.</summary>
internal static class Sampling
{
    public static int Poisson(this Random rng, double lambda)
    {
        if (lambda <= 0) return 0;
        if (lambda < 30)
        {
            // Knuth: fine for the small per-village rates that make up almost every draw.
            var limit = Math.Exp(-lambda);
            var product = rng.NextDouble();
            var n = 0;
            while (product > limit) { product *= rng.NextDouble(); n++; }
            return n;
        }
        return Math.Max(0, (int)Math.Round(lambda + Math.Sqrt(lambda) * rng.Normal()));
    }

    public static double Normal(this Random rng)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    public static double LogNormal(this Random rng, double median, double sigma) => median * Math.Exp(sigma * rng.Normal());

    public static double Exponential(this Random rng, double mean) => -mean * Math.Log(1.0 - rng.NextDouble());

    /// <summary>Marsaglia–Tsang; mean shape·scale.</summary>
    public static double Gamma(this Random rng, double shape, double scale)
    {
        if (shape < 1) return rng.Gamma(shape + 1, scale) * Math.Pow(rng.NextDouble(), 1 / shape);
        var d = shape - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do { x = rng.Normal(); v = 1 + c * x; } while (v <= 0);
            v = v * v * v;
            var u = rng.NextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v))) return d * v * scale;
        }
    }

    public static double Uniform(this Random rng, double min, double max) => min + (max - min) * rng.NextDouble();

    public static bool Chance(this Random rng, double p) => rng.NextDouble() < p;

    /// <summary>Index into a cumulative weight table (last entry is the total).</summary>
    public static int PickCumulative(this Random rng, double[] cumulative)
    {
        var x = rng.NextDouble() * cumulative[^1];
        var i = Array.BinarySearch(cumulative, x);
        i = i < 0 ? ~i : i + 1;
        return Math.Min(i, cumulative.Length - 1);
    }

    public static T Pick<T>(this Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];
}
