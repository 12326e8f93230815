using Warning.Analytics.Risk;
using Warning.Analytics.Risk.MlNet;

namespace Warning.Analytics.Tests.Risk;

/// <summary>ML.NET's trees on a synthetic world where the truth is known: ranking, explanations, files and concurrency.</summary>
public sealed class MlNetTreesTests : IClassFixture<MlNetTreesTests.Trained>
{
    private static readonly int N = RiskFeatures.Count;

    /// <summary>y ~ Bernoulli(logistic(3·x13 − 2·x14 + x15 − 1)); every other column is noise, and column 22 is missing for a third of rows.</summary>
    private static (float[] X, float[] Y, double[] TrueP) Synthetic(int rows, int seed)
    {
        var random = new Random(seed);
        var x = new float[rows * N];
        var y = new float[rows];
        var p = new double[rows];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < N; j++) x[i * N + j] = (float)random.NextDouble();
            if (i % 3 == 0) x[i * N + 22] = float.NaN;
            p[i] = 1 / (1 + Math.Exp(-(3 * x[i * N + 13] - 2 * x[i * N + 14] + x[i * N + 15] - 1)));
            y[i] = random.NextDouble() < p[i] ? 1 : 0;
        }
        return (x, y, p);
    }

    public sealed class Trained : IDisposable
    {
        public Dictionary<RiskTrainerKind, IRiskTrees> Trees { get; } = Enum.GetValues<RiskTrainerKind>().ToDictionary(k => k, k =>
        {
            var (x, y, _) = Synthetic(6000, 1);
            return RiskTrainer.TrainTrees(x, y, 6000, new TrainingOptions { Trainer = k, Rounds = 60, Threads = 1 });
        });

        public void Dispose()
        {
            foreach (var t in Trees.Values) t.Dispose();
        }
    }

    private readonly Trained _trained;

    public MlNetTreesTests(Trained trained) => _trained = trained;

    public static TheoryData<RiskTrainerKind> Trainers => [.. Enum.GetValues<RiskTrainerKind>()];

    [Theory]
    [MemberData(nameof(Trainers))]
    public void Ranks_like_the_truth_and_explains_with_the_columns_that_matter(RiskTrainerKind kind)
    {
        var trees = _trained.Trees[kind];
        Assert.Equal(MlNetTrees.KindOf(kind), trees.Kind);
        var (x, y, truth) = Synthetic(2000, 2);
        var labels = y.Select(v => v > 0.5).ToArray();
        var margins = trees.Margins(x, 2000);
        var auc = RiskMetrics.Auc(margins.Select(m => (double)m).ToArray(), labels);
        Assert.True(auc > RiskMetrics.Auc(truth, labels) - 0.04, $"{kind} AUC {auc:F3}");

        var explained = new float[2000];
        var contributions = new float[2000 * N];
        trees.Explain(x, 2000, explained, contributions);
        Assert.Equal(margins, explained);
        // Contributions across rows spread most on the informative columns (3, −2, 1) and least on noise.
        var spread = Enumerable.Range(0, N).Select(c => Enumerable.Range(0, 2000).Select(r => contributions[r * N + c]).ToArray())
            .Select(v => v.Max() - v.Min()).ToArray();
        var noise = Enumerable.Range(0, N).Where(c => c is not (13 or 14 or 15)).Max(c => spread[c]);
        Assert.True(spread[13] > noise && spread[14] > noise, $"{kind}: x13 {spread[13]:F3}, x14 {spread[14]:F3}, widest noise {noise:F3}");
        // Raising the strongest column raises the score, and its contribution moves with it.
        var low = x[..N];
        var high = low.ToArray();
        low[13] = 0.05f;
        high[13] = 0.95f;
        Span<float> m = stackalloc float[1];
        var cLow = new float[N];
        var cHigh = new float[N];
        trees.Explain(low, 1, m, cLow);
        var mLow = m[0];
        trees.Explain(high, 1, m, cHigh);
        Assert.True(m[0] > mLow && cHigh[13] > cLow[13], $"{kind}: margin {mLow:F3} → {m[0]:F3}, contribution {cLow[13]:F3} → {cHigh[13]:F3}");
    }

    [Theory]
    [MemberData(nameof(Trainers))]
    public void A_saved_model_file_loads_and_scores_and_explains_identically(RiskTrainerKind kind)
    {
        var trees = _trained.Trees[kind];
        var dir = Path.Combine(Path.GetTempPath(), "mlnet-trees-" + Guid.NewGuid().ToString("N"));
        try
        {
            trees.Save(dir);
            using var zip = System.IO.Compression.ZipFile.OpenRead(Path.Combine(dir, MlNetTrees.FileName));
            Assert.NotEmpty(zip.Entries);
            using var loaded = MlNetTrees.Load(dir, trees.Kind);
            var (x, _, _) = Synthetic(300, 4);
            var (m1, c1) = (new float[300], new float[300 * N]);
            var (m2, c2) = (new float[300], new float[300 * N]);
            trees.Explain(x, 300, m1, c1);
            loaded.Explain(x, 300, m2, c2);
            Assert.Equal(m1, m2);
            Assert.Equal(c1, c2);
            Assert.Equal(trees.Margins(x, 300), loaded.Margins(x, 300));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Concurrent_callers_get_what_one_caller_gets()
    {
        var trees = _trained.Trees[RiskTrainerKind.LightGbm];
        var inputs = Enumerable.Range(0, 16).Select(i => (Rows: 1 + i * 7, X: Synthetic(1 + i * 7, 100 + i).X)).ToArray();
        var expected = inputs.Select(input =>
        {
            var m = new float[input.Rows];
            var c = new float[input.Rows * N];
            trees.Explain(input.X, input.Rows, m, c);
            return (M: m, C: c, Margins: trees.Margins(input.X, input.Rows));
        }).ToArray();

        // More callers than cores, so engines are taken and returned while others are in use.
        var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var round = 0; round < 40; round++)
            {
                var i = (t * 5 + round) % inputs.Length;
                var m = new float[inputs[i].Rows];
                var c = new float[inputs[i].Rows * N];
                trees.Explain(inputs[i].X, inputs[i].Rows, m, c);
                Assert.Equal(expected[i].M, m);
                Assert.Equal(expected[i].C, c);
                if (round % 8 == 0) Assert.Equal(expected[i].Margins, trees.Margins(inputs[i].X, inputs[i].Rows));
            }
        }));
        await Task.WhenAll(tasks);
    }

    [Fact]
    public void A_file_that_is_not_a_risk_model_is_refused_on_load()
    {
        var dir = Path.Combine(Path.GetTempPath(), "mlnet-trees-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            Assert.ThrowsAny<Exception>(() => MlNetTrees.Load(dir, "mlnet-lightgbm"));
            File.WriteAllText(Path.Combine(dir, MlNetTrees.FileName), "not a zip");
            Assert.ThrowsAny<Exception>(() => MlNetTrees.Load(dir, "mlnet-lightgbm"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
