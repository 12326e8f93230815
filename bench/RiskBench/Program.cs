// Risk benchmark: scoring latency (features + trees + feature contributions + words) for one case and per case in
// batches of 1,000, and training time for 1 million rows, for each trainer named in RISK_TRAINERS (default
// lightgbm,fasttree). Usage: dotnet run --project bench/RiskBench -c Release -- [trainingRows=1000000]
using System.Diagnostics;
using System.Globalization;
using Warning.Analytics.Disputes;
using Warning.Analytics.Risk;
using Warning.Analytics.Simulation;

var trainingRows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var from = new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.FromHours(8));
var city = CityGenerator.Generate(CityShape.Small, 11);
var set = HistoryReplay.Build(city, new SimulatorOptions { Seed = 11, CasesPerVillagePerDay = 2.0 }, from, from.AddDays(730));
var trainers = (Environment.GetEnvironmentVariable("RISK_TRAINERS") ?? "lightgbm,fasttree").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
    .Select(t => Enum.Parse<RiskTrainerKind>(t, ignoreCase: true)).ToArray();
var thresholds = new RiskThresholds();
var extractor = CaseFeatureExtractor.Default;

// Realistic snapshots: a few reports and incidents each, drawn with a fixed seed.
var random = new Random(5);
CaseSnapshot Snapshot()
{
    var opened = from.AddDays(random.Next(0, 700));
    var category = (DisputeCategory)random.Next(0, 12);
    var reports = new List<SnapshotReport>();
    var n = random.Next(1, 7);
    for (var i = 0; i < n; i++)
    {
        var flags = Enum.GetValues<CaseFlag>().Where(_ => random.NextDouble() < 0.1).ToArray();
        var status = i == 0 ? CaseStatus.Screened : random.NextDouble() < 0.5 ? CaseStatus.Mediating : CaseStatus.Failed;
        reports.Add(new SnapshotReport(opened.AddDays(i * 2), status, category, 2, 3 + random.Next(5), random.NextDouble() < 0.5 ? random.Next(1000, 200_000) : null, i, flags));
    }
    var incidents = Enumerable.Range(0, random.Next(0, 4)).Select(i => new SnapshotIncident(opened.AddDays(i * 3 + 1), random.NextDouble() < 0.7 ? IncidentType.Threat : IncidentType.PetitionVisit)).ToArray();
    return new CaseSnapshot(category, opened, reports, incidents, random.NextDouble() < 0.05 ? [SupervisionBasis.DocumentedThreat] : [], false);
}
var snapshots = Enumerable.Range(0, 2000).Select(_ => Snapshot()).ToArray();
DateTimeOffset AsOf(CaseSnapshot s) => s.Reports[^1].At.AddHours(1);

static (double P50, double P99) Percentiles(List<double> micros)
{
    micros.Sort();
    return (micros[micros.Count / 2], micros[(int)(micros.Count * 0.99)]);
}

var lines = new List<string>();
foreach (var trainer in trainers)
{
using var model = RiskTrainer.Train(set, new TrainingOptions { Trainer = trainer }, "bench", "simulator seed 11").Model;
var kind = model.Trees.Kind;
// Warm up (JIT, the learner's lazy configuration).
for (var i = 0; i < 200; i++) model.Score(extractor.Extract(snapshots[i], AsOf(snapshots[i])), AsOf(snapshots[i]), thresholds, 5);

var one = new List<double>();
var points = new List<double>();
for (var i = 0; i < 5000; i++)
{
    var s = snapshots[i % snapshots.Length];
    var t = Stopwatch.GetTimestamp();
    model.Score(extractor.Extract(s, AsOf(s)), AsOf(s), thresholds, 5);
    one.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
    t = Stopwatch.GetTimestamp();
    PointsScore.Score(extractor.Extract(s, AsOf(s)), AsOf(s), thresholds, 5);
    points.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
}

// Two grains scoring at the same moment on the two cores: the engine pool gives each its own PredictionEngine.
var concurrent = new System.Collections.Concurrent.ConcurrentBag<double>();
Parallel.For(0, 2, t =>
{
    for (var i = 0; i < 2500; i++)
    {
        var s = snapshots[(t * 997 + i) % snapshots.Length];
        var start = Stopwatch.GetTimestamp();
        model.Score(extractor.Extract(s, AsOf(s)), AsOf(s), thresholds, 5);
        concurrent.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
    }
});
var concurrentList = concurrent.ToList();

var batch = new List<double>();
var rows = new float[1000 * RiskFeatures.Count];
for (var b = 0; b < 60; b++)
{
    var start = b * 17 % 1000;
    var t = Stopwatch.GetTimestamp();
    var asOf = new DateTimeOffset[1000];
    for (var i = 0; i < 1000; i++)
    {
        var s = snapshots[start + i];
        asOf[i] = AsOf(s);
        extractor.Extract(s, asOf[i], rows.AsSpan(i * RiskFeatures.Count, RiskFeatures.Count));
    }
    model.Score(rows, 1000, asOf, thresholds, 5);
    batch.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds / 1000);
}

// Training on 1M rows: rows drawn with replacement from the replayed history (labels kept with their rows).
var big = new float[(long)trainingRows * RiskFeatures.Count];
var labels = new float[trainingRows];
for (var i = 0; i < trainingRows; i++)
{
    var k = random.Next(set.Count);
    set.RowOf(k).CopyTo(big.AsSpan(i * RiskFeatures.Count, RiskFeatures.Count));
    labels[i] = set.Rows[k].HarmWithin30Days ? 1 : 0;
}
var options = new TrainingOptions { Trainer = trainer };
var watch = Stopwatch.StartNew();
using (RiskTrainer.TrainTrees(big, labels, trainingRows, options)) { }
var trainSeconds = watch.Elapsed.TotalSeconds;
big = [];

var (p50, p99) = Percentiles(one);
var (pp50, pp99) = Percentiles(points);
var (b50, b99) = Percentiles(batch);
var (c50, c99) = Percentiles(concurrentList);
lines.Add($"{$"{kind}: score one case with reasons (µs)",-60} {p50,10:F1} {p99,10:F1}");
lines.Add($"{$"{kind}: score one case with reasons, 2 threads at once (µs)",-60} {c50,10:F1} {c99,10:F1}");
lines.Add($"{$"{kind}: score per case, batches of 1,000, with reasons (µs)",-60} {b50,10:F1} {b99,10:F1}");
lines.Add($"{$"{kind}: train {trainingRows:N0} rows, {options.Rounds} rounds, {options.Threads} threads (s)",-60} {trainSeconds,10:F1}");
if (trainer == trainers[0]) lines.Insert(0, $"{"points score: one case (µs)",-60} {pp50,10:F1} {pp99,10:F1}");
}

var o = new TrainingOptions();
Console.WriteLine($"Risk benchmark (ML.NET 5.0.1, {Environment.ProcessorCount} cores, {RiskFeatures.Count} features, {o.Rounds} trees of at most {1 << o.MaxDepth} leaves, depth {o.MaxDepth} for LightGbm)");
Console.WriteLine($"{"measure",-60} {"p50",10} {"p99",10}");
foreach (var line in lines) Console.WriteLine(line);
