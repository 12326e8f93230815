using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Risk;

namespace Warning.Analytics.Reports;

/// <summary>
/// How the live scorer did on the period's cases whose 30-day outcome is known: the log's history replayed as the
/// retraining does (each case scored at fixed ages from what was known then, labelled by a harm incident within 30
/// days), scored now by the live model or the points score, then calibration by decile and errors by county and category.
/// </summary>
public static class ModelHealthCheck
{
    /// <param name="probabilities">The live scorer over rows of <see cref="RiskFeatures.Count"/> features.</param>
    public static ModelHealth Evaluate(string model, double? testAuc, double? testBrier, AreaHierarchy hierarchy, IEnumerable<object> records, CaseLedger ledger,
        string areaId, BriefingPeriod period, DateTimeOffset now, ReplayOptions replay, Func<float[], int, double[]> probabilities, CancellationToken ct = default)
    {
        // Rows whose 30 days end after now have no known outcome yet; the replay leaves them out.
        var labelsUntil = period.End.AddDays(30) < now ? period.End.AddDays(30) : now;
        var set = HistoryReplay.Build(hierarchy, records, period.Start, labelsUntil, replay, ct: ct);
        var grids = Briefing.GridsOf(hierarchy, hierarchy[areaId]);
        var keep = Enumerable.Range(0, set.Count)
            .Where(i => set.Rows[i].At < period.End && ledger.TryGet(set.Rows[i].CaseId, out var c) && grids.Contains(c.GridId))
            .ToArray();
        if (keep.Length == 0) return new ModelHealth(model, testAuc, testBrier, 0, 0, null, [], [], []);
        var features = new float[keep.Length * RiskFeatures.Count];
        for (var k = 0; k < keep.Length; k++) set.RowOf(keep[k]).CopyTo(features.AsSpan(k * RiskFeatures.Count));
        var p = probabilities(features, keep.Length);
        var rows = keep.Select((i, k) => (Row: set.Rows[i], P: p[k])).ToArray();

        var sorted = rows.OrderBy(r => r.P).ToArray();
        var deciles = Enumerable.Range(0, 10)
            .Select(d => sorted[(d * sorted.Length / 10)..((d + 1) * sorted.Length / 10)])
            .Select((bin, d) => (bin, d))
            .Where(x => x.bin.Length > 0)
            .Select(x => new CalibrationDecile(x.d + 1, x.bin.Length, Math.Round(x.bin.Average(r => r.P), 4), Math.Round(x.bin.Average(r => r.Row.HarmWithin30Days ? 1.0 : 0.0), 4)))
            .ToArray();
        SliceError Slice(string name, IEnumerable<(ScoringRow Row, double P)> of)
        {
            var list = of.ToArray();
            return new SliceError(name, list.Length, list.Count(r => r.Row.HarmWithin30Days), Math.Round(list.Average(r => r.P), 4),
                Math.Round(list.Average(r => Math.Pow(r.P - (r.Row.HarmWithin30Days ? 1 : 0), 2)), 4));
        }
        var byCounty = rows.GroupBy(r => r.Row.CountyId).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Slice(hierarchy.TryGet(g.Key, out var c) ? c.Name : g.Key, g)).ToArray();
        var byCategory = rows.GroupBy(r => r.Row.Category).OrderBy(g => (int)g.Key)
            .Select(g => Slice(ReportWords.Chinese.Category(g.Key), g)).ToArray();
        var all = Slice("all", rows);
        return new ModelHealth(model, testAuc, testBrier, all.Rows, all.Harms, all.Brier, deciles, byCounty, byCategory);
    }
}
