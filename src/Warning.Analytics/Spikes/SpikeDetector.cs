using Warning.Analytics.Disputes;

namespace Warning.Analytics.Spikes;

/// <summary>Names of the detectors, as they appear in <c>SpikeSignal.Method</c> and the evaluation.</summary>
public static class SpikeMethods
{
    public const string EarsC1 = "ears_c1";
    public const string EarsC2 = "ears_c2";
    public const string EarsC3 = "ears_c3";

    /// <summary>Today's count against the lagged seasonal baseline, negative-binomial tail, FDR-controlled.</summary>
    public const string PoissonC2 = "poisson_c2";

    /// <summary>The last 2–3 days summed (C3's idea of accumulating recent excess), same test and FDR pool as C2.</summary>
    public const string PoissonC3 = "poisson_c3";

    public const string PoissonCusum = "poisson_cusum";
}

[Flags]
public enum DetectorSet
{
    /// <summary>The published Gaussian EARS C1, C2, C3 (comparison only: they flood on sparse counts).</summary>
    EarsClassic = 1,

    /// <summary>poisson_c2 and poisson_c3 under Benjamini–Hochberg.</summary>
    PoissonWindows = 2,

    PoissonCusum = 4,

    /// <summary>What the live scan runs.</summary>
    Production = PoissonWindows | PoissonCusum,
}

/// <param name="Unit">Index into <see cref="DailyCountMatrix.Units"/>.</param>
/// <param name="Category">Null for the unit's overall count.</param>
/// <param name="Since">First day of the window (or CUSUM run) the excess was counted over.</param>
/// <param name="PValue">Upper-tail probability under the baseline (null for CUSUM and classic EARS, which give none).</param>
public sealed record SpikeFinding(int Unit, string UnitId, DisputeCategory? Category, DateOnly Since, int Observed, double Expected, double? PValue, string Method);

/// <param name="Tests">Unit × series hypotheses in the FDR pool that day.</param>
public sealed record SpikeScan(DateOnly Day, int Units, int Tests, IReadOnlyList<SpikeFinding> Findings);

/// <summary>
/// Scans every unit's daily series (each category and overall) for one day. Stateless: the same counts give the same
/// findings, so the live job can rerun a day and the evaluation can replay a year.
/// </summary>
public sealed class SpikeDetector
{
    private readonly SpikeOptions _options;

    public SpikeDetector(SpikeOptions options)
    {
        options.Validate();
        _options = options;
    }

    public SpikeOptions Options => _options;

    public SpikeScan Scan(DailyCountMatrix counts, DateOnly day, DetectorSet detectors = DetectorSet.Production) =>
        Scan(counts, counts.IndexOf(day), detectors);

    public SpikeScan Scan(DailyCountMatrix counts, int day, DetectorSet detectors = DetectorSet.Production)
    {
        if ((uint)day >= (uint)counts.Days) throw new ArgumentOutOfRangeException(nameof(day), day, "outside the count matrix");
        counts.Seal();
        var baseline = new SeasonalBaseline(counts, _options);
        var findings = new List<SpikeFinding>();
        var units = counts.Units.Count;
        var tests = units * DailyCountMatrix.SeriesCount;

        if ((detectors & DetectorSet.PoissonWindows) != 0) Windows(counts, day, baseline, findings, tests);
        if ((detectors & DetectorSet.PoissonCusum) != 0) Cusum(counts, day, baseline, findings);
        if ((detectors & DetectorSet.EarsClassic) != 0) Classic(counts, day, findings);
        return new SpikeScan(counts.DayAt(day), units, tests, findings);
    }

