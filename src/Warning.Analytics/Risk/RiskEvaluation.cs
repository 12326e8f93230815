using System.Globalization;
using System.Text;
using Warning.Analytics.Simulation;

namespace Warning.Analytics.Risk;

public sealed record ScorerMetrics(string Scorer, double Auc, double Aupr, double Brier, double PrecisionAtTopK);

public sealed record AsOfOracleSummary(int Rows, double MeanKept, double MeanDraws, int Unmatched);

public sealed record SliceMetrics(string Slice, int Rows, int Harms, double ModelAuc, double OracleAuc, double ModelBrier, double OracleBrier);

public sealed record EvaluationReport(
    int TrainRows, int CalibrationRows, int TestRows, int TestHarms, DateTimeOffset CalibrationFrom, DateTimeOffset TestFrom, int TopK,
    IReadOnlyList<ScorerMetrics> Scorers, IReadOnlyDictionary<string, IReadOnlyList<RiskMetrics.CalibrationBin>> Calibration,
    IReadOnlyList<SliceMetrics> Counties, IReadOnlyList<SliceMetrics> Categories, double TrainingSeconds)
{
    /// <summary>How the as-of oracle was estimated: redrawn courses kept per row (mean), rows where none matched.</summary>
    public AsOfOracleSummary AsOfOracle { get; init; } = new(0, 0, 0, 0);

    /// <summary>What trained the model's trees, e.g. <c>mlnet-lightgbm</c>.</summary>
    public string Trees { get; init; } = "";

    public ScorerMetrics Of(string scorer) => Scorers.Single(s => s.Scorer == scorer);

    public string ToText()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"model: {Trees}");
        sb.AppendLine(c, $"rows: train {TrainRows:N0}, calibration {CalibrationRows:N0} (from {CalibrationFrom:yyyy-MM-dd}), test {TestRows:N0} (from {TestFrom:yyyy-MM-dd}), test harms {TestHarms:N0}; training {TrainingSeconds:F1}s");
        sb.AppendLine(c, $"{"scorer",-12} {"AUC",7} {"AUPR",7} {"Brier",8} {$"P@{TopK}/day",9}");
        foreach (var s in Scorers) sb.AppendLine(c, $"{s.Scorer,-12} {s.Auc,7:F4} {s.Aupr,7:F4} {s.Brier,8:F5} {s.PrecisionAtTopK,9:F4}");
        var m = Of("model");
        void Versus(string other, string what)
        {
            if (Scorers.All(s => s.Scorer != other)) return;
            var o = Of(other);
            sb.AppendLine(c, $"model vs {other} ({what}): AUC gap {o.Auc - m.Auc:+0.0000;-0.0000}, Brier {(m.Brier / o.Brier - 1) * 100:+0.0;-0.0}%");
        }
        Versus("oracle", "simulator's truth as of the scoring time, the best any scorer can do");
        Versus("full_course", "knows the case's future: no scorer can reach it");
        Versus("hazard_asof", "true formula on the course so far, future ignored");
        var a = AsOfOracle;
        sb.AppendLine(c, $"oracle: {a.MeanKept:F0} redrawn courses kept per row on average ({a.MeanDraws:F0} drawn), {a.Unmatched:N0} of {a.Rows:N0} rows matched none and use hazard_asof");
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
/// Trains on simulator history and compares, on the test period: the model, the points score, the base rate, the
/// oracle (<see cref="AsOfHarm"/>: the simulator's true probability of harm in the row's 30-day window given what the
/// case had shown by the scoring time, the best any scorer can do) and <c>full_course</c> (the simulator's hazard over
/// the case's whole first 30 days, future included: a ceiling no scorer at the scoring time can reach).
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

    /// <summary>Trains one model and compares it with the references on the test period.</summary>
    public static EvaluationReport Run(TrainingSet set, TrainingOptions options, int topK = 10, Action<string>? progress = null,
        int asOfAccept = 400, int asOfMaxDraws = 40_000) =>
        Run(set, options, References(set, options, asOfAccept, asOfMaxDraws, progress), topK, progress);

    /// <summary>
    /// What every model on this set is compared with: the test rows' labels, the points score, the base rate, the
    /// formula on the past, the as-of oracle and the full course. They depend on the data and the split alone, so models
    /// from several trainers share one (the oracle is most of an evaluation's time).
    /// </summary>
    public sealed record EvaluationReferences(TrainingSplit Split, bool[] Labels, double[] Points, double[] BaseRate, double[] Hazard, double[] Oracle,
        double[] FullCourse, DateOnly[] Days, AsOfOracleSummary AsOf);

    public static EvaluationReferences References(TrainingSet set, TrainingOptions options, int asOfAccept = 400, int asOfMaxDraws = 40_000, Action<string>? progress = null)
    {
        var split = RiskTrainer.Split(set, options);
        var test = split.Test;
        var (x, y) = RiskTrainer.Gather(set, test);
        var labels = y.Select(v => v > 0.5).ToArray();
        var pointsP = new double[test.Length];
        var row = new float[RiskFeatures.Count];
        var thresholds = new RiskThresholds();
        for (var i = 0; i < test.Length; i++)
        {
            x.AsSpan(i * RiskFeatures.Count, RiskFeatures.Count).CopyTo(row);
            pointsP[i] = PointsScore.Score(row, default, thresholds, 0).Probability;
        }
        var (_, yTrain) = RiskTrainer.Gather(set, split.Train);
        var baseRate = yTrain.Average();
        var baseP = Enumerable.Repeat((double)baseRate, test.Length).ToArray();
        var fullP = test.Select(i => set.Rows[i].FullCourseProbability).ToArray();
        var hazardP = new double[test.Length];
        for (var i = 0; i < test.Length; i++) hazardP[i] = HazardAsOf(x.AsSpan(i * RiskFeatures.Count, RiskFeatures.Count));
        var (oracleP, asOf) = AsOfOracle(set, test, hazardP, asOfAccept, asOfMaxDraws, progress);
        var days = test.Select(i => DateOnly.FromDateTime(set.Rows[i].At.ToOffset(DisputeSimulator.ChinaOffset).DateTime)).ToArray();
        return new EvaluationReferences(split, labels, pointsP, baseP, hazardP, oracleP, fullP, days, asOf);
    }

    public static EvaluationReport Run(TrainingSet set, TrainingOptions options, EvaluationReferences refs, int topK = 10, Action<string>? progress = null)
    {
        var result = RiskTrainer.Train(set, options, "eval", "simulator", progress);
        using var model = result.Model;
        var test = result.Split.Test;
        if (!test.SequenceEqual(refs.Split.Test)) throw new ArgumentException("the references were made for another split", nameof(refs));
        var (x, _) = RiskTrainer.Gather(set, test);
        var labels = refs.Labels;
        var modelP = model.Probabilities(x, test.Length);
        var oracleP = refs.Oracle;

        ScorerMetrics Measure(string name, double[] p) => new(name, RiskMetrics.Auc(p, labels), RiskMetrics.AveragePrecision(p, labels),
            RiskMetrics.Brier(p, labels), RiskMetrics.PrecisionAtTopKPerDay(p, labels, refs.Days, topK));

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
            [Measure("model", modelP), Measure("points", refs.Points), Measure("base_rate", refs.BaseRate), Measure("hazard_asof", refs.Hazard),
                Measure("oracle", oracleP), Measure("full_course", refs.FullCourse)],
            new Dictionary<string, IReadOnlyList<RiskMetrics.CalibrationBin>>
            {
                ["model"] = RiskMetrics.Calibration(modelP, labels),
                ["oracle"] = RiskMetrics.Calibration(oracleP, labels),
            },
            SliceBy(r => r.CountyId), SliceBy(r => Disputes.DisputeVocabulary.WireName(r.Category)), result.Seconds)
        {
            AsOfOracle = refs.AsOf,
            Trees = model.Trees.Kind,
        };
    }

    /// <summary>The as-of truth for each test row, in parallel; a row whose seen course no redraw matched falls back to <paramref name="fallback"/>.</summary>
    private static (double[] P, AsOfOracleSummary Summary) AsOfOracle(TrainingSet set, int[] test, double[] fallback, int accept, int maxDraws, Action<string>? progress)
    {
        var p = new double[test.Length];
        long kept = 0, draws = 0, done = 0;
        var unmatched = 0;
        var step = Math.Max(1, test.Length / 10);
        Parallel.For(0, test.Length, i =>
        {
            var row = set.Rows[test[i]];
            if (row.Setup is null) throw new InvalidOperationException($"row {row.CaseId} has no case setup: the as-of oracle needs simulator truth");
            // Seeded by case and moment, so the evaluation is reproducible whatever the thread schedule.
            var minutes = row.At.UtcTicks / TimeSpan.TicksPerMinute;
            var seed = unchecked(Fnv(row.CaseId) * 31 + (int)(minutes ^ (minutes >> 32)));
            var e = AsOfHarm.Probability(row.Setup, row.OpenedAt, row.At, row.Seen, TimeSpan.FromDays(30), seed, accept, maxDraws);
            p[i] = e.Found ? e.Probability : fallback[i];
            Interlocked.Add(ref kept, e.Accepted);
            Interlocked.Add(ref draws, e.Draws);
            if (!e.Found) Interlocked.Increment(ref unmatched);
            var n = Interlocked.Increment(ref done);
            if (n % step == 0) progress?.Invoke($"as-of oracle: {n:N0} of {test.Length:N0} rows");
        });
        return (p, new AsOfOracleSummary(test.Length, kept / (double)Math.Max(1, test.Length), draws / (double)Math.Max(1, test.Length), unmatched));
    }

    private static int Fnv(string s)
    {
        // Not string.GetHashCode or HashCode.Combine: those are randomised per process.
        var h = 2166136261u;
        foreach (var ch in s) h = (h ^ ch) * 16777619;
        return unchecked((int)h);
    }
}
