using Orleans;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Warning.Silo.Cluster;

/// <summary>
/// Which active silo each partition should live on: rendezvous hashing over the silos, so partitions spread over the
/// nodes, only a dead node's partitions move when one dies, and a few move to a node that joins. Every node computes
/// the same answer from the same membership view.
/// </summary>
public sealed class PartitionPlacement(IClusterMembershipService membership, ILocalSiloDetails local)
{
    public SiloAddress? PreferredSilo(int partition) =>
        Choose(partition, membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress));

    /// <summary>True when this silo is the partition's place, or when the membership names no active silo yet.</summary>
    public bool IsPreferredHere(int partition) => PreferredSilo(partition) is not { } preferred || preferred.Equals(local.SiloAddress);

    public static SiloAddress? Choose(int partition, IEnumerable<SiloAddress> silos)
    {
        SiloAddress? best = null;
        ulong bestScore = 0;
        foreach (var silo in silos)
        {
            var score = Hash($"{partition}/{silo}");
            if (best is null || score > bestScore) (best, bestScore) = (silo, score);
        }
        return best;
    }

    // FNV-1a with a 64-bit finaliser: string.GetHashCode differs between processes, and every node must agree.
    private static ulong Hash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        return hash;
    }
}

/// <summary>Places a partition grain on its rendezvous silo (<see cref="PartitionPlacement"/>), whoever calls it.</summary>
[Serializable, GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class PartitionPlacementStrategy : PlacementStrategy;

[AttributeUsage(AttributeTargets.Class)]
public sealed class PartitionPlacementAttribute() : PlacementAttribute(new PartitionPlacementStrategy());

public sealed class PartitionPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var silos = context.GetCompatibleSilos(target);
        var chosen = PartitionPlacement.Choose((int)target.GrainIdentity.GetIntegerKey(), silos) ?? context.LocalSilo;
        return Task.FromResult(chosen);
    }
}
