namespace Warning.Analytics.Simulation;

/// <summary>Knobs of the <see cref="DisputeSimulator"/>. Defaults give a busy but plausible city.</summary>
public sealed record SimulatorOptions
{
    public int Seed { get; init; } = 42;

    /// <summary>Mean new cases per village per day over a year; seasonality and grid multipliers move it around this.</summary>
    public double CasesPerVillagePerDay { get; init; } = 0.35;

    public const double DefaultSpikeDecay = 0.6;

    /// <summary>Plant cluster events (a village, a category, extra cases from one cause) with known ground truth.</summary>
    public bool PlantSpikes { get; init; } = true;

    /// <summary>Mean number of newly planted spikes per 30 days across the whole city.</summary>
    public double SpikesPerMonth { get; init; } = 4;

    /// <summary>
    /// Expected extra cases a planted spike adds over its whole duration, drawn log-uniform in [min, max]: small clusters
    /// are commoner than large ones. The minimum is the village-level limit of detection (Spikes/README.md, power
    /// curve), about the size of a group dispute the field reports call 群体性; set min = max to plant one fixed size.
    /// </summary>
    public double SpikeExtraCasesMin { get; init; } = 8;

    public double SpikeExtraCasesMax { get; init; } = 40;

    /// <summary>Ratio of a spike day's expected extra cases to the day before's: a trigger's cases come mostly in its first days.</summary>
    public double SpikeDecay { get; init; } = DefaultSpikeDecay;

    public double KeyIndividualsPerVillage { get; init; } = 1.5;

    /// <summary>Shape of the gamma distribution of grid base-rate multipliers (mean 1); smaller means more uneven grids.</summary>
    public double GridRateShape { get; init; } = 2.0;

    /// <summary>Incidents per village per day that never become a case (110 calls, 12345 complaints).</summary>
    public double UnlinkedIncidentsPerVillagePerDay { get; init; } = 0.02;

    /// <summary>Weekly check-ins of community-corrections subjects (社区矫正), with some missed.</summary>
    public bool CorrectionsCheckIns { get; init; } = true;

    /// <summary>
    /// Grid workers' screening rounds (<see cref="SimulatedScreening"/>), including the ones that found nothing. Off by
    /// default: a round per grid and day is several times the disputes' events (Dingxi: ~7,000 a day against ~2,700
    /// reports), which training, evaluation and benches replay for years and have no use for. The demo feed turns it on.
    /// </summary>
    public bool ScreeningRounds { get; init; }

    /// <summary>Keep <see cref="CaseTruth"/> for every case (about 200 bytes a case); turn off for pure load runs.</summary>
    public bool KeepTruth { get; init; } = true;

    /// <summary>The date the key-individual registry is "as of": review dates fall before it, expiries after.</summary>
    public DateTimeOffset RegistryAsOf { get; init; } = new(2025, 1, 1, 0, 0, 0, TimeSpan.FromHours(8));
}
