using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Warning.Analytics.Disputes;
using Warning.Analytics.Risk;
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
        var scorers = Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested || n < 50)
            {
                var s = Snapshot(t * 1000 + n++);
                var score = scorer.Score(s, s.OpenedAt.AddHours(3));
                seen.AddOrUpdate(score.Model, 1, (_, c) => c + 1);
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
            await Task.Delay(10);
        }
        stop.Cancel();
        var counts = await Task.WhenAll(scorers);
        Assert.All(counts, n => Assert.True(n >= 50));
        Assert.Subset(new HashSet<string> { "points", a.Info.Version, b.Info.Version }, seen.Keys.ToHashSet());
        Assert.Contains(b.Info.Version, seen.Keys);
        Assert.Equal(b.Info.Version, scorer.Score(Snapshot(7), Snapshot(7).OpenedAt.AddHours(3)).Model);

        // Both versions are on disk, complete, with no temporary folder left behind.
        Assert.Equal([a.Info.Version, b.Info.Version], Directory.GetDirectories(_directory).Select(d => Path.GetFileName(d)!).Order().ToArray());
        Assert.All(Directory.GetDirectories(_directory), d => Assert.True(File.Exists(Path.Combine(d, "model.json")) && File.Exists(Path.Combine(d, "info.json"))));
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

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