    private void Windows(DailyCountMatrix counts, int day, SeasonalBaseline baseline, List<SpikeFinding> findings, int tests)
    {
        var maxWindow = Math.Min(_options.MaxWindowDays, day + 1);
        var candidates = new List<(int Unit, int Series, int From, int Observed, double Expected, double P)>();
        for (var u = 0; u < counts.Units.Count; u++)
        for (var s = 0; s < DailyCountMatrix.SeriesCount; s++)
        {
            // Minimum-count rule, and the cheap prune: the widest window holds the most cases.
            if (counts.Sum(u, s, day - maxWindow + 1, day) < _options.MinObserved) continue;
            var best = (From: -1, Observed: 0, Expected: 0.0, P: 1.0);
            for (var w = 1; w <= maxWindow; w++)
            {
                var from = day - w + 1;
                var observed = counts.Sum(u, s, from, day);
                if (observed < _options.MinObserved) continue;
                if (baseline.For(u, s, day, from, day) is not { } e) break;
                var p = CountTail.NegativeBinomial(observed, e.Mean, e.Shape);
                if (p < best.P) best = (from, observed, e.Mean, p);
            }
            if (best.From < 0) continue;
            // Bonferroni over the window lengths tried, so scanning three windows does not triple the false alarms.
            candidates.Add((u, s, best.From, best.Observed, best.Expected, Math.Min(1, best.P * maxWindow / Weight(s))));
        }

        var rejected = _options.AlarmPValue > 0
            ? Enumerable.Range(0, candidates.Count).Where(i => candidates[i].P <= _options.AlarmPValue).ToArray()
            : BenjaminiHochberg.Reject(candidates.Select(c => c.P).ToArray(), tests, _options.FalseDiscoveryRate);
        foreach (var i in rejected)
        {
            var c = candidates[i];
            findings.Add(new SpikeFinding(c.Unit, counts.Units[c.Unit], DailyCountMatrix.CategoryOf(c.Series), counts.DayAt(c.From),
                c.Observed, c.Expected, c.P, c.From == day ? SpikeMethods.PoissonC2 : SpikeMethods.PoissonC3));
        }
    }

    /// <summary>Weighted-BH weight of a series (see <see cref="SpikeOptions.OverallSeriesWeight"/>).</summary>
    private double Weight(int series) => series == DailyCountMatrix.Overall
        ? _options.OverallSeriesWeight
        : (DailyCountMatrix.SeriesCount - _options.OverallSeriesWeight) / DailyCountMatrix.Categories;

    private void Cusum(DailyCountMatrix counts, int day, SeasonalBaseline baseline, List<SpikeFinding> findings)
    {
        var span = Math.Min(_options.CusumDays, day + 1);
        var observed = new int[span];
        var expected = new double[span];
        for (var u = 0; u < counts.Units.Count; u++)
        for (var s = _options.CusumPerCategory ? 0 : DailyCountMatrix.Overall; s < DailyCountMatrix.SeriesCount; s++)
        {
            // A CUSUM alarm needs cases today (the statistic only rises on a case) and the minimum count over its run.
            if (counts[u, s, day] == 0 || counts.Sum(u, s, day - span + 1, day) < _options.MinObserved) continue;
            var usable = 0;
            for (var i = 0; i < span; i++)
            {
                var d = day - span + 1 + i;
                if (baseline.For(u, s, d, d, d) is not { } e) { usable = 0; continue; }
                observed[usable] = counts[u, s, d];
                expected[usable] = e.Mean;
                usable++;
            }
            if (usable == 0) continue;
            var run = PoissonCusum.Compute(observed.AsSpan(0, usable), expected.AsSpan(0, usable), _options.CusumShift, _options.CusumThreshold);
            if (!run.Alarm || run.Observed < _options.MinObserved) continue;
            findings.Add(new SpikeFinding(u, counts.Units[u], DailyCountMatrix.CategoryOf(s), counts.DayAt(day - usable + 1 + run.Since),
                run.Observed, run.Expected, null, SpikeMethods.PoissonCusum));
        }
    }

    private static void Classic(DailyCountMatrix counts, int day, List<SpikeFinding> findings)
    {
        for (var u = 0; u < counts.Units.Count; u++)
        for (var s = 0; s < DailyCountMatrix.SeriesCount; s++)
        {
            if (counts[u, s, day] == 0 && counts.Sum(u, s, day - 2, day) == 0) continue; // no statistic can exceed on zeros
            var category = DailyCountMatrix.CategoryOf(s);
            var observed = counts[u, s, day];
            var c1 = Ears.C1(counts, u, s, day);
            if (c1 > Ears.Threshold) findings.Add(new SpikeFinding(u, counts.Units[u], category, counts.DayAt(day), observed, counts.Sum(u, s, day - 7, day - 1) / 7.0, null, SpikeMethods.EarsC1));
            var c2 = Ears.C2(counts, u, s, day);
            if (c2 > Ears.Threshold) findings.Add(new SpikeFinding(u, counts.Units[u], category, counts.DayAt(day), observed, counts.Sum(u, s, day - 9, day - 3) / 7.0, null, SpikeMethods.EarsC2));
            if (Ears.C3(counts, u, s, day) > Ears.C3Threshold)
                findings.Add(new SpikeFinding(u, counts.Units[u], category, counts.DayAt(day - 2), counts.Sum(u, s, day - 2, day), counts.Sum(u, s, day - 9, day - 3) * 3 / 7.0, null, SpikeMethods.EarsC3));
        }
    }
}
