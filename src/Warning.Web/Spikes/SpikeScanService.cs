using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Spikes;
using Warning.Silo.Areas;
using Orleans;
using Warning.Silo.Ingest;
using Warning.Silo.Time;
using Warning.Silo.TimeSeries;
using Warning.Web.Live;

namespace Warning.Web.Spikes;

/// <param name="Villages">Villages scanned (all of the hierarchy's: they are each other's reference).</param>
/// <param name="Signals">Village and grid findings together.</param>
public sealed record SpikeScanSummary(DateOnly Day, int Villages, int Signals, int SpikingVillages, TimeSpan Elapsed, IReadOnlyDictionary<string, VillageSpikeState> States);

/// <summary>
/// The live spike scan: reads every village's daily counts from its grain, runs the detectors for one day, and (when
/// applying) sets each village grain's spike state, which case scoring and the screens read.
/// </summary>
/// <param name="timeSeries">Registered only when InfluxDB is on (<c>Influx:Enabled</c>).</param>
public sealed class SpikeScanService(AreaHierarchy hierarchy, IGrainFactory grains, ScreenViews screens, IOptions<SpikeOptions> options, WarningClock clock,
    ILogger<SpikeScanService> log, TimeSeriesFeed? timeSeries = null)
{
    private readonly SpikeDetector _villageDetector = new(options.Value);
    private readonly SpikeDetector _gridDetector = new(options.Value.ForGrids());
    private readonly string[] _villages = hierarchy.AtLevel(AreaLevel.Village).Select(v => v.Id).Order(StringComparer.Ordinal).ToArray();
    private readonly string[] _grids = hierarchy.AtLevel(AreaLevel.Grid).Select(v => v.Id).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Areas read at once by a scan.</summary>
    private const int ScanBlock = 2048;

    public async Task<SpikeScanSummary> ScanAsync(DateOnly day, bool apply, CancellationToken ct = default)
    {
        var watch = Stopwatch.StartNew();
        var villageScan = _villageDetector.Scan(await CountsAsync(_villages, day), options.Value.HistoryDays - 1);
        ct.ThrowIfCancellationRequested();
        // Grids are each other's reference, as villages are: a grid is compared with the other grids, not its village.
        var gridScan = options.Value.ScanGrids && _grids.Length > 0
            ? _gridDetector.Scan(await CountsAsync(_grids, day), options.Value.HistoryDays - 1)
            : null;
        ct.ThrowIfCancellationRequested();

        var signals = villageScan.Findings.Select(f => (Village: f.UnitId, Finding: f, Grid: (string?)null))
            .Concat((gridScan?.Findings ?? []).Select(f => (Village: hierarchy[f.UnitId].ParentId ?? f.UnitId, Finding: f, Grid: (string?)f.UnitId)));
        var states = signals
            .GroupBy(x => x.Village, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new VillageSpikeState(day, g
                .OrderBy(x => x.Grid is not null).ThenBy(x => x.Grid, StringComparer.Ordinal)
                .ThenBy(x => x.Finding.Category is null ? -1 : (int)x.Finding.Category).ThenBy(x => x.Finding.Method, StringComparer.Ordinal)
                .Select(x => new SpikeSignal(x.Finding.Category, x.Finding.Since, x.Finding.Observed, Math.Round(x.Finding.Expected, 3), x.Finding.Method, x.Grid))
                .ToArray()), StringComparer.Ordinal);
        var scan = villageScan with { Tests = villageScan.Tests + (gridScan?.Tests ?? 0), Findings = [.. villageScan.Findings, .. gridScan?.Findings ?? []] };

        if (apply)
        {
            var quiet = new VillageSpikeState(day, []);
            await Task.WhenAll(_villages.Select(v => grains.GetGrain<IVillageGrain>(v).SetSpikeState(states.GetValueOrDefault(v, quiet))));
            // The screens get the day's spiking villages as a message of their own (no names of people: ids, counts).
            // Names and ancestor ids let a screen say where, and count spiking villages per county, without asking again.
            timeSeries?.RecordSpikeScan(day, clock.UtcOffset, states);
            screens.SetSpikes(day, states.OrderBy(s => s.Key, StringComparer.Ordinal)
                .Select(s => new SpikingVillage(s.Key, hierarchy[s.Key].Name, hierarchy.PathToRoot(s.Key).Select(a => a.Id).ToArray(), s.Value.Active))
                .ToArray());
        }

        var summary = new SpikeScanSummary(day, _villages.Length, scan.Findings.Count, states.Count, watch.Elapsed, states);
        log.LogInformation("Spike scan of {Day}: {Villages} villages, {Tests} tests, {Signals} signals in {SpikingVillages} villages, {ElapsedMs} ms, applied {Applied}",
            day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), summary.Villages, scan.Tests, summary.Signals, summary.SpikingVillages, (long)summary.Elapsed.TotalMilliseconds, apply);
        foreach (var (village, state) in states)
        foreach (var s in state.Active)
            log.LogInformation("Spike in {VillageId} ({Unit}): {Category} {Method} observed {Observed} expected {Expected} since {Since}",
                village, s.GridId ?? "whole village", s.Category is { } c ? DisputeVocabulary.WireName(c) : "overall", s.Method, s.Observed, s.Expected,
                s.Since.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        return summary;
    }

    /// <summary>Daily opened counts of the given areas (villages or grids) for the days the detectors look at, from their grains' tallies.</summary>
    private async Task<DailyCountMatrix> CountsAsync(string[] units, DateOnly day)
    {
        var history = options.Value.HistoryDays;
        var first = day.AddDays(-(history - 1));
        var counts = new DailyCountMatrix(units, first, history);
        // A pass over every grid of the city that reads each once: a grid it wakes leaves with the read (no linger), and the
        // reads go a block at a time, so a province's 100,000 grids are never all awake together (bench/province.sh
        // measured 78,000 grids active at once, and their states dying in the oldest generation, when they were not).
        for (var start = 0; start < units.Length; start += ScanBlock)
        {
            var from = start;
            var daily = await LeafPassing.RunAsync(TimeSpan.Zero, () => Task.WhenAll(units.Skip(from).Take(ScanBlock)
                .Select(id => grains.For(hierarchy[id]).GetDailyOpened(first, day))));
            for (var i = 0; i < daily.Length; i++)
            foreach (var d in daily[i])
            foreach (var (category, n) in d.Opened)
                counts.Add(start + i, category, counts.IndexOf(d.Day), n);
        }
        return counts;
    }
}
