using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;

namespace Warning.Analytics.Spikes;

/// <summary>Daily new-case counts of every village of a simulated run, with the spikes the simulator planted in it.</summary>
/// <param name="Grids">The same cases counted per grid (null unless asked for), and <paramref name="VillageOfGrid"/> maps a grid row to its village row.</param>
public sealed record SimulatedCounts(DailyCountMatrix Counts, IReadOnlyList<PlantedSpike> Spikes, DailyCountMatrix? Grids = null, int[]? VillageOfGrid = null);

/// <summary>How one detector (or the union of a set) did against the planted spikes.</summary>
/// <param name="Detected">Spikes with a matching signal on day From..From+<see cref="SpikeEvaluation.DetectWithinDays"/>.</param>
/// <param name="MedianDaysToDetect">Median of (first matching signal − From) over spikes detected at any time during them; null if none.</param>
/// <param name="FalseAlarms">Village-days with a signal and no planted spike in that village within [From − 1, last day + 3].</param>
public sealed record DetectorScore(string Method, int Spikes, int Detected, double? MedianDaysToDetect, int FalseAlarms, long VillageDays)
{
    public double DetectionRate => Spikes == 0 ? 0 : (double)Detected / Spikes;

    public double FalseAlarmsPer1000VillageDays => VillageDays == 0 ? 0 : FalseAlarms * 1000.0 / VillageDays;
}

/// <param name="Stratum">e.g. "expected extra cases days 0–2 4–6", "category Land".</param>
public sealed record StratumScore(string Stratum, int Spikes, int Detected)
{
    public double DetectionRate => Spikes == 0 ? 0 : (double)Detected / Spikes;
}

public sealed record SpikeEvaluationReport(int Villages, int DaysScanned, int SpikesPlanted, IReadOnlyList<DetectorScore> Detectors, IReadOnlyList<StratumScore> Strata, TimeSpan ScanTime);

/// <summary>
/// Scores the detectors on the simulator's ground truth: a planted spike is detected if a signal for its village —
/// its category or overall — fires within 2 days of its start.
/// </summary>
public static class SpikeEvaluation
{
    public const int DetectWithinDays = 2;
    public const string Combined = "combined";

    /// <summary>Signals from the grid scan, credited to the grid's village.</summary>
    public const string GridsMethod = "grids";

    /// <summary>Village-days this close to a planted spike are neither a detection miss nor a false alarm: windows still hold its cases.</summary>
    public const int GraceBefore = 1, GraceAfter = 3;

    /// <summary>Strata by the expected extra cases in the days the 2-day target covers (lower bound inclusive).</summary>
    private static readonly (double Low, double? High)[] EarlyExtraBands = [(0, 4), (4, 6), (6, 8), (8, 12), (12, 20), (20, null)];

    /// <summary>Runs the simulator and counts each case once, on the day (China time) its opening report was filed, in its village.</summary>
    public static SimulatedCounts Simulate(AreaHierarchy city, SimulatorOptions options, DateOnly from, int days, bool withGrids = false)
    {
        var villages = city.AtLevel(AreaLevel.Village).Select(v => v.Id).Order(StringComparer.Ordinal).ToArray();
        var index = villages.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        var unitOfGrid = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var v in villages)
        {
            unitOfGrid[v] = index[v];
            foreach (var g in city.ChildrenOf(v)) unitOfGrid[g.Id] = index[v];
        }

