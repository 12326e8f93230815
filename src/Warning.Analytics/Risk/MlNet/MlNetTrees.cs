using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace Warning.Analytics.Risk.MlNet;

/// <summary>
/// Gradient-boosted trees trained by ML.NET (LightGbm or FastTree), with explanations from
/// <c>CalculateFeatureContribution</c>. The model file is an ML.NET model (<c>model.zip</c>): the trainer's prediction
/// transformer followed by the feature-contribution transformer, so a loaded file scores and explains like the fresh one.
/// <para>
/// Thread safety: a <see cref="PredictionEngine{TSrc,TDst}"/> reuses its buffers and is not safe to share, so single
/// scoring goes through a pool of engines (one per concurrent caller at most; an engine is never used by two callers
/// at once). Margins alone (training, calibration, evaluation: many rows, no explanations) go through
/// <see cref="ITransformer.Transform"/> with a cursor of their own, which is safe to call concurrently. Prediction and contributions are ML.NET's managed tree code (LightGbm's trees are converted to it when
/// training ends), so no native state is shared between calls.
/// </para>
/// </summary>
public sealed class MlNetTrees : IRiskTrees
{
    public const string FileName = "model.zip";

    private const string ScoreColumn = "Score";

    private readonly MLContext _ml;
    private readonly ITransformer _chain;
    private readonly ITransformer _predictor;
    private readonly ConcurrentBag<Engine> _engines = [];

    private MlNetTrees(MLContext ml, ITransformer chain, string kind)
    {
        _ml = ml;
        _chain = chain;
        // The chain's first step scores; the margins-only path skips the contributions step after it.
        _predictor = ((IEnumerable<ITransformer>)chain).First();
        Kind = kind;
    }

    public string Kind { get; }

    public static string KindOf(RiskTrainerKind trainer) => trainer switch
    {
        RiskTrainerKind.LightGbm => "mlnet-lightgbm",
        RiskTrainerKind.FastTree => "mlnet-fasttree",
        _ => throw new ArgumentOutOfRangeException(nameof(trainer), trainer, "not an ML.NET trainer"),
    };

