using Warning.Analytics.Risk;
using Warning.Analytics.Risk.Xgboost;

namespace Warning.Analytics.Tests.Risk;

public sealed class XgboostBindingTests
{
    private const int Columns = 4;

    /// <summary>A logistic world: y ~ Bernoulli(logistic(2·x0 − 1.5·x1 + x2 − 0.5)), x3 is noise.</summary>
    private static (float[] X, float[] Y, double[] TrueP) Synthetic(int rows, int seed)
    {
        var random = new Random(seed);
        var x = new float[rows * Columns];
        var y = new float[rows];
        var p = new double[rows];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < Columns; j++) x[i * Columns + j] = (float)random.NextDouble();
            p[i] = 1 / (1 + Math.Exp(-(2 * x[i * Columns] - 1.5 * x[i * Columns + 1] + x[i * Columns + 2] - 0.5)));
            y[i] = random.NextDouble() < p[i] ? 1 : 0;
        }
        return (x, y, p);
    }

    private static XgbBooster TrainSynthetic(int rows = 4000)
    {
        var (x, y, _) = Synthetic(rows, 1);
        using var train = new XgbMatrix(x, rows, Columns, y);
        return XgbBooster.Train(train, RiskTrainer.Parameters(new TrainingOptions { MaxDepth = 3, Threads = 1 }), 60);
    }

    [Fact]
    public void Library_is_the_one_installed()
    {
        var (major, minor, _) = XgbBooster.LibraryVersion();
        Assert.True(major >= 1 && (major > 1 || minor >= 6), $"libxgboost {major}.{minor}");
    }

    [Fact]
    public void Trains_and_predicts_probabilities_that_rank_like_the_truth()
    {
        using var booster = TrainSynthetic();
        var (x, y, truth) = Synthetic(2000, 2);
        using var test = new XgbMatrix(x, 2000, Columns);
        var p = booster.PredictProbability(test);
        Assert.All(p, v => Assert.InRange(v, 0f, 1f));
        var labels = y.Select(v => v > 0.5).ToArray();
        var modelAuc = RiskMetrics.Auc(p.Select(v => (double)v).ToArray(), labels);
        var truthAuc = RiskMetrics.Auc(truth, labels);
        Assert.True(modelAuc > truthAuc - 0.04, $"model AUC {modelAuc:F3} vs true-probability AUC {truthAuc:F3}");
    }

    [Fact]
    public void Contributions_have_bias_last_and_sum_to_the_margin()
    {
        using var booster = TrainSynthetic();
        var (x, _, _) = Synthetic(50, 3);
        using var m = new XgbMatrix(x, 50, Columns);
        var margin = booster.PredictMargin(m);
        var contributions = booster.PredictContributions(m);
        Assert.Equal(50 * (Columns + 1), contributions.Length);
        var bias = contributions[Columns];
        for (var r = 0; r < 50; r++)
        {
            var row = contributions.AsSpan(r * (Columns + 1), Columns + 1);
            var sum = 0.0;
            foreach (var v in row) sum += v;
            Assert.Equal(margin[r], sum, 3);
            Assert.Equal(bias, row[Columns], 5); // the bias is the same expected margin for every row
        }
        // Coefficients 2, −1.5, 1 and 0: the contributions' spread across rows follows them, the noise column least.
        var spread = Enumerable.Range(0, Columns).Select(c => Enumerable.Range(0, 50).Select(r => contributions[r * (Columns + 1) + c]).ToArray())
            .Select(v => v.Max() - v.Min()).ToArray();
        Assert.True(spread[0] > spread[2] && spread[1] > spread[2], string.Join(", ", spread));
        Assert.True(spread[3] < spread[2] / 2, "the noise column should matter little: " + string.Join(", ", spread));
    }

    [Fact]
    public void Saves_and_loads_json_with_identical_predictions()
    {
        using var booster = TrainSynthetic();
        var json = booster.SaveJson();
        Assert.Equal((byte)'{', json[0]);
        using var loaded = XgbBooster.LoadJson(json, Columns);
        var (x, _, _) = Synthetic(100, 4);
        using var m = new XgbMatrix(x, 100, Columns);
        Assert.Equal(booster.PredictProbability(m), loaded.PredictProbability(m));
        Assert.Equal(booster.PredictContributions(m), loaded.PredictContributions(m));
    }

    [Fact]
    public void Native_errors_become_exceptions_with_xgboosts_message()
    {
        var ex = Assert.Throws<XgboostException>(() => XgbBooster.LoadJson("{\"not\": \"a model\"}"u8.ToArray(), Columns));
        Assert.Equal("XGBoosterLoadModelFromBuffer", ex.Call);
        Assert.False(string.IsNullOrWhiteSpace(ex.NativeMessage));

        var (x, y, _) = Synthetic(10, 5);
        using var m = new XgbMatrix(x, 10, Columns, y);
        var bad = Assert.Throws<XgboostException>(() => XgbBooster.Train(m, new Dictionary<string, string> { ["objective"] = "no:such_objective" }, 1));
        Assert.Contains("no:such_objective", bad.NativeMessage);
    }

    [Fact]
    public void Shapes_are_checked_before_native_calls()
    {
        Assert.Throws<ArgumentException>(() => new XgbMatrix(new float[7], 2, 4));
        using var booster = TrainSynthetic(500);
        using var wrong = new XgbMatrix(new float[6], 2, 3);
        Assert.Throws<ArgumentException>(() => booster.PredictProbability(wrong));
    }

    [Fact]
    public async Task Concurrent_predictions_equal_sequential_ones()
    {
        using var booster = TrainSynthetic();
        var inputs = Enumerable.Range(0, 16).Select(i => Synthetic(1 + i * 7, 100 + i).X).ToArray();
        var expected = inputs.Select((x, i) =>
        {
            using var m = new XgbMatrix(x, 1 + i * 7, Columns);
            return (P: booster.PredictProbability(m), C: booster.PredictContributions(m));
        }).ToArray();

        var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var round = 0; round < 60; round++)
            {
                var i = (t * 5 + round) % inputs.Length;
                using var m = new XgbMatrix(inputs[i], 1 + i * 7, Columns);
                Assert.Equal(expected[i].P, booster.PredictProbability(m));
                Assert.Equal(expected[i].C, booster.PredictContributions(m));
            }
        }));
        await Task.WhenAll(tasks);
    }

    [Fact]
    public void Disposed_handles_are_released_once()
    {
        var booster = TrainSynthetic(200);
        booster.Dispose();
        booster.Dispose(); // SafeHandle: the native free runs once
        using var m = new XgbMatrix(new float[Columns], 1, Columns);
        Assert.Throws<ObjectDisposedException>(() => booster.PredictProbability(m));
    }
}
