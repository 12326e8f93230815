namespace Warning.Analytics.Risk.Xgboost;

/// <summary>XGBoost trees behind <see cref="IRiskTrees"/>: margins, and SHAP values (bias dropped) as contributions.</summary>
public sealed class XgbTrees(XgbBooster booster) : IRiskTrees
{
    public const string FileName = "model.json";

    public XgbBooster Booster { get; } = booster;

    public string Kind => "xgboost";

    public float[] Margins(float[] rows, int count)
    {
        using var m = new XgbMatrix(rows, count, RiskFeatures.Count);
        return Booster.PredictMargin(m);
    }

    public void Explain(float[] rows, int count, Span<float> margins, Span<float> contributions)
    {
        using var m = new XgbMatrix(rows, count, RiskFeatures.Count);
        var shap = Booster.PredictContributions(m);
        var width = RiskFeatures.Count + 1;
        for (var r = 0; r < count; r++)
        {
            var slice = shap.AsSpan(r * width, width);
            float margin = 0;
            foreach (var v in slice) margin += v;
            margins[r] = margin;
            slice[..RiskFeatures.Count].CopyTo(contributions.Slice(r * RiskFeatures.Count, RiskFeatures.Count));
        }
    }

    public void Save(string directory) => File.WriteAllBytes(Path.Combine(directory, FileName), Booster.SaveJson());

    public static XgbTrees Load(string directory)
    {
        var booster = XgbBooster.LoadJson(File.ReadAllBytes(Path.Combine(directory, FileName)), RiskFeatures.Count);
        // Live scoring is one case per grain turn, many grains in parallel: OpenMP threads per call only add
        // start-up cost and contention on a busy machine, so predictions run on the calling thread.
        booster.SetParameter("nthread", "1");
        return new XgbTrees(booster);
    }

    public void Dispose() => Booster.Dispose();
}
