using System.Globalization;
using System.Text;
using Warning.Analytics.Simulation;

namespace Warning.Analytics.Risk;

public sealed record ScorerMetrics(string Scorer, double Auc, double Aupr, double Brier, double PrecisionAtTopK);

public sealed record SliceMetrics(string Slice, int Rows, int Harms, double ModelAuc, double OracleAuc, double ModelBrier, double OracleBrier);

public sealed record EvaluationReport(
    int TrainRows, int CalibrationRows, int TestRows, int TestHarms, DateTimeOffset CalibrationFrom, DateTimeOffset TestFrom, int TopK,
    IReadOnlyList<ScorerMetrics> Scorers, IReadOnlyDictionary<string, IReadOnlyList<RiskMetrics.CalibrationBin>> Calibration,
    IReadOnlyList<SliceMetrics> Counties, IReadOnlyList<SliceMetrics> Categories, double TrainingSeconds)
{
    public ScorerMetrics Of(string scorer) => Scorers.Single(s => s.Scorer == scorer);

    public string ToText()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"rows: train {TrainRows:N0}, calibration {CalibrationRows:N0} (from {CalibrationFrom:yyyy-MM-dd}), test {TestRows:N0} (from {TestFrom:yyyy-MM-dd}), test harms {TestHarms:N0}; training {TrainingSeconds:F1}s");
        sb.AppendLine(c, $"{"scorer",-12} {"AUC",7} {"AUPR",7} {"Brier",8} {$"P@{TopK}/day",9}");
        foreach (var s in Scorers) sb.AppendLine(c, $"{s.Scorer,-12} {s.Auc,7:F4} {s.Aupr,7:F4} {s.Brier,8:F5} {s.PrecisionAtTopK,9:F4}");
        var m = Of("model");
        var o = Of("oracle");
        sb.AppendLine(c, $"model vs oracle: AUC gap {o.Auc - m.Auc:+0.0000;-0.0000}, Brier {(m.Brier / o.Brier - 1) * 100:+0.0;-0.0}%");
        if (Scorers.Any(s => s.Scorer == "hazard_asof"))
        {
            var h = Of("hazard_asof");
            sb.AppendLine(c, $"model vs hazard_asof (true formula on what is known then): AUC gap {h.Auc - m.Auc:+0.0000;-0.0000}, Brier {(m.Brier / h.Brier - 1) * 100:+0.0;-0.0}%");
        }
        foreach (var (scorer, bins) in Calibration)
        {
            sb.AppendLine(c, $"calibration ({scorer}): {"bin",-13} {"n",8} {"mean p",8} {"observed",8}");
            foreach (var b in bins.Where(b => b.Count > 0))
                sb.AppendLine(c, $"                     [{b.From:F2},{b.To:F2}) {b.Count,8} {b.MeanPredicted,8:F4} {b.Observed,8:F4}");
        }
        void Slices(string title, IReadOnlyList<SliceMetrics> slices)
        {
            sb.AppendLine(c, $"{title,-16} {"rows",7} {"harms",6} {"AUC mod",8} {"AUC orc",8} {"Brier mod",9} {"Brier orc",9}");
            foreach (var s in slices)
                sb.AppendLine(c, $"{s.Slice,-16} {s.Rows,7} {s.Harms,6} {s.ModelAuc,8:F4} {s.OracleAuc,8:F4} {s.ModelBrier,9:F5} {s.OracleBrier,9:F5}");
        }
        Slices("county", Counties);
        Slices("category", Categories);
        return sb.ToString();
    }
}

/// <summary>
/// Trains on simulator history and compares, on the test period: the model, the points score, the base rate, and the
/// oracle (the simulator's true probability, computed from the case's whole first 30 days, so it also knows things no
/// scorer can know at the scoring time: it is the ceiling, not a fair competitor).
/// </summary>
public static class RiskEvaluation
{
    /// <summary>
    /// The simulator's own hazard formula applied to what is known at the scoring time (failures and threat calls so far,
    /// days open so far): the true structure without the future. It separates what the model fails to learn (model vs
    /// this) from what nobody can know yet (this vs the oracle). A reference for evaluation only, never a live scorer.
    /// </summary>
    public static double HazardAsOf(ReadOnlySpan<float> span)
    {
        var names = Columns;
        var row = span.ToArray();
        var category = Enum.GetValues<Disputes.DisputeCategory>().First(c => row[RiskFeatures.CategoryColumn(c)] > 0);
        var flags = Enum.GetValues<Disputes.CaseFlag>().Where(f => row[RiskFeatures.FlagStart + (int)f] > 0).ToArray();
        var amountLog = row[names["amount_log10"]];
        var features = new CaseFeatures(category, flags, (int)row[names["people_involved"]], float.IsNaN(amountLog) ? null : Math.Pow(10, amountLog),
            (int)row[names["failed_mediations"]], (int)row[names["threat_incidents_total"]], row[names["days_open"]],
            row[names["key_individual_documented_threat"]] > 0);
        return HarmModel.Probability30Days(features);
    }

