using System.Diagnostics;
using Warning.Analytics.Risk.MlNet;

namespace Warning.Analytics.Risk;

public sealed record TrainingOptions
{
    /// <summary>Which trees: LightGbm by default (bench/risk-eval-dingxi-*.txt compares it with FastTree and the XGBoost it replaced).</summary>
    public RiskTrainerKind Trainer { get; init; } = RiskTrainerKind.LightGbm;

    public int Rounds { get; init; } = 200;
    public int MaxDepth { get; init; } = 4;
    public double LearningRate { get; init; } = 0.08;
    public int Threads { get; init; } = 2;
    public double MinChildWeight { get; init; } = 5;

    /// <summary>Smallest leaf in rows (LightGbm checks <see cref="MinChildWeight"/> too; FastTree only this).</summary>
    public int MinExamplesPerLeaf { get; init; } = 20;
    public int Seed { get; init; } = 7;

    /// <summary>Share of the period (by scoring time) used to train, then to calibrate; the rest is the test period.</summary>
    public double TrainShare { get; init; } = 0.6;
    public double CalibrationShare { get; init; } = 0.2;

    /// <summary>Training rows this close before the calibration period are dropped: their 30-day labels reach into it.</summary>
    public TimeSpan LabelHorizon { get; init; } = TimeSpan.FromDays(30);
}

public sealed record TrainingResult(RiskModel Model, TrainingSplit Split, double Seconds);

/// <summary>Row index ranges of a time-ordered split (rows sorted by scoring time).</summary>
public sealed record TrainingSplit(int[] Train, int[] Calibration, int[] Test, DateTimeOffset CalibrationFrom, DateTimeOffset TestFrom);

/// <summary>
/// Trains the escalation model on history with a time-ordered split: train on the earliest period (minus a 30-day
/// embargo, so no training label looks into the calibration period), fit Platt scaling on the next period, and keep the
/// latest period for the test metrics stored with the model.
/// </summary>
public static class RiskTrainer
{
    public static TrainingSplit Split(TrainingSet set, TrainingOptions options)
    {
        var span = set.To - set.From;
        var calibrationFrom = set.From + span * options.TrainShare;
        var testFrom = calibrationFrom + span * options.CalibrationShare;
        var train = new List<int>();
        var calibration = new List<int>();
        var test = new List<int>();
        for (var i = 0; i < set.Count; i++)
        {
            var at = set.Rows[i].At;
            if (at + options.LabelHorizon <= calibrationFrom) train.Add(i);
            else if (at >= calibrationFrom && at + options.LabelHorizon <= testFrom) calibration.Add(i);
            else if (at >= testFrom) test.Add(i);
        }
        return new TrainingSplit(train.ToArray(), calibration.ToArray(), test.ToArray(), calibrationFrom, testFrom);
    }

    public static TrainingResult Train(TrainingSet set, TrainingOptions options, string version, string source, Action<string>? progress = null)
    {
        var watch = Stopwatch.StartNew();
        var split = Split(set, options);
        if (split.Train.Length == 0 || split.Calibration.Length == 0)
            throw new InvalidOperationException($"not enough history: {split.Train.Length} training and {split.Calibration.Length} calibration rows");
        var (xTrain, yTrain) = Gather(set, split.Train);
        var trees = TrainTrees(xTrain, yTrain, split.Train.Length, options, progress);
        var (xCal, yCal) = Gather(set, split.Calibration);
        // The trainers' own calibrators are fixed or fitted on training rows; Platt is fitted here, on the calibration period.
        var margins = trees.Margins(xCal, split.Calibration.Length);
        var platt = PlattCalibration.Fit(margins, yCal);
        progress?.Invoke($"calibrated: A={platt.A:F3} B={platt.B:F3}");

        var metrics = new Dictionary<string, double>();
        var info = new RiskModelInfo(version, DateTimeOffset.UtcNow, set.From, set.To, split.CalibrationFrom, split.TestFrom,
            RiskFeatures.All.Select(f => f.Name).ToArray(), platt, split.Train.Length, split.Calibration.Length, split.Test.Length, metrics, source, trees.Kind);
        var model = new RiskModel(trees, info);
        if (split.Test.Length > 0)
        {
            var (xTest, yTest) = Gather(set, split.Test);
            var p = model.Probabilities(xTest, split.Test.Length);
            var labels = yTest.Select(y => y > 0.5).ToArray();
            metrics["auc"] = Math.Round(RiskMetrics.Auc(p, labels), 4);
            metrics["aupr"] = Math.Round(RiskMetrics.AveragePrecision(p, labels), 4);
            metrics["brier"] = Math.Round(RiskMetrics.Brier(p, labels), 5);
            metrics["base_rate"] = Math.Round(labels.Count(l => l) / (double)labels.Length, 5);
        }
        return new TrainingResult(model, split, watch.Elapsed.TotalSeconds);
    }

    /// <summary>Trains the trees alone (no calibration) on row-major rows: the trainer's and the benchmark's path.</summary>
    public static IRiskTrees TrainTrees(float[] x, float[] y, int count, TrainingOptions options, Action<string>? progress = null)
    {
        progress?.Invoke($"training {options.Rounds} boosting rounds ({MlNetTrees.KindOf(options.Trainer)}) on {count:N0} rows");
        var trees = MlNetTrees.Train(x, y, count, options.Trainer, options);
        // ML.NET's trainers report no rounds as they go; this step is written once all of them are done.
        progress?.Invoke($"trained: boosting round {options.Rounds}/{options.Rounds}");
        return trees;
    }

    public static (float[] X, float[] Y) Gather(TrainingSet set, int[] indices)
    {
        var n = RiskFeatures.Count;
        var x = new float[indices.Length * n];
        var y = new float[indices.Length];
        for (var k = 0; k < indices.Length; k++)
        {
            set.RowOf(indices[k]).CopyTo(x.AsSpan(k * n, n));
            y[k] = set.Rows[indices[k]].HarmWithin30Days ? 1 : 0;
        }
        return (x, y);
    }
}
