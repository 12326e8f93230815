using System.Text.Json;
using Warning.Analytics.Risk.MlNet;

namespace Warning.Analytics.Risk;

/// <summary>What a model file says about itself: where its data came from, its features and how well it did.</summary>
public sealed record RiskModelInfo(
    string Version,
    DateTimeOffset TrainedAt,
    DateTimeOffset DataFrom,
    DateTimeOffset DataTo,
    DateTimeOffset CalibrationFrom,
    DateTimeOffset TestFrom,
    IReadOnlyList<string> Features,
    PlattCalibration Calibration,
    int TrainRows,
    int CalibrationRows,
    int TestRows,
    IReadOnlyDictionary<string, double> TestMetrics,
    string Source,
    string Trees = "xgboost");

/// <summary>Platt scaling on the raw model's log-odds: p = 1 / (1 + exp(−(A·margin + B))), fitted on the calibration period.</summary>
public sealed record PlattCalibration(double A, double B)
{
    public static PlattCalibration Identity { get; } = new(1, 0);

    public double Apply(double margin) => 1 / (1 + Math.Exp(-(A * margin + B)));

    /// <summary>
    /// Fits A and B on the log-loss with Platt's smoothed targets (against overfitting), by Newton's method with a
    /// backtracking line search (Lin, Lin and Weng 2007). Plain Newton steps from (1, 0) diverge when the raw scores are
    /// on another scale than log-odds (FastTree's are about four times wider), hence the line search and the start at
    /// the prior's log-odds with a zero slope.
    /// </summary>
    public static PlattCalibration Fit(IReadOnlyList<float> margins, IReadOnlyList<float> labels)
    {
        double positives = labels.Count(l => l > 0.5), negatives = labels.Count - positives;
        double hi = (positives + 1) / (positives + 2), lo = 1 / (negatives + 2);
        double a = 0, b = Math.Log((positives + 1) / (negatives + 1));
        double Loss(double sa, double sb)
        {
            double loss = 0;
            for (var i = 0; i < margins.Count; i++)
            {
                var t = labels[i] > 0.5 ? hi : lo;
                var z = sa * margins[i] + sb;
                // −[t·log σ(z) + (1−t)·log(1−σ(z))], written so exp never overflows.
                loss += z >= 0 ? (1 - t) * z + Math.Log(1 + Math.Exp(-z)) : -t * z + Math.Log(1 + Math.Exp(z));
            }
            return loss;
        }
        var current = Loss(a, b);
        for (var iter = 0; iter < 100; iter++)
        {
            double g1 = 0, g2 = 0, h11 = 1e-12, h12 = 0, h22 = 1e-12;
            for (var i = 0; i < margins.Count; i++)
            {
                var t = labels[i] > 0.5 ? hi : lo;
                var z = a * margins[i] + b;
                var p = z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z));
                var d = p - t;
                var w = p * (1 - p);
                g1 += d * margins[i];
                g2 += d;
                h11 += w * margins[i] * margins[i];
                h12 += w * margins[i];
                h22 += w;
            }
            if (Math.Abs(g1) < 1e-7 && Math.Abs(g2) < 1e-7) break;
            var det = h11 * h22 - h12 * h12;
            if (Math.Abs(det) < 1e-18) break;
            var da = -(h22 * g1 - h12 * g2) / det;
            var db = -(h11 * g2 - h12 * g1) / det;
            var slope = g1 * da + g2 * db;
            var step = 1.0;
            while (step >= 1e-10)
            {
                var next = Loss(a + step * da, b + step * db);
                if (next < current + 1e-4 * step * slope)
                {
                    a += step * da;
                    b += step * db;
                    current = next;
                    break;
                }
                step /= 2;
            }
            if (step < 1e-10) break;
        }
        return new PlattCalibration(a, b);
    }
}

/// <summary>A trained, calibrated model: the trees plus what it needs to explain itself.</summary>
public sealed class RiskModel : IDisposable
{
    public RiskModel(IRiskTrees trees, RiskModelInfo info)
    {
        if (!info.Features.SequenceEqual(RiskFeatures.All.Select(f => f.Name)))
            throw new ArgumentException("the model's feature list differs from this build's; retrain");
        if (info.Trees != trees.Kind) throw new ArgumentException($"info says {info.Trees} trees, the file holds {trees.Kind}");
        Trees = trees;
        Info = info;
    }

    public IRiskTrees Trees { get; }

    public RiskModelInfo Info { get; }

    /// <summary>Calibrated probabilities for many rows (training, evaluation, batch scoring).</summary>
    public double[] Probabilities(float[] rows, int count) => Trees.Margins(rows, count).Select(x => Info.Calibration.Apply(x)).ToArray();