    /// <summary>Trains on <paramref name="count"/> row-major rows of <see cref="RiskFeatures.Count"/> features with 0/1 labels.</summary>
    public static MlNetTrees Train(float[] x, float[] y, int count, RiskTrainerKind trainer, TrainingOptions o)
    {
        var ml = new MLContext(o.Seed);
        var data = ml.Data.LoadFromEnumerable(Labelled(x, y, count), LabelledSchema);
        ITransformer chain;
        switch (trainer)
        {
            case RiskTrainerKind.LightGbm:
            {
                // The settings of the XGBoost model this replaced, in LightGbm's words: depth-limited trees, a minimum hessian per leaf,
                // row and column subsampling. LightGbm grows leaf-wise, so the leaf cap is the depth's 2^depth.
                var model = ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
                {
                    NumberOfIterations = o.Rounds,
                    LearningRate = o.LearningRate,
                    NumberOfLeaves = 1 << o.MaxDepth,
                    MinimumExampleCountPerLeaf = o.MinExamplesPerLeaf,
                    NumberOfThreads = o.Threads,
                    Seed = o.Seed,
                    HandleMissingValue = true,
                    UseCategoricalSplit = false,
                    Silent = true,
                    Verbose = false,
                    Booster = new GradientBooster.Options
                    {
                        MaximumTreeDepth = o.MaxDepth,
                        MinimumChildWeight = o.MinChildWeight,
                        SubsampleFraction = 0.8,
                        SubsampleFrequency = 1,
                        FeatureFraction = 0.9,
                    },
                }).Fit(data);
                chain = WithContributions(ml, model, data);
                break;
            }
            case RiskTrainerKind.FastTree:
            {
                // FastTree has no hessian floor and no depth limit: leaves are capped like LightGbm's, the floor is a row count.
                var model = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
                {
                    NumberOfTrees = o.Rounds,
                    LearningRate = o.LearningRate,
                    NumberOfLeaves = 1 << o.MaxDepth,
                    MinimumExampleCountPerLeaf = o.MinExamplesPerLeaf,
                    NumberOfThreads = o.Threads,
                    Seed = o.Seed,
                    FeatureFraction = 0.9,
                    BaggingSize = 1,
                    BaggingExampleFraction = 0.8,
                }).Fit(data);
                chain = WithContributions(ml, model, data);
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(trainer), trainer, "not an ML.NET trainer");
        }
        return new MlNetTrees(ml, chain, KindOf(trainer));
    }

    /// <summary>The scorer followed by the contributions of all features, unnormalised (raw score units): what model.zip holds.</summary>
    private static ITransformer WithContributions<TModel>(MLContext ml, BinaryPredictionTransformer<CalibratedModelParametersBase<TModel, PlattCalibrator>> model, IDataView data)
        where TModel : class, ICalculateFeatureContribution =>
        model.Append(ml.Transforms.CalculateFeatureContribution(model, RiskFeatures.Count, RiskFeatures.Count, normalize: false).Fit(model.Transform(data)));

    /// <summary>
    /// Loads <c>model.zip</c> from <paramref name="directory"/> and scores one probe row, so a file that loads but cannot
    /// score (a different schema, a damaged tree) fails here and not in a grain's turn.
    /// </summary>
    public static MlNetTrees Load(string directory, string kind)
    {
        var ml = new MLContext(0);
        ITransformer chain;
        using (var stream = File.OpenRead(Path.Combine(directory, FileName)))
            chain = ml.Model.Load(stream, out _);
        if (chain is not IEnumerable<ITransformer> steps || steps.Count() != 2)
            throw new InvalidDataException($"{directory}/{FileName} is not a risk model: expected a scorer followed by feature contributions");
        var trees = new MlNetTrees(ml, chain, kind);
        var probe = new float[RiskFeatures.Count];
        probe[0] = 1;
        Span<float> margin = stackalloc float[1];
        var contributions = new float[RiskFeatures.Count];
        trees.Explain(probe, 1, margin, contributions);
        if (!float.IsFinite(margin[0])) throw new InvalidDataException($"{directory}/{FileName} scores a probe row as {margin[0]}");
        return trees;
    }

    public void Save(string directory)
    {
        Directory.CreateDirectory(directory);
        using var stream = File.Create(Path.Combine(directory, FileName));
        _ml.Model.Save(_chain, InputSchemaOf(_ml), stream);
    }

    public float[] Margins(float[] rows, int count)
    {
        var result = new float[count];
        var scored = _predictor.Transform(_ml.Data.LoadFromEnumerable(Unlabelled(rows, count), InputSchema));
        var column = scored.Schema[ScoreColumn];
        using var cursor = scored.GetRowCursor([column]);
        var score = cursor.GetGetter<float>(column);
        var i = 0;
        while (cursor.MoveNext()) score(ref result[i++]);
        if (i != count) throw new InvalidOperationException($"scored {i} of {count} rows");
        return result;
    }

    public void Explain(float[] rows, int count, Span<float> margins, Span<float> contributions)
    {
        var n = RiskFeatures.Count;
        if (rows.Length < count * n || margins.Length < count || contributions.Length < count * n) throw new ArgumentException("spans are shorter than the rows");
        // A pooled engine, rows one by one: for one case (a grain's turn) and for batches alike, measured faster per
        // row than a data view through Transform (bench/risk.sh), and the engine is this call's alone until returned.
        if (!_engines.TryTake(out var engine)) engine = new Engine(_ml.Model.CreatePredictionEngine<Input, Output>(_chain, inputSchemaDefinition: InputSchema));
        try
        {
            for (var r = 0; r < count; r++)
            {
                rows.AsSpan(r * n, n).CopyTo(engine.Input.Features);
                engine.Predictor.Predict(engine.Input, ref engine.Output);
                margins[r] = engine.Output.Score;
                engine.Output.FeatureContributions.AsSpan(0, n).CopyTo(contributions.Slice(r * n, n));
            }
        }
        finally
        {
            _engines.Add(engine);
        }
    }

    public void Dispose()
    {
        // PredictionEngine holds no native resources; dropping the pool lets the collector take them.
        while (_engines.TryTake(out var engine)) engine.Predictor.Dispose();
    }

    private sealed class Engine(PredictionEngine<Input, Output> predictor)
    {
        public readonly PredictionEngine<Input, Output> Predictor = predictor;
        public readonly Input Input = new() { Features = new float[RiskFeatures.Count] };
        public Output Output = new();
    }

    private sealed class Input
    {
        public float[] Features { get; set; } = [];
    }

    private sealed class LabelledInput
    {
        public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    private sealed class Output
    {
        public float Score { get; set; }
        public float[] FeatureContributions { get; set; } = [];
    }

    private static IEnumerable<Input> Unlabelled(float[] rows, int count)
    {
        var n = RiskFeatures.Count;
        for (var i = 0; i < count; i++) yield return new Input { Features = rows.AsSpan(i * n, n).ToArray() };
    }

    // Rows are produced as the trainer reads them: a million rows are not held twice as objects.
    private static IEnumerable<LabelledInput> Labelled(float[] x, float[] y, int count)
    {
        var n = RiskFeatures.Count;
        for (var i = 0; i < count; i++) yield return new LabelledInput { Features = x.AsSpan(i * n, n).ToArray(), Label = y[i] > 0.5f };
    }

    private static SchemaDefinition WithFeatureVector(SchemaDefinition schema)
    {
        // The width is the feature list's, known at run time; attributes would need a constant.
        schema[nameof(Input.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, RiskFeatures.Count);
        return schema;
    }

    private static readonly SchemaDefinition InputSchema = WithFeatureVector(SchemaDefinition.Create(typeof(Input)));
    private static readonly SchemaDefinition LabelledSchema = WithFeatureVector(SchemaDefinition.Create(typeof(LabelledInput)));

    private static DataViewSchema InputSchemaOf(MLContext ml) => ml.Data.LoadFromEnumerable(Array.Empty<Input>(), InputSchema).Schema;
}
