using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;

namespace Warning.Silo.Cluster;

/// <summary>One partition of the cluster's ingest log; its single activation is the partition's one owner.</summary>
[Alias("IIngestPartitionGrain")]
public interface IIngestPartitionGrain : IGrainWithIntegerKey
{
    /// <summary>Activates the partition if it is nowhere active; returns the silo that owns it.</summary>
    [Alias("Ensure")]
    Task<string> Ensure();
}

/// <summary>
/// Ownership of a partition is this grain's activation: Orleans keeps at most one, and when its node dies, re-activates it
/// on a survivor at the next call (<see cref="PartitionKeeper"/> calls every partition every second) or reminder tick.
/// While active it has this node's <see cref="PartitionOwners"/> apply the partition; the work runs off the grain's
/// scheduler, the grain is only the lease. Placed on the partition's rendezvous silo (<see cref="PartitionPlacement"/>).
/// </summary>
[GrainType("ingest-partition"), PartitionPlacement]
public sealed class IngestPartitionGrain(PartitionOwners owners, PartitionPlacement placement, ILocalSiloDetails silo, ILogger<IngestPartitionGrain> logger)
    : Grain, IIngestPartitionGrain, IRemindable
{
    private const string Reminder = "owner";

    private int Partition => (int)this.GetPrimaryKeyLong();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        owners.Take(Partition);
        try
        {
            // A durable backstop for the keepers: reminders live in PostgreSQL and fire on some survivor, which activates this
            // grain again even if no node's keeper called it.
            await this.RegisterOrUpdateReminder(Reminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        }
        catch (Exception ex)
        {
            // PostgreSQL away: the partition is owned and applied all the same; the next activation registers it again.
            logger.LogWarning(ex, "Partition {Partition}: the owner reminder could not be registered", Partition);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => owners.ReleaseAsync(Partition);

    public Task<string> Ensure()
    {
        // A node that joined since may be where the partition should be: hand it over (that node's keeper activates it there).
        if (!placement.IsPreferredHere(Partition))
        {
            logger.LogInformation("Partition {Partition}: handing over to {Silo}", Partition, placement.PreferredSilo(Partition));
            this.DeactivateOnIdle();
        }
        return Task.FromResult(silo.SiloAddress.ToString());
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask;
}
