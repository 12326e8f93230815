using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Warning.Silo.Ingest;
using Warning.Silo.Storage;

namespace Warning.Silo.Cluster;

/// <summary>The partitions this node owns (their <see cref="IngestPartitionGrain"/> is active here) and their appliers.</summary>
public sealed class PartitionOwners(IngestLog log, IngestApplier applier, Checkpoints checkpoints, IngestPartitions partitions,
    IOptions<ClusterModeOptions> cluster, IOptions<ApplierOptions> applierOptions, TimeProvider time, ILogger<PartitionApplier> logger)
{
    private readonly ConcurrentDictionary<int, PartitionApplier> _owned = new();

    public IReadOnlyCollection<PartitionApplier> Owned => _owned.Values.OrderBy(a => a.Partition).ToArray();

    public void Take(int partition)
    {
        _owned.GetOrAdd(partition, p => new PartitionApplier(p, partitions.NameOf(p), log, applier, checkpoints, cluster.Value,
            applierOptions.Value, time, logger));
    }

    public async Task ReleaseAsync(int partition)
    {
        if (_owned.TryRemove(partition, out var owner)) await owner.StopAsync();
    }
}

/// <summary>
/// Applies one partition of the shared log while this node owns it: from the partition's checkpoint, in log order, a
/// segment at a time through the same code as the embedded applier. Grains write through in cluster mode, so once a
/// segment's calls have returned it is durable and its last seq is the checkpoint. A failure (a node lost mid-call,
/// PostgreSQL away) leaves the position where it was and the same entries are applied again after
/// <see cref="ClusterModeOptions.RetryDelay"/>; grains skip what they already hold.
/// </summary>
public sealed class PartitionApplier
{
    private readonly IngestLog _log;
    private readonly IngestApplier _applier;
    private readonly Checkpoints _checkpoints;
    private readonly ClusterModeOptions _cluster;
    private readonly ApplierOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private long _position;
    private long _caughtUpAt;
    private long _resumedAt;

    public PartitionApplier(int partition, string county, IngestLog log, IngestApplier applier, Checkpoints checkpoints,
        ClusterModeOptions cluster, ApplierOptions options, TimeProvider time, ILogger logger)
    {
        Partition = partition;
        County = county;
        _log = log;
        _applier = applier;
        _checkpoints = checkpoints;
        _cluster = cluster;
        _options = options;
        _logger = logger;
        Since = time.GetUtcNow();
        // Off the grain's scheduler: the owner grain only holds the lease.
        _run = Task.Run(() => RunAsync(_stop.Token));
    }

    public int Partition { get; }

    public string County { get; }

    /// <summary>When this node took the partition.</summary>
    public DateTimeOffset Since { get; }

    /// <summary>The last seq of this partition applied (and, grains writing through, durable).</summary>
    public long Position => Interlocked.Read(ref _position);

    /// <summary>Seconds from taking the partition to applying it again: its first segment applied, or none waiting; null until then.</summary>
    public double? ResumedSeconds => Seconds(ref _resumedAt);

    /// <summary>Seconds from taking the partition to the first moment nothing of it was waiting; under steady load that is later.</summary>
    public double? CaughtUpSeconds => Seconds(ref _caughtUpAt);

    private static double? Seconds(ref long ticks) => Interlocked.Read(ref ticks) is var t and > 0 ? TimeSpan.FromTicks(t).TotalSeconds : null;

    private async Task RunAsync(CancellationToken stop)
    {
        var started = Stopwatch.StartNew();
        var name = Checkpoints.Partition(Partition);
        long applied = 0;
        var loaded = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (!loaded)
                {
                    Interlocked.Exchange(ref _position, await _checkpoints.ReadCheckpointAsync(name, stop));
                    loaded = true;
                    _logger.LogInformation("Partition {Partition} ({County}) taken here from seq {Seq}", Partition, County, Position);
                }
                var position = Position;
                var entries = await Task.Run(() => _log.ReadPartitionAfter(Partition, position, _options.SegmentSize).ToList(), stop);
                if (Interlocked.Read(ref _resumedAt) == 0 && entries.Count == 0) Interlocked.Exchange(ref _resumedAt, Math.Max(1, started.Elapsed.Ticks));
                if (entries.Count == 0)
                {
                    if (Interlocked.Read(ref _caughtUpAt) == 0)
                    {
                        Interlocked.Exchange(ref _caughtUpAt, Math.Max(1, started.Elapsed.Ticks));
                        _logger.LogInformation("Partition {Partition} ({County}) caught up at seq {Seq}: {Entries} entries applied in {Seconds:F1}s since taken",
                            Partition, County, position, applied, started.Elapsed.TotalSeconds);
                    }
                    await Task.Delay(_cluster.PollInterval, stop);
                    continue;
                }
                await _applier.ApplyOwnedAsync(entries);
                if (Interlocked.Read(ref _resumedAt) == 0)
                {
                    Interlocked.Exchange(ref _resumedAt, Math.Max(1, started.Elapsed.Ticks));
                    _logger.LogInformation("Partition {Partition} ({County}) resumed: first {Entries} entries after seq {Seq} applied {Seconds:F1}s after taking it",
                        Partition, County, entries.Count, position, started.Elapsed.TotalSeconds);
                }
                applied += entries.Count;
                Interlocked.Exchange(ref _position, entries[^1].Seq);
                await _applier.ListAlertsDurablyAsync();
                await _checkpoints.WriteCheckpointAsync(name, entries[^1].Seq, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Partition {Partition}: applying after seq {Seq} failed; again in {Delay}", Partition, Position, _cluster.RetryDelay);
                try { await Task.Delay(_cluster.RetryDelay, stop); }
                catch (OperationCanceledException) { break; }
            }
        }
    }

    /// <summary>Stops after the segment in hand (its grains write through; the checkpoint is at most one segment behind).</summary>
    public async Task StopAsync()
    {
        _stop.Cancel();
        try { await _run.WaitAsync(TimeSpan.FromSeconds(30)); }
        catch (TimeoutException) { _logger.LogWarning("Partition {Partition}: applier still busy after 30 s at release", Partition); }
        _logger.LogInformation("Partition {Partition} released here at seq {Seq}", Partition, Position);
    }
}