        var counts = new DailyCountMatrix(villages, from, days);
        string[] grids = withGrids ? city.AtLevel(AreaLevel.Grid).Select(g => g.Id).Order(StringComparer.Ordinal).ToArray() : [];
        var gridIndex = grids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        var gridCounts = withGrids ? new DailyCountMatrix(grids, from, days) : null;
        var simulator = new DisputeSimulator(city, options with { KeepTruth = false, CorrectionsCheckIns = false });
        var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), DisputeSimulator.ChinaOffset);
        foreach (var e in simulator.Run(start, start.AddDays(days)))
        {
            if (e is not SimulatedReport { Report: { CaseId: null, Status: CaseStatus.Screened } report }) continue;
            var day = DateOnly.FromDateTime(report.ReportedAt.ToOffset(DisputeSimulator.ChinaOffset).DateTime);
            counts.Add(unitOfGrid[report.GridId], report.Category, counts.IndexOf(day));
            if (gridCounts is not null && gridIndex.TryGetValue(report.GridId, out var g)) gridCounts.Add(g, report.Category, counts.IndexOf(day));
        }
        counts.Seal();
        gridCounts?.Seal();
        return new SimulatedCounts(counts, simulator.PlantedSpikes, gridCounts, withGrids ? grids.Select(g => index[city[g].ParentId!]).ToArray() : null);
    }

    /// <summary>Scans every day from <paramref name="warmupDays"/> on and scores each method the set produces, and their union.</summary>
    /// <param name="gridDetector">When given (and the data has grid counts), grids are scanned too and their signals count
    /// for their village, as in the live scan: under "grids" and in the combined row.</param>
    public static SpikeEvaluationReport Evaluate(SimulatedCounts data, SpikeDetector detector, DetectorSet detectors, int warmupDays, SpikeDetector? gridDetector = null)
    {
        var counts = data.Counts;
        var unitIndex = counts.Units.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        // (method, unit, day) → categories signalled (Overall for null).
        var signals = new Dictionary<string, Dictionary<(int Unit, int Day), HashSet<int>>>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var d = warmupDays; d < counts.Days; d++)
        {
            foreach (var f in detector.Scan(counts, d, detectors).Findings)
            {
                if (f.Method is not (SpikeMethods.EarsC1 or SpikeMethods.EarsC2 or SpikeMethods.EarsC3)) Record(Combined, f.Unit, d, f.Category);
                Record(f.Method, f.Unit, d, f.Category);
            }
            if (gridDetector is not null && data.Grids is { } grids)
            {
                foreach (var f in gridDetector.Scan(grids, d).Findings)
                {
                    Record(GridsMethod, data.VillageOfGrid![f.Unit], d, f.Category);
                    Record(Combined, data.VillageOfGrid![f.Unit], d, f.Category);
                }
            }
        }
        var scanTime = clock.Elapsed;

        void Record(string method, int unit, int day, DisputeCategory? category)
        {
            if (!signals.TryGetValue(method, out var byUnitDay)) signals[method] = byUnitDay = new();
            if (!byUnitDay.TryGetValue((unit, day), out var series)) byUnitDay[(unit, day)] = series = [];
            series.Add(DailyCountMatrix.SeriesOf(category));
        }

        var spikes = data.Spikes
            .Select(s => (Spike: s, Unit: unitIndex[s.VillageId], From: counts.IndexOf(DayOf(s.From)), Last: counts.IndexOf(DayOf(s.To)) - 1))
            .Where(s => s.From >= warmupDays && s.From + DetectWithinDays < counts.Days)
            .ToArray();
        var excused = new HashSet<(int, int)>();
        foreach (var s in data.Spikes)
        {
            var u = unitIndex[s.VillageId];
            for (var d = counts.IndexOf(DayOf(s.From)) - GraceBefore; d <= counts.IndexOf(DayOf(s.To)) - 1 + GraceAfter; d++) excused.Add((u, d));
        }
        var villageDays = (long)counts.Units.Count * (counts.Days - warmupDays);

        var scores = new List<DetectorScore>();
        var methods = signals.Keys.Order(StringComparer.Ordinal).ToList();
        if (methods.Remove(Combined)) methods.Add(Combined);
        foreach (var method in methods)
        {
            var byUnitDay = signals[method];
            var detected = 0;
            var lags = new List<int>();
            foreach (var s in spikes)
            {
                var lag = FirstMatch(byUnitDay, s.Unit, s.Spike.Category, s.From, Math.Max(s.Last, s.From + DetectWithinDays));
                if (lag is null) continue;
                lags.Add(lag.Value);
                if (lag <= DetectWithinDays) detected++;
            }
            var falseAlarms = byUnitDay.Keys.Count(k => !excused.Contains(k));
            scores.Add(new DetectorScore(method, spikes.Length, detected, Median(lags), falseAlarms, villageDays));
        }

        var strata = new List<StratumScore>();
        if (signals.TryGetValue(Combined, out var combined))
        {
            var rows = spikes.Select(s =>
            {
                // The days "found within 2 days" covers: the spike's first day and the two after.
                var early = s.Spike.ExpectedExtraInFirst(DetectWithinDays + 1);
                var hit = FirstMatch(combined, s.Unit, s.Spike.Category, s.From, s.From + DetectWithinDays) is not null;
                return (s.Spike, Early: early, Hit: hit);
            }).ToArray();
            void Add(string name, Func<(PlantedSpike Spike, double Early, bool Hit), bool> where)
            {
                var chosen = rows.Where(where).ToArray();
                if (chosen.Length > 0) strata.Add(new StratumScore(name, chosen.Length, chosen.Count(r => r.Hit)));
            }
            foreach (var (low, high) in EarlyExtraBands)
                Add(high is null ? $"expected extra cases days 0–2 ≥ {low}" : $"expected extra cases days 0–2 {low}–{high}", r => r.Early >= low && (high is null || r.Early < high));
            foreach (var category in Enum.GetValues<DisputeCategory>())
                Add($"category {category}", r => r.Spike.Category == category);
        }
        return new SpikeEvaluationReport(counts.Units.Count, counts.Days - warmupDays, spikes.Length, scores, strata, scanTime);
    }

    /// <summary>Days from <paramref name="from"/> to the first signal matching the spike's scope in [from, to], or null.</summary>
    private static int? FirstMatch(Dictionary<(int Unit, int Day), HashSet<int>> signals, int unit, DisputeCategory category, int from, int to)
    {
        for (var d = from; d <= to; d++)
        {
            if (!signals.TryGetValue((unit, d), out var series)) continue;
            if (series.Contains((int)category) || series.Contains(DailyCountMatrix.Overall)) return d - from;
        }
        return null;
    }

    private static double? Median(List<int> values)
    {
        if (values.Count == 0) return null;
        values.Sort();
        var mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2.0;
    }

    private static DateOnly DayOf(DateTimeOffset at) => DateOnly.FromDateTime(at.ToOffset(DisputeSimulator.ChinaOffset).DateTime);

    /// <summary>The report as a plain-text table, for bench/spikes.sh.</summary>
    public static string Format(SpikeEvaluationReport report)
    {
        var w = new System.Text.StringBuilder();
        w.AppendLine($"villages {report.Villages}, days scanned {report.DaysScanned}, planted spikes scored {report.SpikesPlanted}, scan time {report.ScanTime.TotalSeconds:F1} s");
        w.AppendLine($"{"method",-15} {"spikes",7} {"found≤2d",9} {"rate",7} {"median d",9} {"false al.",10} {"per 1000 vd",12}");
        foreach (var d in report.Detectors)
            w.AppendLine($"{d.Method,-15} {d.Spikes,7} {d.Detected,9} {d.DetectionRate,7:P1} {(d.MedianDaysToDetect is { } m ? m.ToString("F1") : "-"),9} {d.FalseAlarms,10} {d.FalseAlarmsPer1000VillageDays,12:F3}");
        if (report.Strata.Count > 0)
        {
            w.AppendLine($"combined, by stratum:");
            foreach (var s in report.Strata) w.AppendLine($"  {s.Stratum,-42} {s.Detected,4} / {s.Spikes,-4} {s.DetectionRate,7:P1}");
        }
        return w.ToString();
    }
}
