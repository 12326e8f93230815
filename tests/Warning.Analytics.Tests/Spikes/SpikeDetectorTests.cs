using MathNet.Numerics.Distributions;
using Warning.Analytics.Disputes;
using Warning.Analytics.Spikes;

namespace Warning.Analytics.Tests.Spikes;

public sealed class SpikeDetectorTests
{
    private static readonly SpikeOptions Defaults = new();

    [Fact]
    public void Flat_Poisson_series_give_almost_no_alarms_while_classic_EARS_floods()
    {
        // 1,000 villages at 0.35 cases a day, no spike anywhere: every signal is a false alarm.
        var counts = SyntheticSeries.Flat(units: 1000, days: 150, ratePerDay: 0.35, seed: 11);
        var detector = new SpikeDetector(Defaults);
        int production = 0, classic = 0;
        const int scanned = 60;
        for (var d = counts.Days - scanned; d < counts.Days; d++)
        {
            var findings = detector.Scan(counts, d, DetectorSet.Production | DetectorSet.EarsClassic).Findings;
            production += findings.Where(f => f.Method.StartsWith("poisson")).Select(f => f.Unit).Distinct().Count();
            classic += findings.Where(f => f.Method == SpikeMethods.EarsC2).Select(f => f.Unit).Distinct().Count();
        }
        var perThousand = production * 1000.0 / (1000 * scanned);
        Assert.True(perThousand < 1.0, $"{perThousand:F3} false alarms per 1,000 unit-days");
        // The Gaussian C2 on a sparse series: a zero baseline makes one case "5 sigma".
        Assert.True(classic > 100 * Math.Max(production, 1), $"classic C2 {classic}, production {production}");
    }

    [Fact]
    public void An_injected_jump_is_found_within_two_days()
    {
        var counts = SyntheticSeries.Flat(units: 500, days: 120, ratePerDay: 0.35, seed: 5);
        var rng = new Random(99);
        const int unit = 137, start = 100;
        // A unit at 1 case a day jumps to 6 a day (all categories) for five days.
        for (var d = 0; d < counts.Days; d++) SyntheticSeries.AddCases(counts, rng, unit, d, d is >= start and < start + 5 ? 6.0 : 0.65, null);

        var detector = new SpikeDetector(Defaults);
        var firstDay = Enumerable.Range(start, SpikeEvaluation.DetectWithinDays + 1)
            .FirstOrDefault(d => detector.Scan(counts, d).Findings.Any(f => f.Unit == unit && f.Category is null), -1);
        Assert.InRange(firstDay, start, start + SpikeEvaluation.DetectWithinDays);
        var finding = detector.Scan(counts, firstDay).Findings.First(f => f.Unit == unit);
        Assert.True(finding.Observed > finding.Expected * 3, $"observed {finding.Observed}, expected {finding.Expected:F2}");
        Assert.True(finding.Since >= counts.DayAt(start - 1));
    }

    [Fact]
    public void A_one_category_surge_is_found_on_its_category_series()
    {
        var counts = SyntheticSeries.Flat(units: 400, days: 100, ratePerDay: 0.35, seed: 8);
        const int unit = 42, day = 90;
        counts.Add(unit, DisputeCategory.LaborWage, day, 5); // five wage claims in one day, in a village that sees one a month

        var findings = new SpikeDetector(Defaults).Scan(counts, day).Findings.Where(f => f.Unit == unit).ToArray();
        Assert.Contains(findings, f => f.Category == DisputeCategory.LaborWage && f.Method == SpikeMethods.PoissonC2);
    }

    [Fact]
    public void Minimum_count_rule_silences_two_cases_in_an_empty_category()
    {
        var counts = SyntheticSeries.Flat(units: 300, days: 100, ratePerDay: 0.2, seed: 21);
        const int unit = 7, day = 95;
        // Property-management disputes: ~0.002 a day in a village; two in one day is wildly improbable but still only two.
        counts.Add(unit, DisputeCategory.PropertyMgmt, day, 2);
        bool Fires(SpikeOptions o) => new SpikeDetector(o).Scan(counts, day).Findings
            .Any(f => f.Unit == unit && f.Category == DisputeCategory.PropertyMgmt);

        // Equal BH weights for every series, so only the minimum count decides.
        Assert.False(Fires(new SpikeOptions { MinObserved = 3, OverallSeriesWeight = 1 }));
        Assert.True(Fires(new SpikeOptions { MinObserved = 2, OverallSeriesWeight = 1 }));
    }

    [Fact]
    public void Benjamini_Hochberg_rejects_the_step_up_set_and_grows_stricter_with_more_tests()
    {
        // Textbook: sorted p = .001 .008 .039 .041 .042 .06 .074 .205, q = .05, m = 8 → thresholds .00625 .0125 .01875 …
        double[] p = [0.041, 0.001, 0.205, 0.008, 0.039, 0.074, 0.042, 0.06];
        Assert.Equal(new[] { 1, 3 }, BenjaminiHochberg.Reject(p, 8, 0.05).Order().ToArray());
        // Step-up: with q = .1, .039 > 3·.0125 on its own, but .074 ≤ 7·.0125 lets all seven below it in.
        Assert.Equal(7, BenjaminiHochberg.Reject(p, 8, 0.1).Count);
        // The same p-values among 25,000 hypotheses (a day of Dingxi): nothing survives.
        Assert.Empty(BenjaminiHochberg.Reject(p, 25_000, 0.05));
    }

