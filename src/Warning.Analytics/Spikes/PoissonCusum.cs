namespace Warning.Analytics.Spikes;

/// <summary>
/// Lucas' Poisson CUSUM for a sustained shift from the expected rate μ to k·μ: S_t = max(0, S_{t−1} + x_t·ln k − (k−1)·μ_t),
/// alarm when S_t ≥ h, then restart from zero (so a long outbreak alarms again, and its tail does not keep alarming for
/// weeks while S drains). μ_t moves with the season (it comes from <see cref="SeasonalBaseline"/>), so the classic
/// constant reference value becomes a daily one. Catches a moderate rise that lasts, which no short window shows.
/// </summary>
public static class PoissonCusum
{
    /// <param name="Alarm">The statistic reached the threshold on the last day.</param>
    /// <param name="Statistic">S on the last day (before the restart if it alarmed).</param>
    /// <param name="Since">Index of the first day of the run that ended in the last day's value.</param>
    /// <param name="Observed">Cases over that run.</param>
    /// <param name="Expected">Expected cases over that run.</param>
    public readonly record struct Run(bool Alarm, double Statistic, int Since, int Observed, double Expected);

    /// <param name="observed">Daily counts, oldest first.</param>
    /// <param name="expected">Expected counts for the same days.</param>
    public static Run Compute(ReadOnlySpan<int> observed, ReadOnlySpan<double> expected, double shift, double threshold)
    {
        if (observed.Length != expected.Length) throw new ArgumentException("observed and expected differ in length");
        if (observed.Length == 0) return default;
        var logK = Math.Log(shift);
        double s = 0, runExpected = 0;
        int since = 0, runObserved = 0;
        var alarm = false;
        for (var i = 0; i < observed.Length; i++)
        {
            if (alarm)
            {
                s = 0;
                since = i;
                runObserved = 0;
                runExpected = 0;
            }
            var next = s + observed[i] * logK - (shift - 1) * expected[i];
            if (next <= 0)
            {
                s = 0;
                since = i + 1;
                runObserved = 0;
                runExpected = 0;
                alarm = false;
                continue;
            }
            s = next;
            runObserved += observed[i];
            runExpected += expected[i];
            alarm = s >= threshold;
        }
        return new Run(alarm, s, Math.Min(since, observed.Length - 1), runObserved, runExpected);
    }
}
