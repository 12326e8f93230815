namespace Warning.Analytics.Spikes;

/// <summary>
/// The CDC's Early Aberration Reporting System statistics as published (Hutwagner et al. 2003): Gaussian z-scores
/// against a 7-day baseline. Kept as the reference the count-aware detectors are measured against: on a village's
/// ~0.35 cases a day the baseline's standard deviation is mostly 0, so one case is "3 sigma" (see the evaluation).
/// </summary>
public static class Ears
{
    public const int BaselineDays = 7;

    /// <summary>Floor on the baseline standard deviation, so an all-zero baseline does not divide by zero.</summary>
    public const double MinSd = 0.2;

    public const double Threshold = 3.0;

    /// <summary>C3 sums recent C2 excesses over this threshold.</summary>
    public const double C3Threshold = 2.0;

    /// <summary>C1: baseline the 7 days just before <paramref name="day"/>.</summary>
    public static double C1(DailyCountMatrix counts, int unit, int series, int day) => Z(counts, unit, series, day, lag: 0);

    /// <summary>C2: baseline days t−9..t−3 (a 2-day gap).</summary>
    public static double C2(DailyCountMatrix counts, int unit, int series, int day) => Z(counts, unit, series, day, lag: 2);

    /// <summary>C3: Σ over t, t−1, t−2 of max(0, C2 − 1).</summary>
    public static double C3(DailyCountMatrix counts, int unit, int series, int day)
    {
        var sum = 0.0;
        for (var i = 0; i < 3; i++)
            if (day - i - 9 >= 0) sum += Math.Max(0, C2(counts, unit, series, day - i) - 1);
        return sum;
    }

    private static double Z(DailyCountMatrix counts, int unit, int series, int day, int lag)
    {
        var end = day - lag - 1;
        var start = end - BaselineDays + 1;
        if (start < 0) return double.NaN;
        double sum = 0, squares = 0;
        for (var d = start; d <= end; d++)
        {
            var x = counts[unit, series, d];
            sum += x;
            squares += x * x;
        }
        var mean = sum / BaselineDays;
        var variance = Math.Max(0, (squares - BaselineDays * mean * mean) / (BaselineDays - 1));
        return (counts[unit, series, day] - mean) / Math.Max(Math.Sqrt(variance), MinSd);
    }
}
