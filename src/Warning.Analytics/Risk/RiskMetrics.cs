namespace Warning.Analytics.Risk;

/// <summary>The evaluation measures: ranking (AUC, AUPR), probability quality (Brier, calibration) and top-k precision.</summary>
public static class RiskMetrics
{
    /// <summary>Area under the ROC curve by the rank-sum (Mann–Whitney) formula, ties counted half.</summary>
    public static double Auc(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        double rankSumPositives = 0;
        long positives = 0;
        var i = 0;
        while (i < order.Length)
        {
            var j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]]) j++;
            var averageRank = (i + j) / 2.0 + 1;
            for (var k = i; k <= j; k++) if (labels[order[k]]) { rankSumPositives += averageRank; positives++; }
            i = j + 1;
        }
        long negatives = order.Length - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        return (rankSumPositives - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>Average precision (area under the precision–recall curve, step-wise), ties broken pessimistically by grouping.</summary>
    public static double AveragePrecision(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        var positives = labels.Count(l => l);
        if (positives == 0) return double.NaN;
        double ap = 0;
        int tp = 0, seen = 0, i = 0;
        while (i < order.Length)
        {
            var j = i;
            var groupTp = 0;
            while (j < order.Length && scores[order[j]] == scores[order[i]]) { if (labels[order[j]]) groupTp++; j++; }
            seen += j - i;
            tp += groupTp;
            ap += groupTp / (double)positives * (tp / (double)seen);
            i = j;
        }
        return ap;
    }

    public static double Brier(IReadOnlyList<double> p, IReadOnlyList<bool> labels)
    {
        double s = 0;
        for (var i = 0; i < p.Count; i++) { var d = p[i] - (labels[i] ? 1 : 0); s += d * d; }
        return s / p.Count;
    }

    public sealed record CalibrationBin(double From, double To, int Count, double MeanPredicted, double Observed);

    /// <summary>Calibration table over fixed probability bins.</summary>
    public static IReadOnlyList<CalibrationBin> Calibration(IReadOnlyList<double> p, IReadOnlyList<bool> labels, double[]? edges = null)
    {
        edges ??= [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.45, 1.0001];
        var bins = new List<CalibrationBin>();
        for (var b = 0; b + 1 < edges.Length; b++)
        {
            int n = 0, pos = 0;
            double sum = 0;
            for (var i = 0; i < p.Count; i++)
            {
                if (p[i] < edges[b] || p[i] >= edges[b + 1]) continue;
                n++; sum += p[i]; if (labels[i]) pos++;
            }
            bins.Add(new CalibrationBin(edges[b], Math.Min(1, edges[b + 1]), n, n == 0 ? double.NaN : sum / n, n == 0 ? double.NaN : pos / (double)n));
        }
        return bins;
    }

    /// <summary>Mean over days of the share of harms among the k highest-scored cases scored that day (China date).</summary>
    public static double PrecisionAtTopKPerDay(IReadOnlyList<double> p, IReadOnlyList<bool> labels, IReadOnlyList<DateOnly> days, int k)
    {
        var byDay = Enumerable.Range(0, p.Count).GroupBy(i => days[i]);
        double sum = 0;
        var count = 0;
        foreach (var day in byDay)
        {
            var top = day.OrderByDescending(i => p[i]).Take(k).ToArray();
            if (top.Length == 0) continue;
            sum += top.Count(i => labels[i]) / (double)top.Length;
            count++;
        }
        return count == 0 ? double.NaN : sum / count;
    }
}
