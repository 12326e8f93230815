using Microsoft.Extensions.Options;
using Warning.Analytics.Risk;

namespace Warning.Silo.Risk;

/// <summary>Scores a case snapshot with the live model, or with the points score while there is none.</summary>
public sealed class CaseRiskScorer(RiskModelRegistry registry, IOptions<RiskOptions> options)
{
    private readonly CaseFeatureExtractor _extractor = new(options.Value.Deadlines);

    public RiskModelRegistry Registry => registry;

    public RiskScore Score(CaseSnapshot snapshot, DateTimeOffset asOf)
    {
        var row = _extractor.Extract(snapshot, asOf);
        var o = options.Value;
        // Read the live model once: a swap during this call must not mix two models in one score.
        var model = registry.Live;
        return model is null ? PointsScore.Score(row, asOf, o.Thresholds, o.TopContributions) : model.Score(row, asOf, o.Thresholds, o.TopContributions);
    }

    /// <summary>Many snapshots at once (one native call for the model): the batch path of the benchmark and of re-scoring.</summary>
    public RiskScore[] ScoreBatch(IReadOnlyList<CaseSnapshot> snapshots, IReadOnlyList<DateTimeOffset> asOf)
    {
        var n = RiskFeatures.Count;
        var rows = new float[snapshots.Count * n];
        for (var i = 0; i < snapshots.Count; i++) _extractor.Extract(snapshots[i], asOf[i], rows.AsSpan(i * n, n));
        var o = options.Value;
        var model = registry.Live;
        if (model is not null) return model.Score(rows, snapshots.Count, asOf.ToArray(), o.Thresholds, o.TopContributions);
        return Enumerable.Range(0, snapshots.Count).Select(i => PointsScore.Score(rows.AsSpan(i * n, n).ToArray(), asOf[i], o.Thresholds, o.TopContributions)).ToArray();
    }
}
