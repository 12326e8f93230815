using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.TimeSeries;
using Warning.Silo.Areas;
using Orleans;
using Warning.Silo.Storage;
using Warning.Silo.Health;
using Warning.Silo.Ingest;

namespace Warning.Silo.TimeSeries;

/// <summary>
/// What goes to InfluxDB: every applied report and incident (points keyed by the ingest sequence, so a replay after a
/// restart rewrites the same points), area snapshots of village level and up every <c>SnapshotInterval</c>, and alert
/// transitions through <see cref="RecordAlert"/>.
/// </summary>
/// <remarks>
/// A hard kill loses what is still in the writer's memory, and the applier only replays after the grains' checkpoint,
/// which may be past it. So the feed keeps its own position in the state database (checkpoint <see cref="CheckpointName"/>):
/// the writer's <see cref="InfluxWriter.WrittenThrough"/>, saved every <c>Influx:WatermarkInterval</c> and after the
/// host has stopped. On start the feed rewrites the entries after it, read from the ingest log, until it reaches the
/// point from which the applier delivers, and only then takes the applier's entries: no gap, and what is rewritten
/// lands on the same points. Its loops (catch-up, watermark, snapshots, rollup repair) outlive any failure but the
/// host's stop: each is logged and shown on <c>/readyz</c> until the loop next succeeds.
/// </remarks>
public sealed class TimeSeriesFeed : BackgroundService, IHostedLifecycleService
{
    public const string CheckpointName = "influx";

    /// <summary>The feed's loops as <c>/readyz</c> names them (<see cref="RollupRepair.LoopName"/> is the fourth).</summary>
    public const string CatchUpLoop = "timeSeriesCatchUp", WatermarkLoop = "influxWatermark", SnapshotLoop = "areaSnapshot";

    private readonly InfluxWriter _writer;
    private readonly IngestApplier _applier;
    private readonly IngestLog _log;
    private readonly Checkpoints _storage;
    private readonly IGrainFactory _grains;
    private readonly AreaHierarchy _hierarchy;
    private readonly TimeProvider _time;
    private readonly InfluxOptions _options;
    private readonly ILogger<TimeSeriesFeed> _logger;
    private readonly RollupRepair _repair;
    private readonly BackgroundLoops _loops;

    private readonly object _handoff = new();
    private bool _live;         // false while the feed still reads the ingest log itself
    private long _applierSeen;  // the highest seq the applier delivered before then
    private long _savedWatermark;

    public TimeSeriesFeed(InfluxWriter writer, RollupRepair repair, BackgroundLoops loops, IngestApplier applier, IngestLog log, Checkpoints storage,
        IGrainFactory grains, AreaHierarchy hierarchy, TimeProvider time, IOptions<InfluxOptions> options, ILogger<TimeSeriesFeed> logger)
    {
        _writer = writer;
        _repair = repair;
        _loops = loops;
        _applier = applier;
        _log = log;
        _storage = storage;
        _grains = grains;
        _hierarchy = hierarchy;
        _time = time;
        _options = options.Value;
        _logger = logger;
        applier.Subscribe(OnApplied);
    }

    /// <summary>The alert store calls this on every alert transition (raised, acknowledged, escalated, resolved).</summary>
    public void RecordAlert(AlertEvent alert)
    {
        try
        {
            _writer.WriteAlert(alert, _hierarchy);
        }
        catch (ArgumentException ex)
        {
            // A point line protocol cannot carry (a time outside InfluxDB's range) must not fail the alert itself.
            _logger.LogError(ex, "No time-series point for alert {AlertId} {Kind}", alert.AlertId, alert.Kind);
        }
    }

    /// <summary>The nightly spike scan calls this with the villages it left spiking: one point per signal, for the meetings' spike panels.</summary>
    public void RecordSpikeScan(DateOnly day, TimeSpan utcOffset, IReadOnlyDictionary<string, VillageSpikeState> spiking)
    {
        foreach (var (village, state) in spiking)
        foreach (var signal in state.Active)
        {
            try
            {
                _writer.Write(EventPoints.Spike(day, utcOffset, village, signal.Category, signal.Method, signal.GridId, signal.Observed, signal.Expected, _hierarchy));
            }
            catch (ArgumentException ex)
            {
                _logger.LogError(ex, "No time-series point for the spike signal of {VillageId} on {Day}", village, day);
            }
        }
    }

    private long _fedSeq;

    /// <summary>The last ingest sequence whose points are in the writer (the applier releases its waiters before it calls subscribers).</summary>
    public long FedSeq => Interlocked.Read(ref _fedSeq);

    private void OnApplied(IReadOnlyList<IngestEntry> entries)
    {
        if (entries.Count == 0) return;
        lock (_handoff)
        {
            // Until the catch-up has reached the applier it reads these entries from the log itself.
            if (!_live)
            {
                _applierSeen = Math.Max(_applierSeen, entries[^1].Seq);
                return;
            }
        }
        Feed(entries);
    }

