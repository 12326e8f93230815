using Warning.Analytics.Disputes;

namespace Warning.Analytics.Simulation;

/// <summary>Everything the daily loop needs about one village, precomputed so a village-day costs a few draws.</summary>
internal sealed class VillageModel
{
    public required int Index { get; init; }
    public required string Id { get; init; }
    public required bool IsCommunity { get; init; }
    public required string[] GridIds { get; init; }

    /// <summary>Grid worker ids ("w-" + grid id), built once instead of per report.</summary>
    public required string[] ReporterIds { get; init; }

    /// <summary>Cumulative gamma-distributed grid multipliers: picks the grid of a new case.</summary>
    public required double[] GridCumulative { get; init; }

    /// <summary>Expected new cases per ordinary day: the option's rate times the mean of its grid multipliers.</summary>
    public required double Rate { get; init; }

    public List<KeyIndividual> KeyIndividuals { get; } = [];

    public int Profile => IsCommunity ? 1 : 0;
}