    private static readonly Dictionary<string, int> Columns = RiskFeatures.All.Select((f, i) => (f.Name, i)).ToDictionary(t => t.Name, t => t.i);

    public static EvaluationReport Run(TrainingSet set, TrainingOptions options, int topK = 10, Action<string>? progress = null)
    {
        var result = RiskTrainer.Train(set, options, "eval", "simulator", progress);
        using var model = result.Model;
        var test = result.Split.Test;
        var (x, y) = RiskTrainer.Gather(set, test);
        var labels = y.Select(v => v > 0.5).ToArray();
        var modelP = model.Probabilities(x, test.Length);
        var pointsP = new double[test.Length];
        var row = new float[RiskFeatures.Count];
        var thresholds = new RiskThresholds();
        for (var i = 0; i < test.Length; i++)
        {
            x.AsSpan(i * RiskFeatures.Count, RiskFeatures.Count).CopyTo(row);
            pointsP[i] = PointsScore.Score(row, default, thresholds, 0).Probability;
        }
        var (_, yTrain) = RiskTrainer.Gather(set, result.Split.Train);
        var baseRate = yTrain.Average();
        var baseP = Enumerable.Repeat((double)baseRate, test.Length).ToArray();
        var oracleP = test.Select(i => set.Rows[i].Oracle).ToArray();
        var hazardP = new double[test.Length];
        for (var i = 0; i < test.Length; i++) hazardP[i] = HazardAsOf(x.AsSpan(i * RiskFeatures.Count, RiskFeatures.Count));
        var days = test.Select(i => DateOnly.FromDateTime(set.Rows[i].At.ToOffset(DisputeSimulator.ChinaOffset).DateTime)).ToArray();

        ScorerMetrics Measure(string name, double[] p) => new(name, RiskMetrics.Auc(p, labels), RiskMetrics.AveragePrecision(p, labels),
            RiskMetrics.Brier(p, labels), RiskMetrics.PrecisionAtTopKPerDay(p, labels, days, topK));

        List<SliceMetrics> SliceBy(Func<ScoringRow, string> key) => Enumerable.Range(0, test.Length)
            .GroupBy(i => key(set.Rows[test[i]])).OrderBy(g => g.Key)
            .Select(g =>
            {
                var idx = g.ToArray();
                var l = idx.Select(i => labels[i]).ToArray();
                double[] Pick(double[] p) => idx.Select(i => p[i]).ToArray();
                return new SliceMetrics(g.Key, idx.Length, l.Count(v => v), RiskMetrics.Auc(Pick(modelP), l), RiskMetrics.Auc(Pick(oracleP), l),
                    RiskMetrics.Brier(Pick(modelP), l), RiskMetrics.Brier(Pick(oracleP), l));
            }).ToList();

        progress?.Invoke("evaluated");
        return new EvaluationReport(result.Split.Train.Length, result.Split.Calibration.Length, test.Length, labels.Count(l => l),
            result.Split.CalibrationFrom, result.Split.TestFrom, topK,
            [Measure("model", modelP), Measure("points", pointsP), Measure("base_rate", baseP), Measure("hazard_asof", hazardP), Measure("oracle", oracleP)],
            new Dictionary<string, IReadOnlyList<RiskMetrics.CalibrationBin>>
            {
                ["model"] = RiskMetrics.Calibration(modelP, labels),
                ["oracle"] = RiskMetrics.Calibration(oracleP, labels),
            },
            SliceBy(r => r.CountyId), SliceBy(r => Disputes.DisputeVocabulary.WireName(r.Category)), result.Seconds);
    }
}
