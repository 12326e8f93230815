namespace Warning.Analytics.Risk;

/// <summary>Which gradient-boosted trees a model is trained with (<c>Risk:Trainer</c>).</summary>
public enum RiskTrainerKind { LightGbm, FastTree }

/// <summary>
/// The trees behind a <see cref="RiskModel"/>: raw scores (the ensemble's log-odds scale, before Platt scaling) and
/// per-feature contributions on that scale. Implementations are safe to call from many threads at once.
/// </summary>
public interface IRiskTrees : IDisposable
{
    /// <summary>What trained the trees, e.g. <c>mlnet-lightgbm</c>; kept in the model's info.</summary>
    string Kind { get; }

    /// <summary>Raw scores, one per row of the row-major <paramref name="rows"/>.</summary>
    float[] Margins(float[] rows, int count);

    /// <summary>Raw scores into <paramref name="margins"/> and <see cref="RiskFeatures.Count"/> contributions per row into <paramref name="contributions"/>.</summary>
    void Explain(float[] rows, int count, Span<float> margins, Span<float> contributions);

    /// <summary>Writes the trees' own file(s) into <paramref name="directory"/>.</summary>
    void Save(string directory);
}
