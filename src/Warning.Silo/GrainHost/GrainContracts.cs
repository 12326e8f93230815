namespace Warning.Silo.GrainHost;

// Orleans-shaped seams, so that moving to Orleans later is mechanical: grain interfaces derive from
// IGrainWithStringKey, every method returns Task/Task<T>/ValueTask, callers go through IGrainFactory.

/// <summary>Marker for grain interfaces addressed by a string key.</summary>
public interface IGrainWithStringKey;

public interface IGrainFactory
{
    /// <summary>A reference to the grain of that interface and key; calls activate it on first use.</summary>
    TGrain GetGrain<TGrain>(string key) where TGrain : IGrainWithStringKey;
}

/// <summary>One persisted grain state, as JSON.</summary>
public sealed record GrainStateRecord(string GrainType, string Key, string Json);

/// <summary>Where grain state lives between activations.</summary>
public interface IGrainStorage
{
    Task<string?> ReadAsync(string grainType, string key, CancellationToken cancellationToken = default);

    /// <summary>Writes the records atomically; when <paramref name="checkpoint"/> is given it is stored in the same transaction.</summary>
    Task WriteAsync(IReadOnlyList<GrainStateRecord> records, long? checkpoint, CancellationToken cancellationToken = default);
}
