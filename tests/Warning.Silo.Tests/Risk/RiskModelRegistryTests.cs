using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Warning.Analytics.Disputes;
using Warning.Analytics.Risk;
using Warning.Analytics.Risk.MlNet;
using Warning.Analytics.Simulation;
using Warning.Silo.Risk;

namespace Warning.Silo.Tests.Risk;

public sealed class RiskModelRegistryTests : IDisposable
{
    private static readonly Lazy<TrainingSet> History = new(() =>
    {
        var from = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(8));
        return HistoryReplay.Build(CityGenerator.Generate(CityShape.Small, 3), new SimulatorOptions { Seed = 3, CasesPerVillagePerDay = 1.0 }, from, from.AddDays(365));
    });

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "warning-models-" + Guid.NewGuid().ToString("N"));

    private static RiskModel Train(string version, int rounds) =>
        RiskTrainer.Train(History.Value, new TrainingOptions { Rounds = rounds, Threads = 1 }, version, "test").Model;

    private static CaseSnapshot Snapshot(int i)
    {
        var opened = new DateTimeOffset(2025, 5, 1, 9, 0, 0, TimeSpan.FromHours(8)).AddHours(i);
        CaseFlag[] flags = i % 3 == 0 ? [CaseFlag.ThreatOfViolence] : [];
        return new CaseSnapshot((DisputeCategory)(i % 12), opened,
            [new SnapshotReport(opened, CaseStatus.Screened, (DisputeCategory)(i % 12), 2, 3 + i % 4, 5000 * (i % 7), 0, flags)],
            i % 2 == 0 ? [new SnapshotIncident(opened.AddHours(2), IncidentType.Threat)] : [], [], false);
    }

    [Fact]
    public async Task Swapping_models_under_load_drops_no_request_and_mixes_no_models()
    {
        var registry = new RiskModelRegistry(_directory, NullLogger<RiskModelRegistry>.Instance);
        var scorer = new CaseRiskScorer(registry, Options.Create(new RiskOptions()));
        var a = Train("risk-20250101000000", 15);
        var b = Train("risk-20250102000000", 25);
        Assert.Equal("points", scorer.Score(Snapshot(1), Snapshot(1).OpenedAt.AddHours(3)).Model);

        using var stop = new CancellationTokenSource();
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var total = 0;
        var scorers = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested || n < 50)
            {
                var s = Snapshot(t * 1000 + n++);
                var score = scorer.Score(s, s.OpenedAt.AddHours(3));
                seen.AddOrUpdate(score.Model, 1, (_, c) => c + 1);
                Interlocked.Increment(ref total);
                // A score's probability must be its own model's: recompute with that model alone.
                var model = score.Model == a.Info.Version ? a : score.Model == b.Info.Version ? b : null;
                var row = CaseFeatureExtractor.Default.Extract(s, s.OpenedAt.AddHours(3));
                var expected = model is null ? PointsScore.Score(row, default, new RiskThresholds(), 5).Probability : model.Score(row, default, new RiskThresholds(), 5).Probability;
                Assert.Equal(expected, score.Probability);
            }
            return n;
        })).ToArray();

        for (var i = 0; i < 20; i++)
        {
            if (i == 0) registry.Publish(a);
            else if (i == 10) registry.Publish(b);
            else registry.Swap(i < 10 ? a : b);
            // Every swap is scored through: a few requests land on each live model before the next swap.
            var before = Volatile.Read(ref total);
            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref total) >= before + 8, TimeSpan.FromMinutes(1)), "scorers stalled");
        }
        stop.Cancel();
        var counts = await Task.WhenAll(scorers);
        Assert.All(counts, n => Assert.True(n >= 50));
        Assert.Subset(new HashSet<string> { "points", a.Info.Version, b.Info.Version }, seen.Keys.ToHashSet());
        Assert.Contains(b.Info.Version, seen.Keys);
        Assert.Equal(b.Info.Version, scorer.Score(Snapshot(7), Snapshot(7).OpenedAt.AddHours(3)).Model);

        // Both versions are on disk, complete, with no temporary folder left behind.
        Assert.Equal([a.Info.Version, b.Info.Version], Directory.GetDirectories(_directory).Select(d => Path.GetFileName(d)!).Order().ToArray());
        Assert.All(Directory.GetDirectories(_directory), d => Assert.True(File.Exists(Path.Combine(d, Warning.Analytics.Risk.MlNet.MlNetTrees.FileName)) && File.Exists(Path.Combine(d, "info.json"))));
        Assert.Equal([b.Info.Version, a.Info.Version], registry.List().Select(i => i.Version).ToArray());
    }

    [Fact]
    public void Start_up_loads_the_newest_valid_model_and_skips_a_damaged_one()
    {
        var registry = new RiskModelRegistry(_directory, NullLogger<RiskModelRegistry>.Instance);
        Assert.Null(registry.LoadLatest());
        var a = Train("risk-20250101000000", 10);
        registry.Publish(a);
        var damaged = Path.Combine(_directory, "risk-20990101000000");
        Directory.CreateDirectory(damaged);
        File.WriteAllText(Path.Combine(damaged, "info.json"), "{ not json");

        var restarted = new RiskModelRegistry(_directory, NullLogger<RiskModelRegistry>.Instance);
        var loaded = restarted.LoadLatest();
        Assert.NotNull(loaded);
        Assert.Equal(a.Info.Version, loaded.Info.Version);
        Assert.Same(loaded, restarted.Live);
        var row = CaseFeatureExtractor.Default.Extract(Snapshot(3), Snapshot(3).OpenedAt.AddHours(1));
        Assert.Equal(a.Score(row, default, new RiskThresholds(), 5).Probability, loaded.Score(row, default, new RiskThresholds(), 5).Probability);
    }

    public enum Damage { Missing, Truncated, Corrupt }

    /// <summary>A newer version whose info.json is sound and whose model.zip is damaged as <paramref name="damage"/> says.</summary>
    private static string DamagedCopy(string directory, RiskModel of, string version, Damage damage)
    {
        var folder = Path.Combine(directory, version);
        Directory.CreateDirectory(folder);
        var source = Path.Combine(directory, of.Info.Version);
        var info = File.ReadAllText(Path.Combine(source, "info.json")).Replace(of.Info.Version, version, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(folder, "info.json"), info);
        var zip = File.ReadAllBytes(Path.Combine(source, MlNetTrees.FileName));
        var target = Path.Combine(folder, MlNetTrees.FileName);
        switch (damage)
        {
            case Damage.Truncated:
                File.WriteAllBytes(target, zip[..(zip.Length / 2)]);
                break;
            case Damage.Corrupt:
                // The zip's own structure intact at both ends, the compressed trees in the middle overwritten.
                var bytes = zip.ToArray();
                new Random(5).NextBytes(bytes.AsSpan(bytes.Length / 4, bytes.Length / 2));
                File.WriteAllBytes(target, bytes);
                break;
        }
        return folder;
    }

    [Theory]
    [InlineData(Damage.Missing)]
    [InlineData(Damage.Truncated)]
    [InlineData(Damage.Corrupt)]
    public void A_damaged_model_file_leaves_the_live_model_in_place_and_says_why(Damage damage)
    {
        var log = new ListLogger();
        var registry = new RiskModelRegistry(_directory, log);
        var a = Train("risk-20250101000000", 10);
        var live = registry.Publish(a);
        var damaged = DamagedCopy(_directory, a, "risk-20990101000000", damage);

        Assert.Same(live, registry.LoadLatest());
        Assert.Same(live, registry.Live);
        var warning = Assert.Single(log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains(damaged, warning.Message);
        Assert.Contains($"{a.Info.Version} stays live", warning.Message);
        Assert.NotNull(warning.Exception);

        // A restart passes over the damaged newer version to the older sound one.
        var restarted = new RiskModelRegistry(_directory, NullLogger<RiskModelRegistry>.Instance);
        Assert.Equal(a.Info.Version, restarted.LoadLatest()?.Info.Version);

        // With no sound version at all the points score answers, and says so.
        Directory.Delete(Path.Combine(_directory, a.Info.Version), recursive: true);
        var alone = new RiskModelRegistry(_directory, NullLogger<RiskModelRegistry>.Instance);
        Assert.Null(alone.LoadLatest());
        var scorer = new CaseRiskScorer(alone, Options.Create(new RiskOptions()));
        Assert.Equal(PointsScore.ModelName, scorer.Score(Snapshot(3), Snapshot(3).OpenedAt.AddHours(1)).Model);
    }

    [Fact]
    public void A_model_whose_files_cannot_be_read_back_is_not_published_and_the_live_one_stays()
    {
        var registry = new RiskModelRegistry(_directory, new ListLogger());
        var live = registry.Publish(Train("risk-20250101000000", 10));
        var broken = new RiskModel(new ThrowingTrees(), live.Info with { Version = "risk-20250102000000", Trees = ThrowingTrees.KindName });

        var ex = Assert.Throws<InvalidDataException>(() => registry.Publish(broken));
        Assert.Contains("risk-20250102000000", ex.Message);
        Assert.Same(live, registry.Live);
        // Nothing half-written is left for a restart to find.
        Assert.Equal([live.Info.Version], Directory.GetDirectories(_directory).Select(d => Path.GetFileName(d)!).ToArray());
    }

    [Fact]
    public void A_model_that_throws_while_scoring_gives_way_to_the_points_score_and_is_logged()
    {
        var registry = new RiskModelRegistry(_directory, NullLogger<RiskModelRegistry>.Instance);
        var info = Train("risk-20250101000000", 5).Info with { Trees = ThrowingTrees.KindName };
        registry.Swap(new RiskModel(new ThrowingTrees(), info));
        var log = new ListLogger();
        var scorer = new CaseRiskScorer(registry, Options.Create(new RiskOptions()), log);

        var one = scorer.Score(Snapshot(3), Snapshot(3).OpenedAt.AddHours(1));
        Assert.Equal(PointsScore.ModelName, one.Model);
        Assert.NotEmpty(one.Contributions);
        var batch = scorer.ScoreBatch([Snapshot(1), Snapshot(2)], [Snapshot(1).OpenedAt.AddHours(1), Snapshot(2).OpenedAt.AddHours(1)]);
        Assert.All(batch, s => Assert.Equal(PointsScore.ModelName, s.Model));
        Assert.Equal(2, log.Entries.Count(e => e.Level == LogLevel.Error && e.Message.Contains("trees are broken", StringComparison.Ordinal)));
    }

    /// <summary>Trees that fail every call, and whose saved file is not a model.</summary>
    private sealed class ThrowingTrees : IRiskTrees
    {
        public const string KindName = "mlnet-broken";
        public string Kind => KindName;
        public float[] Margins(float[] rows, int count) => throw new InvalidOperationException("trees are broken");
        public void Explain(float[] rows, int count, Span<float> margins, Span<float> contributions) => throw new InvalidOperationException("trees are broken");
        public void Save(string directory) => File.WriteAllText(Path.Combine(directory, MlNetTrees.FileName), "not a zip");
        public void Dispose() { }
    }

    private sealed class ListLogger : ILogger<RiskModelRegistry>, ILogger<CaseRiskScorer>
    {
        public System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = new();
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, formatter(state, exception), exception));
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