    /// <summary>Hands entries, in seq order, to the writer; one caller at a time (the catch-up, then the applier).</summary>
    private void Feed(IReadOnlyList<IngestEntry> entries)
    {
        foreach (var entry in entries)
        {
            // The applier replays from the grains' checkpoint, which may be behind what is already written.
            if (entry.Seq <= FedSeq) continue;
            try
            {
                switch (entry.Kind)
                {
                    case IngestKind.Report:
                        var report = entry.Record as ScreeningReport ?? JsonSerializer.Deserialize<ScreeningReport>(entry.Payload, WarningJson.Options)!;
                        _writer.Write(EventPoints.Report(report, entry.Seq, _hierarchy), entry.Seq);
                        break;
                    case IngestKind.Incident:
                        var incident = entry.Record as Incident ?? JsonSerializer.Deserialize<Incident>(entry.Payload, WarningJson.Options)!;
                        _writer.Write(EventPoints.Incident(incident, entry.Seq, _hierarchy), entry.Seq);
                        break;
                }
            }
            catch (Exception ex) when (ex is ArgumentException or JsonException)
            {
                _logger.LogError(ex, "No time-series point for {Kind} {ItemId} (seq {Seq})", entry.Kind, entry.ItemId, entry.Seq);
            }
            // Entries without points (persons, a record that cannot be a point) are done too.
            _writer.HandedThrough(entry.Seq);
            Interlocked.Exchange(ref _fedSeq, entry.Seq);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        var watermark = await _storage.ReadCheckpointAsync(CheckpointName, ct);
        // The applier replays everything after the grains' checkpoint (read here before or after it does: it only grows).
        var applierFrom = await _storage.ReadCheckpointAsync(ct);
        // Saved before the writer hears of it: until then its watermark is 0 and nothing is saved over the stored one.
        Interlocked.Exchange(ref _savedWatermark, watermark);
        _writer.HandedThrough(watermark);
        Interlocked.Exchange(ref _fedSeq, watermark);
        // Before anything is saved: the rollups an earlier run still owed are owed by this one.
        await _repair.LoadAsync(ct);
        await Task.WhenAll(
            CatchUpLoopAsync(applierFrom, ct),
            _loops.RunPeriodicAsync(WatermarkLoop, _options.WatermarkInterval, SaveWatermarkAsync, _logger, ct),
            SnapshotLoopAsync(ct),
            _loops.RunPeriodicAsync(RollupRepair.LoopName, _options.RollupRepairInterval, _repair.RepairAsync, _logger, ct));
    }

    /// <summary>The catch-up until it is done; a failure (the log unreadable for a moment) is retried from where it got to.</summary>
    private async Task CatchUpLoopAsync(long applierFrom, CancellationToken ct)
    {
        _loops.Register(CatchUpLoop);
        try
        {
            for (var attempt = 0; !await _loops.RunStepAsync(CatchUpLoop, c => CatchUpAsync(applierFrom, c), _logger, ct); attempt++)
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(10_000, 200 * Math.Pow(2, Math.Min(attempt, 10)))), _time, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Rewrites the entries after the saved watermark from the ingest log, then hands over to the applier.</summary>
    private async Task CatchUpAsync(long applierFrom, CancellationToken ct)
    {
        await Task.Yield();
        var from = FedSeq;
        while (true)
        {
            lock (_handoff)
            {
                // Everything the applier has delivered, and everything it will deliver from its replay on, is
                // covered once we are at both: from here on its entries are ours.
                if (FedSeq >= Math.Max(applierFrom, _applierSeen))
                {
                    _live = true;
                    break;
                }
            }
            var chunk = _log.ReadAfter(FedSeq, 1000).ToList();
            if (chunk.Count == 0)
            {
                // Only if the state database is ahead of the log (restored separately): nothing more to read.
                _logger.LogWarning("Ingest log ends at {Seq} before the applier's start {ApplierFrom}", FedSeq, applierFrom);
                lock (_handoff) _live = true;
                break;
            }
            Feed(chunk);
            // A long backlog is sent rather than spilled: wait while the writer's queue is half full.
            while (_writer.Stats.Queued > _options.QueueCapacity / 2) await Task.Delay(20, ct);
        }
        if (FedSeq > from) _logger.LogInformation("Rewrote time-series points of ingest entries {From} to {To} (after the saved watermark)", from + 1, FedSeq);
    }

    /// <summary>
    /// Stores the writer's watermark if it moved; it never runs ahead of what is in InfluxDB or on disk. The rollups
    /// still owed are stored first: the points of entries up to the watermark are not rewritten after a kill, so what
    /// they owe must already be on record.
    /// </summary>
    public async Task SaveWatermarkAsync(CancellationToken ct = default)
    {
        var watermark = _writer.WrittenThrough;
        await _repair.SaveAsync(ct);
        if (watermark <= Interlocked.Read(ref _savedWatermark)) return;
        await _storage.WriteCheckpointAsync(CheckpointName, watermark, ct);
        Interlocked.Exchange(ref _savedWatermark, watermark);
        _logger.LogDebug("Time-series watermark saved at {Seq}", watermark);
    }

    Task IHostedLifecycleService.StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    Task IHostedLifecycleService.StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    Task IHostedLifecycleService.StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>After every service has stopped, the writer has sent or spilled its queue: save how far that reached.</summary>
    async Task IHostedLifecycleService.StoppedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SaveWatermarkAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The next start rewrites from the last saved watermark: more work, nothing lost.
            _logger.LogWarning(ex, "Saving the time-series watermark at stop failed: {Error}", ex.Message);
        }
    }

    private async Task SnapshotLoopAsync(CancellationToken ct)
    {
        _loops.Register(SnapshotLoop);
        try
        {
            await _applier.CaughtUp.WaitAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return;
        }
        await _loops.RunPeriodicAsync(SnapshotLoop, _options.SnapshotInterval, SnapshotAsync, _logger, ct, runAtStart: true);
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
