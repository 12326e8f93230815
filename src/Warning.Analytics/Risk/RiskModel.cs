using System.Text.Json;
using Warning.Analytics.Risk.Xgboost;

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
    string Source);

/// <summary>Platt scaling on the raw model's log-odds: p = 1 / (1 + exp(−(A·margin + B))), fitted on the calibration period.</summary>
public sealed record PlattCalibration(double A, double B)
{
    public static PlattCalibration Identity { get; } = new(1, 0);

    public double Apply(double margin) => 1 / (1 + Math.Exp(-(A * margin + B)));

    /// <summary>Fits A and B by Newton's method on the log-loss (with Platt's smoothed targets against overfitting).</summary>
    public static PlattCalibration Fit(IReadOnlyList<float> margins, IReadOnlyList<float> labels)
    {
        double positives = labels.Count(l => l > 0.5), negatives = labels.Count - positives;
        double hi = (positives + 1) / (positives + 2), lo = 1 / (negatives + 2);
        double a = 1, b = 0;
        for (var iter = 0; iter < 50; iter++)
        {
            double g1 = 0, g2 = 0, h11 = 1e-9, h12 = 0, h22 = 1e-9;
            for (var i = 0; i < margins.Count; i++)
            {
                var t = labels[i] > 0.5 ? hi : lo;
                var p = 1 / (1 + Math.Exp(-(a * margins[i] + b)));
                var d = p - t;
                var w = p * (1 - p);
                g1 += d * margins[i];
                g2 += d;
                h11 += w * margins[i] * margins[i];
                h12 += w * margins[i];
                h22 += w;
            }
            var det = h11 * h22 - h12 * h12;
            if (Math.Abs(det) < 1e-12) break;
            var da = (h22 * g1 - h12 * g2) / det;
            var db = (h11 * g2 - h12 * g1) / det;
            a -= da;
            b -= db;
            if (Math.Abs(da) + Math.Abs(db) < 1e-9) break;
        }
        return new PlattCalibration(a, b);
    }
}

/// <summary>A trained, calibrated model: the booster plus what it needs to explain itself.</summary>
public sealed class RiskModel : IDisposable
{
    public RiskModel(XgbBooster booster, RiskModelInfo info)
    {
        if (booster.Features != RiskFeatures.Count) throw new ArgumentException($"model has {booster.Features} features, scoring has {RiskFeatures.Count}");
        if (!info.Features.SequenceEqual(RiskFeatures.All.Select(f => f.Name)))
            throw new ArgumentException("the model's feature list differs from this build's; retrain");
        Booster = booster;
        Info = info;
        // Live scoring is one case per grain turn, many grains in parallel: OpenMP threads per call only add
        // start-up cost and contention on a busy machine, so predictions run on the calling thread.
        booster.SetParameter("nthread", "1");
    }

    public XgbBooster Booster { get; }

    public RiskModelInfo Info { get; }

    /// <summary>Calibrated probabilities for many rows (training, evaluation, batch scoring).</summary>
    public double[] Probabilities(float[] rows, int count)
    {
        using var m = new XgbMatrix(rows, count, RiskFeatures.Count);
        return Booster.PredictMargin(m).Select(x => Info.Calibration.Apply(x)).ToArray();
    }

    /// <summary>Scores rows with their explanations; contributions are SHAP values scaled into calibrated log-odds.</summary>
    public RiskScore[] Score(float[] rows, int count, DateTimeOffset[] asOf, RiskThresholds thresholds, int top)
    {
        using var m = new XgbMatrix(rows, count, RiskFeatures.Count);
        var contribs = Booster.PredictContributions(m);
        var width = RiskFeatures.Count + 1;
        var result = new RiskScore[count];
        for (var r = 0; r < count; r++)
        {
            var slice = contribs.AsSpan(r * width, width);
            double margin = 0;
            foreach (var v in slice) margin += v;
            var p = Info.Calibration.Apply(margin);
            result[r] = new RiskScore(Math.Round(p, 4), thresholds.LevelOf(p), Info.Version, asOf[r],
                Explain(rows.AsSpan(r * RiskFeatures.Count, RiskFeatures.Count), slice, Info.Calibration.A, top));
        }
        return result;
    }

    public RiskScore Score(float[] row, DateTimeOffset asOf, RiskThresholds thresholds, int top) =>
        Score(row, 1, [asOf], thresholds, top)[0];

    /// <summary>Sums SHAP values per feature group (a category's twelve one-hot columns are one "category"), largest first.</summary>
    private static RiskContribution[] Explain(ReadOnlySpan<float> row, ReadOnlySpan<float> shap, double scale, int top)
    {
        var groups = new Dictionary<string, (double Value, int Lead)>();
        for (var i = 0; i < RiskFeatures.Count; i++)
        {
            var g = RiskFeatures.All[i].Group;
            var (v, lead) = groups.GetValueOrDefault(g, (0, i));
            // The column that names the group: for the category, the one-hot column that is set.
            if (g == "category" && row[i] > 0) lead = i;
            groups[g] = (v + shap[i] * scale, lead);
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
        File.WriteAllBytes(Path.Combine(directory, "model.json"), Booster.SaveJson());
        File.WriteAllText(Path.Combine(directory, "info.json"), JsonSerializer.Serialize(Info, InfoJson));
    }

    public static RiskModel Load(string directory)
    {
        var info = JsonSerializer.Deserialize<RiskModelInfo>(File.ReadAllText(Path.Combine(directory, "info.json")), InfoJson)
                   ?? throw new InvalidDataException($"{directory}/info.json is empty");
        var booster = XgbBooster.LoadJson(File.ReadAllBytes(Path.Combine(directory, "model.json")), info.Features.Count);
        try { return new RiskModel(booster, info); }
        catch { booster.Dispose(); throw; }
    }

    internal static readonly JsonSerializerOptions InfoJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public void Dispose() => Booster.Dispose();
}
