using Microsoft.Extensions.Options;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Reports;
using Warning.Analytics.Risk;
using Warning.Analytics.Spikes;
using Warning.Silo.Areas;
using Warning.Silo.Cases;
using Warning.Silo.Ingest;
using Warning.Silo.Risk;
using Warning.Silo.Time;

namespace Warning.Web.Meetings;

/// <summary>
/// Computes a pack from the store: history from the ingest log (every accepted report, incident and screening round,
/// by event time), the open cases' current scores from their grains, the model's identity from the registry.
/// </summary>
public sealed class PackComposer(AreaHierarchy hierarchy, IngestLog log, IGrainFactory grains, RiskModelRegistry registry, WarningClock clock, AlertFiguresReader alertFigures, RiskFiguresReader riskFigures,
    IOptions<RiskOptions> risk, IOptions<ScreeningOptions> screening, IOptions<SpikeOptions> spikes, IOptions<MeetingsOptions> options, ILogger<PackComposer> logger)
{
    public async Task<BriefingPack> ComposeAsync(string areaId, DateOnly from, DateOnly to, bool showCaseIds, DisputeCategory? focus = null,
        Action<int, string>? progress = null, CancellationToken ct = default)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var period = new BriefingPeriod(from, to, clock.UtcOffset);
        progress?.Invoke(5, "reading the ingest log");
        // Read once: the ledger and the model check's replay both go through the whole history.
        var records = await Task.Run(() => log.ReadRecords().ToList(), ct);
        var ledger = CaseLedger.From(records);
        progress?.Invoke(40, $"{ledger.Cases.Count:N0} cases read; reading current scores");
        var now = clock.Now;
        var scores = new Dictionary<string, RiskScore>(StringComparer.Ordinal);
        if (period.End >= now)
        {
            var grids = Briefing.GridsOf(hierarchy, hierarchy[areaId]);
            var open = ledger.Cases.Where(c => grids.Contains(c.GridId) && c.AsOf(period.End)?.Status.IsOpen() == true).Select(c => c.Id).ToArray();
            foreach (var chunk in open.Chunk(500))
            {
                var views = await Task.WhenAll(chunk.Select(id => grains.GetGrain<ICaseGrain>(id).GetView()));
                foreach (var v in views)
                    if (v?.Score is { } s) scores[v.CaseId] = s;
            }
        }
        progress?.Invoke(50, "checking the model on the period's outcomes");
        var replay = new ReplayOptions { Deadlines = risk.Value.Deadlines, CaseSampleRate = options.Value.ModelCheckCaseSample, Spikes = spikes.Value, UtcOffset = clock.UtcOffset };
        var live = registry.Live;
        Func<float[], int, double[]> scorer = live is not null
            ? live.Probabilities
            : (rows, count) => Enumerable.Range(0, count).Select(i => PointsScore.Score(rows[(i * RiskFeatures.Count)..((i + 1) * RiskFeatures.Count)], now, risk.Value.Thresholds, 0).Probability).ToArray();
        var model = await Task.Run(() => ModelHealthCheck.Evaluate(live?.Info.Version ?? PointsScore.ModelName,
            live is null ? null : Metric(live.Info.TestMetrics, "auc"), live is null ? null : Metric(live.Info.TestMetrics, "brier"),
            hierarchy, records, ledger, areaId, period, now, replay, scorer, ct), ct);
        progress?.Invoke(65, "computing the figures");
        var inputs = new BriefingInputs(hierarchy, ledger, risk.Value.Deadlines, screening.Value.GridCadence, spikes.Value, now)
        {
            Scores = scores, Model = model, ShowCaseIds = showCaseIds, ListLength = options.Value.ListLength,
        };
        var pack = await Task.Run(() => Briefing.Compute(inputs, areaId, period, focus, ct), ct);
        progress?.Invoke(70, "reading the alert numbers");
        // Alerts are not about one category: a special bulletin (专报) leaves them out.
        if (focus is null) pack = pack with { Alerts = await alertFigures.ReadAsync(areaId, period, now, ct) };
        pack = await riskFigures.FillAsync(pack, areaId, period, now, ct);
        logger.LogInformation("Composed the pack of {AreaId} for {From:yyyy-MM-dd}..{To:yyyy-MM-dd} ({Focus}): {Cases} cases in the log, {ElapsedMs} ms",
            areaId, from, to, focus is { } f ? DisputeVocabulary.WireName(f) : "all", ledger.Cases.Count, watch.ElapsedMilliseconds);
        return pack;
    }

    private static double? Metric(IReadOnlyDictionary<string, double> metrics, string name) => metrics.TryGetValue(name, out var v) ? v : null;
}
