using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Warning.Silo.Ingest;

namespace Warning.Silo.Cluster;

/// <summary>
/// Every node, every <see cref="ClusterModeOptions.PartitionCheckInterval"/>: calls every partition, which activates any
/// that is active nowhere (a dead node's, once Orleans has declared it dead) on its place (<see cref="PartitionPlacement"/>).
/// Each node calls, so a partition is never left waiting on one node's keeper; the owner reminder is the backstop.
/// </summary>
public sealed class PartitionKeeper(IGrainFactory grains, IngestPartitions partitions,
    IOptions<ClusterModeOptions> options, ILogger<PartitionKeeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A call to a partition on a node that just died waits for Orleans to give up on it; the others go on meanwhile.
        var inFlight = new Task?[partitions.Count];
        using var timer = new PeriodicTimer(options.Value.PartitionCheckInterval);
        do
        {
            for (var p = 0; p < partitions.Count; p++)
            {
                if (inFlight[p] is { IsCompleted: false }) continue;
                var partition = p;
                inFlight[p] = Task.Run(async () =>
                {
                    try { await grains.GetGrain<IIngestPartitionGrain>(partition).Ensure(); }
                    catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                    {
                        logger.LogDebug(ex, "Partition {Partition}: ensure failed", partition);
                    }
                }, CancellationToken.None);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
