namespace Warning.Silo.Storage;

/// <summary>
/// Named positions in the ingest log (<c>checkpoints(name, seq)</c>, in state.db or the cluster's PostgreSQL): how far
/// the grains (<see cref="Ingest"/>, or one partition's owner in cluster mode) and other readers of the log (the
/// time-series feed) are known to be durable.
/// </summary>
public sealed class Checkpoints(LogStore store)
{
    /// <summary>The grains' checkpoint: every grain state up to this seq is written.</summary>
    public const string Ingest = "ingest";

    /// <summary>The checkpoint of one partition of the cluster's log.</summary>
    public static string Partition(int partition) => $"ingest-partition-{partition}";

    /// <summary>The grains' checkpoint, or 0 when none was written yet.</summary>
    public Task<long> ReadCheckpointAsync(CancellationToken cancellationToken = default) => ReadCheckpointAsync(Ingest, cancellationToken);

    public async Task<long> ReadCheckpointAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = store.OpenCheckpoints();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq FROM checkpoints WHERE name = @name";
        LogStore.Parameter(command, "@name", name);
        return await command.ExecuteScalarAsync(cancellationToken) is long seq ? seq : 0;
    }

    public async Task WriteCheckpointAsync(string name, long seq, CancellationToken cancellationToken = default)
    {
        await using var connection = store.OpenCheckpoints();
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO checkpoints (name, seq) VALUES (@name, @seq) ON CONFLICT (name) DO UPDATE SET seq = excluded.seq";
        LogStore.Parameter(command, "@name", name);
        LogStore.Parameter(command, "@seq", seq);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
