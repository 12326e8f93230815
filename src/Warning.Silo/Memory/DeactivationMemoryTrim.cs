using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Warning.Silo.Memory;

/// <summary>Section <c>Memory</c>: giving memory back after a wave of grain deactivations.</summary>
public sealed class MemoryTrimOptions
{
    public const string Section = "Memory";

    public bool TrimAfterDeactivations { get; set; } = true;

    /// <summary>How often the activation count is looked at.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Activations gone since the last peak before a wave counts: a province's cases going idle are hundreds of thousands, a demo's minute a few hundred.</summary>
    public int MinimumDrop { get; set; } = 20_000;

    /// <summary>
    /// Activations destroyed since the last full collection, while grains keep coming and going (a bulk load, a replay, a
    /// re-score tick), after which one full collection runs; 0 never. A leaf woken by a pass has lived through several
    /// collections by the time it leaves, so it dies in the oldest generation, which the GC collects last.
    /// </summary>
    public int CollectAfterDestroyed { get; set; } = 60_000;

    /// <summary>How often the destroyed activations are counted.</summary>
    public TimeSpan ChurnCheckInterval { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>When grain deactivations make a full collection worth its pause.</summary>
public static class MemoryTrimPolicy
{
    /// <summary>Whether the activations destroyed since the last full blocking collection (the GC's own or ours) make one worth its pause now.</summary>
    public static bool ChurnDue(long destroyed, int collectAfterDestroyed) => collectAfterDestroyed > 0 && destroyed >= collectAfterDestroyed;

    /// <summary>Whether a wave of deactivations is over.</summary>
    /// <param name="peak">Most activations since the last trim.</param>
    /// <param name="previous">Activations at the check before.</param>
    /// <param name="current">Activations now.</param>
    public static bool WaveOver(int peak, int previous, int current, int minimumDrop)
    {
        var dropped = peak - current;
        // A quarter of the peak at least: a small node's own churn is not a wave.
        if (dropped < minimumDrop || dropped < peak / 4) return false;
        // Still falling by more than a twentieth of the peak a check: the collection would run mid-wave and miss the rest.
        return previous - current <= peak / 20;
    }
}

/// <summary>
/// Gives memory back once a wave of idle grains has deactivated. A province's ingest activates hundreds of thousands of
/// case, grid and person grains; minutes later they deactivate, and their objects die in the oldest generation. A quiet
/// node then allocates too little to start the full collection that would find them: bench/province.sh measured 3.4 GB
/// of heap 8 minutes after, of which 1.3 GB was live. One compacting collection that returns memory to the system
/// (<see cref="GCCollectionMode.Aggressive"/>) when the wave is over costs one pause, logged with what it freed.
/// </summary>
public sealed class DeactivationMemoryTrim(IOptions<MemoryTrimOptions> options, ILogger<DeactivationMemoryTrim> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.TrimAfterDeactivations) return;
        var activations = 0;
        var instruments = 0;
        long destroyed = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Microsoft.Orleans" && instrument.Name is "orleans-catalog-activations" or "orleans-catalog-activation-destroyed")
                l.EnableMeasurementEvents(instrument);
        };
        // Summed: the gauge is observed once per activation directory that registered it.
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) =>
        {
            if (instrument.Name == "orleans-catalog-activation-destroyed") Interlocked.Add(ref destroyed, value);
            else { activations += value; instruments++; }
        });
        listener.Start();

        var churn = o.CollectAfterDestroyed > 0 ? ChurnAsync(() => Interlocked.Read(ref destroyed), o, stoppingToken) : Task.CompletedTask;
        int peak = 0, previous = 0;
        using var timer = new PeriodicTimer(o.CheckInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                activations = instruments = 0;
                listener.RecordObservableInstruments();
                var current = activations;
                peak = Math.Max(peak, current);
                logger.LogDebug("Activations {Current} in {Instruments} (peak since the last trim {Peak}, a check ago {Previous})", current, instruments, peak, previous);
                if (MemoryTrimPolicy.WaveOver(peak, previous, current, o.MinimumDrop))
                {
                    Trim(peak, current);
                    peak = current;
                }
                previous = current;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await churn;
    }

    /// <summary>
    /// Through a bulk load the node activates and deactivates leaves by the thousand a second and the activation count
    /// hardly moves, so no wave ever ends, while their states pile up dead in the oldest generation: bench/province.sh
    /// measured 1.8 GB of heap with 55,000 activations, 940 MB after the next full collection. One full collection per
    /// <see cref="MemoryTrimOptions.CollectAfterDestroyed"/> keeps the peak near the live set.
    /// </summary>
    private async Task ChurnAsync(Func<long> destroyed, MemoryTrimOptions o, CancellationToken stoppingToken)
    {
        // Blocking ones only: a background collection of the oldest generation sweeps what was dead when it began, and
        // through a bulk load that is little of what dies while it runs (bench/province.sh: 1.6 GB of heap after the GC's
        // own collections, 750 MB live).
        var lastBlocking = GC.GetGCMemoryInfo(GCKind.FullBlocking).Index;
        var since = destroyed();
        using var timer = new PeriodicTimer(o.ChurnCheckInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = destroyed();
                var blocking = GC.GetGCMemoryInfo(GCKind.FullBlocking).Index;
                if (blocking != lastBlocking) since = now;
                if (MemoryTrimPolicy.ChurnDue(now - since, o.CollectAfterDestroyed))
                {
                    var c = Collect(GCCollectionMode.Forced);
                    logger.LogInformation(
                        "Full collection after {Destroyed} activations destroyed: heap {HeapBeforeMb} → {HeapAfterMb} MB, committed {CommittedBeforeMb} → {CommittedAfterMb} MB, working set {RssMb} MB, in {PauseMs} ms",
                        now - since, c.HeapBeforeMb, c.HeapAfterMb, c.CommittedBeforeMb, c.CommittedAfterMb, c.RssAfterMb, c.PauseMs);
                    since = now;
                    blocking = GC.GetGCMemoryInfo(GCKind.FullBlocking).Index;
                }
                lastBlocking = blocking;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Trim(int peak, int current)
    {
        var c = Collect(GCCollectionMode.Aggressive);
        logger.LogInformation(
            "Memory trimmed after {Deactivated} grain deactivations ({Peak} → {Current} activations): heap {HeapBeforeMb} → {HeapAfterMb} MB, committed {CommittedBeforeMb} → {CommittedAfterMb} MB, working set {RssBeforeMb} → {RssAfterMb} MB, in {PauseMs} ms",
            peak - current, peak, current, c.HeapBeforeMb, c.HeapAfterMb, c.CommittedBeforeMb, c.CommittedAfterMb, c.RssBeforeMb, c.RssAfterMb, c.PauseMs);
    }

    /// <summary>What one full, blocking, compacting collection freed and how long it paused the node.</summary>
    private sealed record Collection(long HeapBeforeMb, long HeapAfterMb, long CommittedBeforeMb, long CommittedAfterMb, long RssBeforeMb, long RssAfterMb, long PauseMs);

    private static Collection Collect(GCCollectionMode mode)
    {
        var before = GC.GetGCMemoryInfo();
        var rssBefore = Environment.WorkingSet;
        var watch = Stopwatch.StartNew();
        GC.Collect(GC.MaxGeneration, mode, blocking: true, compacting: true);
        var after = GC.GetGCMemoryInfo();
        return new Collection(before.HeapSizeBytes >> 20, after.HeapSizeBytes >> 20, before.TotalCommittedBytes >> 20, after.TotalCommittedBytes >> 20,
            rssBefore >> 20, Environment.WorkingSet >> 20, watch.ElapsedMilliseconds);
    }
}