    [Fact]
    public void FDR_keeps_a_quiet_day_quiet_across_thousands_of_units_and_lets_a_busy_day_through()
    {
        var counts = SyntheticSeries.Flat(units: 2000, days: 90, ratePerDay: 0.35, seed: 31);
        var detector = new SpikeDetector(Defaults);
        const int day = 85;
        var quiet = detector.Scan(counts, day, DetectorSet.PoissonWindows);
        Assert.Equal(2000 * DailyCountMatrix.SeriesCount, quiet.Tests);
        Assert.True(quiet.Findings.Count <= 2, $"{quiet.Findings.Count} findings on a day with no spike");

        // Ten real outbreaks the same day: each is found although thousands of units were tested.
        for (var u = 0; u < 10; u++)
        for (var d = day - 2; d <= day; d++) counts.Add(u * 100 + 1, DisputeCategory.Neighbor, d, 4);
        var busy = detector.Scan(counts, day, DetectorSet.PoissonWindows);
        Assert.Equal(10, busy.Findings.Select(f => f.Unit).Where(u => u % 100 == 1).Distinct().Count());
    }

    [Fact]
    public void Count_tails_match_the_distributions()
    {
        for (var k = 1; k < 12; k++)
        {
            var exact = 1 - Poisson.CDF(1.7, k - 1);
            Assert.Equal(exact, CountTail.Poisson(k, 1.7), 10);
            var nb = 1 - NegativeBinomial.CDF(5, 5 / (5 + 1.7), k - 1);
            Assert.Equal(nb, CountTail.NegativeBinomial(k, 1.7, 5), 10);
        }
        // An uncertain baseline makes the same excess less surprising; a certain one tends to Poisson.
        Assert.True(CountTail.NegativeBinomial(8, 1.0, 1) > 10 * CountTail.Poisson(8, 1.0));
        Assert.Equal(CountTail.Poisson(8, 1.0), CountTail.NegativeBinomial(8, 1.0, 1e5), 6);
    }

    [Fact]
    public void Poisson_CUSUM_alarms_on_a_sustained_rise_restarts_and_stays_silent_on_the_baseline()
    {
        var expected = Enumerable.Repeat(0.5, 30).ToArray();
        var flat = new int[30];
        flat[3] = 1; flat[11] = 1; flat[20] = 2;
        Assert.False(PoissonCusum.Compute(flat, expected, 3, 6).Alarm);

        var rising = new int[30];
        for (var i = 24; i < 30; i++) rising[i] = 2; // four times the rate for six days
        var run = PoissonCusum.Compute(rising.AsSpan(0, 28), expected.AsSpan(0, 28), 3, 4);
        Assert.True(run.Alarm);
        Assert.Equal(24, run.Since);
        Assert.Equal(8, run.Observed);
        // The day after an alarm it starts again from zero rather than alarming for every remaining day.
        Assert.False(PoissonCusum.Compute(rising.AsSpan(0, 29), expected.AsSpan(0, 29), 3, 4).Alarm);
        Assert.False(PoissonCusum.Compute(rising.AsSpan(0, 27), expected.AsSpan(0, 27), 3, 4).Alarm);
    }

    [Fact]
    public void Baseline_follows_the_reference_season()
    {
        // Every unit doubles its rate in the last 20 days (a season): the baseline scales with the reference, so no alarm.
        var counts = SyntheticSeries.Flat(units: 800, days: 80, ratePerDay: 0.3, seed: 13);
        var rng = new Random(17);
        for (var u = 0; u < 800; u++)
        for (var d = 60; d < 80; d++) SyntheticSeries.AddCases(counts, rng, u, d, 0.45, null);
        var baseline = new SeasonalBaseline(counts, Defaults);
        var unitMeans = Enumerable.Range(0, 800).Select(u => baseline.For(u, DailyCountMatrix.Overall, 79, 79, 79)!.Value.Mean).Average();
        Assert.InRange(unitMeans, 0.65, 0.85);
        // BH at q keeps a null day to about q alarms in all; without the seasonal scaling a 2.5× rise everywhere would
        // put hundreds of units over their own baselines.
        var findings = Enumerable.Range(62, 18).Sum(d => new SpikeDetector(Defaults).Scan(counts, d).Findings.Count);
        Assert.True(findings <= 2 * 18, $"{findings} findings in 18 days of a season shift");
    }

    [Fact]
    public void A_per_test_threshold_replaces_BH_when_set()
    {
        var counts = SyntheticSeries.Flat(units: 1000, days: 90, ratePerDay: 0.35, seed: 41);
        const int day = 85;
        int Findings(SpikeOptions o) => new SpikeDetector(o).Scan(counts, day, DetectorSet.PoissonWindows).Findings.Count;

        var bh = Findings(new SpikeOptions());
        // A lax per-test threshold lets ordinary busy days through, which BH over 13,000 tests does not.
        Assert.True(Findings(new SpikeOptions { AlarmPValue = 0.2 }) > bh + 20);
        Assert.Equal(0, Findings(new SpikeOptions { AlarmPValue = 1e-12 }));
    }

    [Theory]
    [InlineData(nameof(SpikeOptions.BaselineDays), 3)]
    [InlineData(nameof(SpikeOptions.FalseDiscoveryRate), 1.5)]
    [InlineData(nameof(SpikeOptions.OverallSeriesWeight), 13.0)]
    [InlineData(nameof(SpikeOptions.CusumShift), 1.0)]
    [InlineData(nameof(SpikeOptions.MinBaselineDays), 0)]
    public void Options_out_of_range_are_refused_naming_the_option(string option, object value)
    {
        var options = new SpikeOptions();
        var property = typeof(SpikeOptions).GetProperty(option)!;
        property.SetValue(options, Convert.ChangeType(value, property.PropertyType));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SpikeDetector(options));
        Assert.Equal(option, error.ParamName);
    }
}
