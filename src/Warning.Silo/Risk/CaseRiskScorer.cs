using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Warning.Analytics.Risk;

namespace Warning.Silo.Risk;

/// <summary>
/// Scores a case snapshot with the live model, or with the points score while there is none. A model that throws while
/// scoring is logged and the points score (<c>"model": "points"</c>) answers instead: a report is never refused, nor a
/// grain turn failed, because of the model.
/// </summary>
public sealed class CaseRiskScorer(RiskModelRegistry registry, IOptions<RiskOptions> options, ILogger<CaseRiskScorer>? logger = null)
{
    private readonly CaseFeatureExtractor _extractor = new(options.Value.Deadlines);
    private readonly ILogger _logger = logger ?? NullLogger<CaseRiskScorer>.Instance;

    public RiskModelRegistry Registry => registry;

    public RiskScore Score(CaseSnapshot snapshot, DateTimeOffset asOf)
    {
        var row = _extractor.Extract(snapshot, asOf);
        var o = options.Value;
        // Read the live model once: a swap during this call must not mix two models in one score.
        var model = registry.Live;
        if (model is not null)
        {
            try { return model.Score(row, asOf, o.Thresholds, o.TopContributions); }
            catch (Exception ex) { ModelFailed(model, ex); }
        }
        return PointsScore.Score(row, asOf, o.Thresholds, o.TopContributions);
    }

    private void ModelFailed(RiskModel model, Exception ex) =>
        _logger.LogError(ex, "Risk model {Version} failed to score ({Reason}); the points score answers instead", model.Info.Version, ex.Message);

    /// <summary>Many snapshots at once (one native call for the model): the batch path of the benchmark and of re-scoring.</summary>
    public RiskScore[] ScoreBatch(IReadOnlyList<CaseSnapshot> snapshots, IReadOnlyList<DateTimeOffset> asOf)
    {
        var n = RiskFeatures.Count;
        var rows = new float[snapshots.Count * n];
        for (var i = 0; i < snapshots.Count; i++) _extractor.Extract(snapshots[i], asOf[i], rows.AsSpan(i * n, n));
        var o = options.Value;
        var model = registry.Live;
        if (model is not null)
        {
            try { return model.Score(rows, snapshots.Count, asOf.ToArray(), o.Thresholds, o.TopContributions); }
            catch (Exception ex) { ModelFailed(model, ex); }
        }
        return Enumerable.Range(0, snapshots.Count).Select(i => PointsScore.Score(rows.AsSpan(i * n, n).ToArray(), asOf[i], o.Thresholds, o.TopContributions)).ToArray();
    }
}
