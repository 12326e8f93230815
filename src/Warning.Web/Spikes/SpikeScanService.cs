using System.Diagnostics;
using Microsoft.Extensions.Options;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Spikes;
using Warning.Silo.Areas;
using Warning.Silo.GrainHost;

namespace Warning.Web.Spikes;

/// <param name="Villages">Villages scanned (all of the hierarchy's: they are each other's reference).</param>
public sealed record SpikeScanSummary(DateOnly Day, int Villages, int Signals, int SpikingVillages, TimeSpan Elapsed, IReadOnlyDictionary<string, VillageSpikeState> States);

/// <summary>
/// The live spike scan: reads every village's daily counts from its grain, runs the detectors for one day, and (when
/// applying) sets each village grain's spike state, which case scoring and the screens read.
/// </summary>
public sealed class SpikeScanService(AreaHierarchy hierarchy, IGrainFactory grains, IOptions<SpikeOptions> options, ILogger<SpikeScanService> log)
{
    private readonly SpikeDetector _detector = new(options.Value);
    private readonly string[] _villages = hierarchy.AtLevel(AreaLevel.Village).Select(v => v.Id).Order(StringComparer.Ordinal).ToArray();

    public async Task<SpikeScanSummary> ScanAsync(DateOnly day, bool apply, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var history = options.Value.HistoryDays;
        var first = day.AddDays(-(history - 1));
        var counts = new DailyCountMatrix(_villages, first, history);
        var daily = await Task.WhenAll(_villages.Select(v => grains.GetGrain<IVillageGrain>(v).GetDailyOpened(first, day)));
        ct.ThrowIfCancellationRequested();
        for (var u = 0; u < _villages.Length; u++)
        foreach (var d in daily[u])
        foreach (var (category, n) in d.Opened)
            counts.Add(u, category, counts.IndexOf(d.Day), n);

        var scan = _detector.Scan(counts, history - 1);
        var states = scan.Findings
            .GroupBy(f => f.UnitId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => new VillageSpikeState(day, g
                .OrderBy(f => f.Category is null ? -1 : (int)f.Category).ThenBy(f => f.Method, StringComparer.Ordinal)
                .Select(f => new SpikeSignal(f.Category, f.Since, f.Observed, Math.Round(f.Expected, 3), f.Method))
                .ToArray()), StringComparer.Ordinal);

        if (apply)
        {
            var quiet = new VillageSpikeState(day, []);
            await Task.WhenAll(_villages.Select(v => grains.GetGrain<IVillageGrain>(v).SetSpikeState(states.GetValueOrDefault(v, quiet))));
        }

        var summary = new SpikeScanSummary(day, _villages.Length, scan.Findings.Count, states.Count, clock.Elapsed, states);
        log.LogInformation("Spike scan of {Day}: {Villages} villages, {Tests} tests, {Signals} signals in {SpikingVillages} villages, {ElapsedMs} ms, applied {Applied}",
            day, summary.Villages, scan.Tests, summary.Signals, summary.SpikingVillages, (long)summary.Elapsed.TotalMilliseconds, apply);
        foreach (var (village, state) in states)
        foreach (var s in state.Active)
            log.LogInformation("Spike in {VillageId}: {Category} {Method} observed {Observed} expected {Expected} since {Since}",
                village, s.Category is { } c ? DisputeVocabulary.WireName(c) : "overall", s.Method, s.Observed, s.Expected, s.Since);
        return summary;
    }
}
