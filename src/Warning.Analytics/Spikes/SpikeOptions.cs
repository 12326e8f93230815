namespace Warning.Analytics.Spikes;

/// <summary>Knobs of the spike detectors, bound from configuration section <c>Spikes</c>. Defaults are the tuned ones (see README.md).</summary>
public sealed class SpikeOptions
{
    public const string Section = "Spikes";

    /// <summary>Days of the unit's own history the expected count is estimated from. Long, because a village sees ~0.35 cases a day.</summary>
    public int BaselineDays { get; set; } = 56;

    /// <summary>Days between the baseline and the day tested (EARS C2: 2), so an outbreak's first days do not raise its own baseline.</summary>
    public int LagDays { get; set; } = 2;

    /// <summary>A baseline shorter than this (a new deployment) is not trusted: the unit is not tested.</summary>
    public int MinBaselineDays { get; set; } = 14;

    /// <summary>Longest window of recent days summed by the C3-style test (1 = C2-style only).</summary>
    public int MaxWindowDays { get; set; } = 3;

    /// <summary>Minimum-count rule: no signal from fewer cases than this in the window, however small the expectation.</summary>
    public int MinObserved { get; set; } = 3;

    /// <summary>
    /// Strength (in pseudo-cases) of the prior that a unit's category mix is the city's. A village sees a category a few
    /// times a quarter; without shrinkage one case in an empty category looks infinitely surprising.
    /// </summary>
    public double CategoryPriorCases { get; set; } = 2.0;

    /// <summary>Benjamini–Hochberg false-discovery level across every unit × series tested on a day.</summary>
    public double FalseDiscoveryRate { get; set; } = 0.9;

    /// <summary>
    /// When positive, a fixed per-test threshold on the (Bonferroni-over-windows, weighted) p-value replaces BH: the
    /// alternative the false-alarm target can be tuned with directly. BH (0, the default) adapts to busy days.
    /// </summary>
    public double AlarmPValue { get; set; }

    /// <summary>
    /// Weighted BH (Genovese, Roeder and Wasserman 2006): the overall series' p-values are divided by this weight and the
    /// categories' by (13 − w)/12, so the weights average 1 and the FDR guarantee holds. 1 (plain BH) since the spikes to
    /// catch are clusters of one cause and so of one category, whose own series sees them against a far smaller
    /// baseline than the village's overall count; favouring the overall series (10 was tried) found no more of them
    /// and doubled the false alarms (Spikes/README.md).
    /// </summary>
    public double OverallSeriesWeight { get; set; } = 1.0;

    /// <summary>
    /// BH level for the grid scan, a pool of its own (~4 grids a village). Lower than the villages' because a grid signal
    /// also marks its village as spiking, and the false-alarm budget is per village-day.
    /// </summary>
    public double GridFalseDiscoveryRate { get; set; } = 0.2;

    /// <summary>Scan grids (网格) as well as villages.</summary>
    public bool ScanGrids { get; set; } = true;

    /// <summary>Poisson CUSUM (Lucas): the shift it is tuned to detect, as a multiple of the expected rate.</summary>
    public double CusumShift { get; set; } = 3.0;

    /// <summary>Poisson CUSUM decision threshold h (in log-likelihood-ratio units).</summary>
    public double CusumThreshold { get; set; } = 9.0;

    /// <summary>Days of history the CUSUM is run over from zero at each scan (stateless: the same tally always gives the same answer).</summary>
    public int CusumDays { get; set; } = 21;

    /// <summary>Run the CUSUM on per-category series too, not only on the unit's overall count (sparse series make it noisy).</summary>
    public bool CusumPerCategory { get; set; } = false;

    /// <summary>Days of daily counts the scan reads per unit: baseline + lag + window, and the CUSUM's span.</summary>
    public int HistoryDays => Math.Max(BaselineDays + LagDays + MaxWindowDays, CusumDays + BaselineDays + LagDays);

    /// <summary>The same detectors with the grid scan's false-discovery level.</summary>
    public SpikeOptions ForGrids()
    {
        var copy = (SpikeOptions)MemberwiseClone();
        copy.FalseDiscoveryRate = GridFalseDiscoveryRate;
        return copy;
    }

    public void Validate()
    {
        if (BaselineDays < 7) throw new ArgumentOutOfRangeException(nameof(BaselineDays), BaselineDays, "at least 7 days");
        if (LagDays < 0) throw new ArgumentOutOfRangeException(nameof(LagDays), LagDays, "cannot be negative");
        if (MaxWindowDays is < 1 or > 7) throw new ArgumentOutOfRangeException(nameof(MaxWindowDays), MaxWindowDays, "1 to 7 days");
        if (MinBaselineDays < 1 || MinBaselineDays > BaselineDays) throw new ArgumentOutOfRangeException(nameof(MinBaselineDays), MinBaselineDays, "1 to BaselineDays");
        if (FalseDiscoveryRate is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(FalseDiscoveryRate), FalseDiscoveryRate, "between 0 and 1");
        if (AlarmPValue is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(AlarmPValue), AlarmPValue, "0 (use BH) or a probability");
        if (GridFalseDiscoveryRate is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(GridFalseDiscoveryRate), GridFalseDiscoveryRate, "between 0 and 1");
        if (CusumShift <= 1) throw new ArgumentOutOfRangeException(nameof(CusumShift), CusumShift, "must exceed 1");
        if (CusumThreshold <= 0) throw new ArgumentOutOfRangeException(nameof(CusumThreshold), CusumThreshold, "must be positive");
        if (OverallSeriesWeight <= 0 || OverallSeriesWeight >= DailyCountMatrix.SeriesCount) throw new ArgumentOutOfRangeException(nameof(OverallSeriesWeight), OverallSeriesWeight, "between 0 and the number of series (13)");
        if (CategoryPriorCases <= 0) throw new ArgumentOutOfRangeException(nameof(CategoryPriorCases), CategoryPriorCases, "must be positive");
    }
}