    /// <summary>Scores rows with their explanations; contributions are scaled by the Platt slope into calibrated log-odds.</summary>
    public RiskScore[] Score(float[] rows, int count, DateTimeOffset[] asOf, RiskThresholds thresholds, int top)
    {
        var n = RiskFeatures.Count;
        var margins = new float[count];
        var contributions = new float[count * n];
        Trees.Explain(rows, count, margins, contributions);
        var result = new RiskScore[count];
        for (var r = 0; r < count; r++)
        {
            var p = Info.Calibration.Apply(margins[r]);
            result[r] = new RiskScore(Math.Round(p, 4), thresholds.LevelOf(p), Info.Version, asOf[r],
                Explain(rows.AsSpan(r * n, n), contributions.AsSpan(r * n, n), Info.Calibration.A, top));
        }
        return result;
    }

    public RiskScore Score(float[] row, DateTimeOffset asOf, RiskThresholds thresholds, int top) =>
        Score(row, 1, [asOf], thresholds, top)[0];

    /// <summary>Sums contributions per feature group (a category's twelve one-hot columns are one "category"), largest first.</summary>
    private static RiskContribution[] Explain(ReadOnlySpan<float> row, ReadOnlySpan<float> contributions, double scale, int top)
    {
        var groups = new Dictionary<string, (double Value, int Lead)>();
        for (var i = 0; i < RiskFeatures.Count; i++)
        {
            var g = RiskFeatures.All[i].Group;
            var (v, lead) = groups.GetValueOrDefault(g, (0, i));
            // The column that names the group: for the category, the one-hot column that is set.
            if (g == "category" && row[i] > 0) lead = i;
            groups[g] = (v + contributions[i] * scale, lead);
        }
        var rowCopy = row.ToArray();
        return groups.Where(kv => Math.Abs(kv.Value.Value) >= 0.005).OrderByDescending(kv => Math.Abs(kv.Value.Value)).Take(top)
            .Select(kv =>
            {
                var (zh, en) = Describe(rowCopy, kv.Value.Lead, kv.Key);
                var v = Math.Round(kv.Value.Value, 3);
                return new RiskContribution(kv.Key, v, $"{zh} {ContributionText.Signed(v)}", $"{en} {ContributionText.Signed(v)}");
            }).ToArray();
    }

    private static (string Zh, string En) Describe(float[] row, int column, string group)
    {
        var f = RiskFeatures.All[column];
        if (group == "category") return (f.Zh, f.En);
        if (group == "season") return ("季节因素", "season");
        var value = row[column];
        var binary = f.Name.StartsWith("flag_", StringComparison.Ordinal) || f.Name.StartsWith("key_individual_", StringComparison.Ordinal)
            || f.Name is "referred" or "village_spiking" or "status_failed" or "status_mediating";
        if (binary) return value > 0 ? (f.Zh, f.En) : ($"无{f.Zh}", $"no {f.En}");
        if (f.Name == "amount_log10") return float.IsNaN(value) ? ("未报争议金额", "no amount reported") : ($"{f.Zh}¥{Math.Pow(10, value):N0}", $"{f.En} ¥{Math.Pow(10, value):N0}");
        if (f.Name == "days_open") return ($"{f.Zh}{value:F0}", $"{f.En} {value:F0}");
        return ($"{f.Zh}{value:0.#}", $"{f.En} {value:0.#}");
    }

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        Trees.Save(directory);
        File.WriteAllText(Path.Combine(directory, "info.json"), JsonSerializer.Serialize(Info, InfoJson));
    }

    /// <summary>Loads a saved model; a missing, truncated or corrupt file throws (the registry then keeps what is live).</summary>
    public static RiskModel Load(string directory)
    {
        var info = JsonSerializer.Deserialize<RiskModelInfo>(File.ReadAllText(Path.Combine(directory, "info.json")), InfoJson)
                   ?? throw new InvalidDataException($"{directory}/info.json is empty");
        // Models from before ML.NET (XGBoost's model.json, info.json without "trees") are not read any more: retrain.
        if (info.Trees == "xgboost") throw new NotSupportedException($"{directory} holds an XGBoost model, which this build no longer loads; retrain");
        IRiskTrees trees = MlNetTrees.Load(directory, info.Trees);
        try { return new RiskModel(trees, info); }
        catch { trees.Dispose(); throw; }
    }

    internal static readonly JsonSerializerOptions InfoJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public void Dispose() => Trees.Dispose();
}
