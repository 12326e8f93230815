namespace Warning.Silo.Ingest;

/// <summary>
/// Where an entry stands for the grains: its partition and its seq in one long. Each partition is applied in order by one
/// owner, but a grain above the partitions (the city, a key individual, a case with incidents from elsewhere) takes entries
/// from several owners at once, so "skip anything at or below the last seq" has to hold per partition. Partition 0 is the
/// embedded mode's only partition (and the cluster's partition for entries of no county): its position is the seq itself,
/// so state written before partitions existed reads the same.
/// </summary>
public static class LogPosition
{
    /// <summary>Seqs stay below 2^48 (a million entries a second for eight years); partitions take the bits above.</summary>
    public const int PartitionShift = 48;

    public static long Of(int partition, long seq) => partition == 0 ? seq : ((long)partition << PartitionShift) | seq;

    public static int PartitionOf(long position) => (int)(position >>> PartitionShift);

    /// <summary>Whether an entry at <paramref name="position"/> is already applied, given the watermarks a grain keeps.</summary>
    public static bool Covers(long lastSeq, Dictionary<int, long>? partitions, long position)
    {
        var partition = PartitionOf(position);
        if (partition == 0) return position <= lastSeq;
        return partitions is not null && partitions.TryGetValue(partition, out var last) && position <= last;
    }

    /// <summary>The watermarks after applying <paramref name="position"/>; partition 0 keeps its own field (no dictionary in embedded mode).</summary>
    public static (long LastSeq, Dictionary<int, long>? Partitions) Record(long lastSeq, Dictionary<int, long>? partitions, long position)
    {
        var partition = PartitionOf(position);
        if (partition == 0) return (position, partitions);
        partitions ??= new Dictionary<int, long>();
        partitions[partition] = position;
        return (lastSeq, partitions);
    }
}
