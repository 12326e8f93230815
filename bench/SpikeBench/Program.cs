// Spike detection on the simulator's planted spikes: detection rate, false alarms per 1,000 village-days and days to
// detect, per detector, on the seed the defaults were tuned on and on a seed they were not; then the time to scan one
// day over every village of the simulated Dingxi city (all categories and overall).
// Then the power curve: the held-out seed again with every planted spike forced to one size, so readers see the
// village-level limit of detection.
// Usage: SpikeBench [days=730] [tuneSeed=7] [testSeed=42] [Spikes option overrides, e.g. FalseDiscoveryRate=0.1]
//        [PowerCurve=false to skip the curve] [Seeds=false to run only the curve] [HeldOut=false: tuning seed only, for tuning]
using System.Diagnostics;
using System.Globalization;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Warning.Analytics.Spikes;

const double PerTestAlpha = 1.5e-4;
var positional = args.Where(a => !a.Contains('=')).ToArray();
var days = positional.Length > 0 ? int.Parse(positional[0], CultureInfo.InvariantCulture) : 730;
var tuneSeed = positional.Length > 1 ? int.Parse(positional[1], CultureInfo.InvariantCulture) : 7;
var testSeed = positional.Length > 2 ? int.Parse(positional[2], CultureInfo.InvariantCulture) : 42;
var options = new SpikeOptions();
var benchSwitches = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase) { ["PowerCurve"] = true, ["Seeds"] = true, ["HeldOut"] = true };
foreach (var a in args.Where(a => a.Contains('=')))
{
    var (key, value) = (a[..a.IndexOf('=')], a[(a.IndexOf('=') + 1)..]);
    if (benchSwitches.ContainsKey(key)) { benchSwitches[key] = bool.Parse(value); continue; }
    var property = typeof(SpikeOptions).GetProperty(key) ?? throw new ArgumentException($"no option {key}");
    property.SetValue(options, Convert.ChangeType(value, property.PropertyType, CultureInfo.InvariantCulture));
}
var detector = new SpikeDetector(options);
var warmup = options.BaselineDays + options.LagDays + 1;
var from = new DateOnly(2025, 1, 1).AddDays(-warmup);
var city = CityGenerator.Generate(CityShape.Dingxi, 42);
Console.WriteLine($"Dingxi: {city.AtLevel(AreaLevel.Village).Count()} villages; {days} days scored after {warmup} days of warm-up from {from:yyyy-MM-dd}");
Console.WriteLine($"grids scanned: {options.ScanGrids} (BH q {options.GridFalseDiscoveryRate}, signals credited to the village)");
Console.WriteLine($"options: baseline {options.BaselineDays} d, lag {options.LagDays} d, windows 1–{options.MaxWindowDays} d, min count {options.MinObserved}, " +
                  $"category prior {options.CategoryPriorCases}, BH q {options.FalseDiscoveryRate}, CUSUM k {options.CusumShift} h {options.CusumThreshold} over {options.CusumDays} d{(options.CusumPerCategory ? " per category" : " overall only")}");

var simulatorDefaults = new SimulatorOptions();
Console.WriteLine($"planted spikes: {simulatorDefaults.SpikesPerMonth} a month, expected extra cases {simulatorDefaults.SpikeExtraCasesMin}–{simulatorDefaults.SpikeExtraCasesMax} (log-uniform), decay {simulatorDefaults.SpikeDecay} a day over 2–7 days");

SimulatedCounts? last = null;
var seeds = new[] { ("tuning seed", tuneSeed), ("held-out seed", testSeed) }.Take(!benchSwitches["Seeds"] ? 0 : benchSwitches["HeldOut"] ? 2 : 1);
foreach (var (label, seed) in seeds)
{
    var clock = Stopwatch.StartNew();
    var data = SpikeEvaluation.Simulate(city, new SimulatorOptions { Seed = seed }, from, warmup + days, withGrids: options.ScanGrids);
    var simulated = clock.Elapsed;
    // Grids are scanned as live: their signals count for their village (row "grids", and in "combined").
    var report = SpikeEvaluation.Evaluate(data, detector, DetectorSet.Production | DetectorSet.EarsClassic, warmup,
        options.ScanGrids ? new SpikeDetector(options.ForGrids()) : null);
    Console.WriteLine();
    Console.WriteLine($"== {label} {seed} (simulated in {simulated.TotalSeconds:F1} s) ==");
    Console.Write(SpikeEvaluation.Format(report));
    if (options.AlarmPValue == 0)
    {
        // The alternative decision rule: a fixed per-test threshold tuned to spend the false-alarm budget (seed 7).
        var perTest = new SpikeOptions { AlarmPValue = PerTestAlpha };
        var alt = SpikeEvaluation.Evaluate(data, new SpikeDetector(perTest), DetectorSet.Production, warmup,
            options.ScanGrids ? new SpikeDetector(options.ForGrids()) : null); // grids keep BH: ~8,000 of them would spend the budget alone
        Console.WriteLine($"-- same seed, villages with a per-test threshold p ≤ {PerTestAlpha} instead of BH (grids still BH) --");
        Console.Write(SpikeEvaluation.Format(alt));
    }
    last = data;
}

