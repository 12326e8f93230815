using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.TimeSeries;
using Warning.Silo.Areas;
using Warning.Silo.GrainHost;
using Warning.Silo.Ingest;

namespace Warning.Silo.TimeSeries;

/// <summary>
/// What goes to InfluxDB: every applied report and incident (points keyed by the ingest sequence, so a replay after a
/// restart rewrites the same points), area snapshots of village level and up every <c>SnapshotInterval</c>, and alert
/// transitions through <see cref="RecordAlert"/>.
/// </summary>
public sealed class TimeSeriesFeed : BackgroundService
{
    private readonly InfluxWriter _writer;
    private readonly IngestApplier _applier;
    private readonly IGrainFactory _grains;
    private readonly AreaHierarchy _hierarchy;
    private readonly TimeProvider _time;
    private readonly InfluxOptions _options;
    private readonly ILogger<TimeSeriesFeed> _logger;

    private readonly InfluxSchema _schema;

    public TimeSeriesFeed(InfluxWriter writer, InfluxSchema schema, IngestApplier applier, IGrainFactory grains, AreaHierarchy hierarchy, TimeProvider time,
        IOptions<InfluxOptions> options, ILogger<TimeSeriesFeed> logger)
    {
        _writer = writer;
        _schema = schema;
        _applier = applier;
        _grains = grains;
        _hierarchy = hierarchy;
        _time = time;
        _options = options.Value;
        _logger = logger;
        applier.Subscribe(OnApplied);
    }

    /// <summary>The alert store calls this on every alert transition (raised, acknowledged, escalated, resolved).</summary>
    public void RecordAlert(AlertEvent alert) => _writer.WriteAlert(alert, _hierarchy);

    private long _fedSeq;

    /// <summary>The last ingest sequence whose points are in the writer (the applier releases its waiters before it calls subscribers).</summary>
    public long FedSeq => Interlocked.Read(ref _fedSeq);

    /// <summary>Waits until every entry up to <paramref name="seq"/> has been handed to the writer.</summary>
    public async Task WaitForFedAsync(long seq, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (FedSeq < seq)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"time-series feed at {FedSeq}, waiting for {seq}");
            await Task.Delay(10);
        }
    }

    private void OnApplied(IReadOnlyList<IngestEntry> entries)
    {
        foreach (var entry in entries)
        {
            try
            {
                switch (entry.Kind)
                {
                    case IngestKind.Report:
                        var report = entry.Record as ScreeningReport ?? JsonSerializer.Deserialize<ScreeningReport>(entry.Payload, WarningJson.Options)!;
                        _writer.Write(EventPoints.Report(report, entry.Seq, _hierarchy));
                        break;
                    case IngestKind.Incident:
                        var incident = entry.Record as Incident ?? JsonSerializer.Deserialize<Incident>(entry.Payload, WarningJson.Options)!;
                        _writer.Write(EventPoints.Incident(incident, entry.Seq, _hierarchy));
                        break;
                }
            }
            catch (Exception ex) when (ex is ArgumentException or JsonException)
            {
                _logger.LogError(ex, "No time-series point for {Kind} {ItemId} (seq {Seq})", entry.Kind, entry.ItemId, entry.Seq);
            }
        }
        if (entries.Count > 0) Interlocked.Exchange(ref _fedSeq, Math.Max(FedSeq, entries[^1].Seq));
    }

    protected override Task ExecuteAsync(CancellationToken ct) => Task.WhenAll(SnapshotLoopAsync(ct), RepairLoopAsync(ct));

    private async Task RepairLoopAsync(CancellationToken ct)
    {
        try
        {
            using var timer = new PeriodicTimer(_options.RollupRepairInterval, _time);
            while (await timer.WaitForNextTickAsync(ct)) await RepairRollupsAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Redoes the hourly and daily rollups over points that reached InfluxDB too late for the continuous queries
    /// (demo or imported history, a long outage replayed from the spill folder). Public so tests need not wait.
    /// </summary>
    public async Task RepairRollupsAsync(CancellationToken ct = default)
    {
        if (_writer.TakeLateRange() is not { } late) return;
        try
        {
            // Late points still queued would miss the backfill: only run it once the writer has caught up.
            if (!await _writer.FlushAsync(TimeSpan.FromSeconds(30), ct)) throw new TimeoutException("the writer has not caught up");
            await _schema.BackfillAsync(late.From, late.To, ct);
            _logger.LogInformation("Rollups redone for late points from {From} to {To}", late.From, late.To);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _writer.MarkLate(late.From, late.To);
            _logger.LogWarning("Rollup repair from {From} to {To} postponed: {Error}", late.From, late.To, ex.Message);
        }
    }

    private async Task SnapshotLoopAsync(CancellationToken ct)
    {
        try
        {
            await _applier.CaughtUp.WaitAsync(ct);
            using var timer = new PeriodicTimer(_options.SnapshotInterval, _time);
            do
            {
                try
                {
                    await SnapshotAsync(ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _logger.LogError(ex, "Area snapshot for InfluxDB failed");
                }
            } while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Samples every area of village level and up; public so tests need not wait for the timer.</summary>
    public async Task SnapshotAsync(CancellationToken ct = default)
    {
        var slot = AreaSnapshotPoints.Slot(_time.GetUtcNow(), _options.SnapshotInterval);
        var areas = _hierarchy.All.Where(a => a.Level <= AreaLevel.Village).ToList();
        var points = 0;
        foreach (var chunk in areas.Chunk(256))
        {
            ct.ThrowIfCancellationRequested();
            var counts = await Task.WhenAll(chunk.Select(a => _grains.For(a).GetCounts()));
            for (var i = 0; i < chunk.Length; i++)
            {
                foreach (var point in AreaSnapshotPoints.Build(chunk[i], counts[i], slot, _hierarchy))
                {
                    _writer.Write(point);
                    points++;
                }
            }
        }
        _logger.LogDebug("Area snapshot at {Slot}: {Areas} areas, {Points} points", slot, areas.Count, points);
    }
}

public static class AlertTimeSeries
{
    /// <summary>The typed write for alert transitions (measurement <c>alerts</c>); <see cref="TimeSeriesFeed.RecordAlert"/> is the service's entry point.</summary>
    public static void WriteAlert(this InfluxWriter writer, AlertEvent alert, AreaHierarchy hierarchy) => writer.Write(EventPoints.Alert(alert, hierarchy));
}
