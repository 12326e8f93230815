// Risk evaluation: trains on simulator history and prints AUC, AUPR, Brier, calibration and precision among the top k
// cases per day for the model, the points score, the base rate, the as-of oracle and the full-course hazard, then per
// county and per category. Several trainers share one replay, split and oracle (RISK_TRAINERS, comma-separated:
// lightgbm, fasttree; default lightgbm); each one's table is printed and written to bench/risk-eval-{city}-{trainer}.txt.
// Usage: dotnet run --project bench/RiskEval -c Release -- [city: dingxi|small] [days=730] [seed=42] [sample=1] [casesPerVillagePerDay]
using System.Diagnostics;
using System.Globalization;
using Warning.Analytics.Risk;
using Warning.Analytics.Simulation;

var city = args.Length > 0 ? args[0] : "dingxi";
var days = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 730;
var seed = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 42;
var sample = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 1;
var options = new SimulatorOptions { Seed = seed };
if (args.Length > 4) options = options with { CasesPerVillagePerDay = double.Parse(args[4], CultureInfo.InvariantCulture) };
var hierarchy = CityGenerator.Generate(city == "small" ? CityShape.Small : CityShape.Dingxi, seed);
var from = new DateTimeOffset(2023, 1, 1, 0, 0, 0, TimeSpan.FromHours(8));
var watch = Stopwatch.StartNew();
void Log(string m) => Console.Error.WriteLine($"[{watch.Elapsed.TotalSeconds,6:F1}s] {m}");
Log($"city {city} (seed {seed}), {days} days from {from:yyyy-MM-dd}, case sample {sample}");
var set = HistoryReplay.Build(hierarchy, options, from, from.AddDays(days), new ReplayOptions { CaseSampleRate = sample }, Log);
Log($"{set.Count:N0} rows, {set.Rows.Count(r => r.HarmWithin30Days):N0} harms within 30 days");
// Optional overrides for tuning: RISK_ROUNDS, RISK_DEPTH, RISK_ETA, RISK_MIN_CHILD_WEIGHT.
var training = new TrainingOptions();
if (Environment.GetEnvironmentVariable("RISK_ROUNDS") is { } r) training = training with { Rounds = int.Parse(r, CultureInfo.InvariantCulture) };
if (Environment.GetEnvironmentVariable("RISK_DEPTH") is { } d) training = training with { MaxDepth = int.Parse(d, CultureInfo.InvariantCulture) };
if (Environment.GetEnvironmentVariable("RISK_ETA") is { } e) training = training with { LearningRate = double.Parse(e, CultureInfo.InvariantCulture) };
if (Environment.GetEnvironmentVariable("RISK_MIN_CHILD_WEIGHT") is { } w) training = training with { MinChildWeight = double.Parse(w, CultureInfo.InvariantCulture) };
if (Environment.GetEnvironmentVariable("RISK_MIN_LEAF") is { } leaf) training = training with { MinExamplesPerLeaf = int.Parse(leaf, CultureInfo.InvariantCulture) };
var trainers = (Environment.GetEnvironmentVariable("RISK_TRAINERS") ?? "lightgbm").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
    .Select(t => Enum.Parse<RiskTrainerKind>(t, ignoreCase: true)).ToArray();
var references = RiskEvaluation.References(set, training, progress: Log);
foreach (var trainer in trainers)
{
    Log($"training {trainer}: {training.Rounds} rounds, depth {training.MaxDepth}, eta {training.LearningRate}, min_child_weight {training.MinChildWeight}, min leaf {training.MinExamplesPerLeaf}");
    var report = RiskEvaluation.Run(set, training with { Trainer = trainer }, references, topK: 10, progress: Log);
    var text = $"Risk evaluation: {city}, seed {seed}, {days} days from {from:yyyy-MM-dd}, case sample {sample}\n" + report.ToText();
    Console.Write(text);
    Console.WriteLine();
    // bench/risk-eval.sh runs from the repository root; RISK_EVAL_OUT moves the tables elsewhere (e.g. a scratch run).
    var file = Path.GetFullPath(Path.Combine(Environment.GetEnvironmentVariable("RISK_EVAL_OUT") ?? "bench", $"risk-eval-{city}-{trainer.ToString().ToLowerInvariant()}.txt"));
    File.WriteAllText(file, text);
    Log($"wrote {file}");
}