if (benchSwitches["PowerCurve"])
{
    // Power curve: the held-out seed's city and days, every spike forced to one size (expected extra cases over its
    // whole span); the production detector and the grid scan, scored as above.
    Console.WriteLine();
    Console.WriteLine($"== power curve, seed {testSeed}{(testSeed == tuneSeed ? " (the tuning seed)" : " (held out)")}: every planted spike of one size ==");
    Console.WriteLine($"{"extra cases",12} {"days 0–2",9} {"spikes",7} {"found≤2d",9} {"rate",7} {"median d",9} {"false al./1000 vd",18}");
    foreach (var size in new[] { 2.0, 4, 6, 8, 10, 15, 20, 30 })
    {
        var fixedSize = new SimulatorOptions { Seed = testSeed, SpikeExtraCasesMin = size, SpikeExtraCasesMax = size };
        var data = SpikeEvaluation.Simulate(city, fixedSize, from, warmup + days, withGrids: options.ScanGrids);
        var report = SpikeEvaluation.Evaluate(data, detector, DetectorSet.Production, warmup, options.ScanGrids ? new SpikeDetector(options.ForGrids()) : null);
        var combined = report.Detectors.Single(d => d.Method == SpikeEvaluation.Combined);
        // Days 0–2 share of the size, averaged over the plants' durations as drawn.
        var early = data.Spikes.Count == 0 ? 0 : data.Spikes.Average(s => s.ExpectedExtraInFirst(SpikeEvaluation.DetectWithinDays + 1));
        Console.WriteLine($"{size,12:F0} {early,9:F1} {combined.Spikes,7} {combined.Detected,9} {combined.DetectionRate,7:P1} {(combined.MedianDaysToDetect is { } m ? m.ToString("F1") : "-"),9} {combined.FalseAlarmsPer1000VillageDays,18:F3}");
        last ??= data;
    }
}

// Benchmark: one day's scan over every village, production detectors, counts already in memory.
var counts = last!.Counts;
var day = counts.Days - 1;
for (var i = 0; i < 3; i++) detector.Scan(counts, day);
var times = new List<double>();
var findings = 0;
for (var i = 0; i < 30; i++)
{
    var t = Stopwatch.GetTimestamp();
    findings = detector.Scan(counts, day - (i % 7)).Findings.Count;
    times.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
}
times.Sort();
Console.WriteLine();
Console.WriteLine($"scan of one day, {counts.Units.Count} villages × {DailyCountMatrix.SeriesCount} series (12 categories + overall), poisson_c2/c3 + BH + poisson_cusum: " +
                  $"p50 {times[times.Count / 2]:F1} ms, max {times[^1]:F1} ms over {times.Count} runs ({findings} signals on the last)");
// The live scan also builds the matrix from the grains' tallies: measure building one from daily counts alone.
var build = Stopwatch.StartNew();
var window = options.HistoryDays;
var fresh = new DailyCountMatrix(counts.Units, counts.DayAt(counts.Days - window), window);
for (var u = 0; u < counts.Units.Count; u++)
for (var s = 0; s < DailyCountMatrix.Categories; s++)
for (var d = 0; d < window; d++)
    fresh.Add(u, (Warning.Analytics.Disputes.DisputeCategory)s, d, counts[u, s, counts.Days - window + d]);
fresh.Seal();
var scanFresh = detector.Scan(fresh, window - 1);
Console.WriteLine($"matrix of {window} days built and scanned in {build.Elapsed.TotalMilliseconds:F1} ms ({scanFresh.Findings.Count} signals)");
