using System.Collections.Concurrent;

namespace Warning.Silo.GrainHost;

/// <summary>Grain storage in a dictionary, for tests and throw-away runs.</summary>
public sealed class InMemoryGrainStorage : IGrainStorage
{
    private readonly ConcurrentDictionary<(string Type, string Key), string> _states = new();
    private readonly Lock _writeLock = new();
    private long? _checkpoint;
    private int _writeCount;

    /// <summary>The last checkpoint written, if any.</summary>
    public long? Checkpoint { get { lock (_writeLock) return _checkpoint; } }

    /// <summary>How many WriteAsync calls were made.</summary>
    public int WriteCount => Volatile.Read(ref _writeCount);

    /// <summary>Number of stored states.</summary>
    public int Count => _states.Count;

    /// <summary>The stored JSON of a grain, or null.</summary>
    public string? Get(string grainType, string key) => _states.TryGetValue((grainType, key), out var json) ? json : null;

    public Task<string?> ReadAsync(string grainType, string key, CancellationToken cancellationToken = default)
        => Task.FromResult(Get(grainType, key));

    public Task WriteAsync(IReadOnlyList<GrainStateRecord> records, long? checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeLock)
        {
            foreach (var r in records) _states[(r.GrainType, r.Key)] = r.Json;
            if (checkpoint.HasValue) _checkpoint = checkpoint;
            _writeCount++;
        }
        return Task.CompletedTask;
    }
}
