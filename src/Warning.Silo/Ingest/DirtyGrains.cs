using Orleans.Runtime;

namespace Warning.Silo.Ingest;

/// <summary>The grains of this silo whose state changed since they last wrote it: what a checkpoint must flush first.</summary>
public sealed class DirtyGrains
{
    /// <summary>
    /// Cluster mode: grains write their state before each apply call returns instead of behind. The grains a partition's
    /// owner changes live on every node, where this silo-local set cannot reach them, and a node that dies takes its
    /// unwritten states with it; writing through makes a returned call durable, so the owner's position is its checkpoint.
    /// </summary>
    public bool WriteThrough { get; init; }

    // A lock, not a swapped concurrent dictionary: an add racing the swap could land in the taken set after it was read,
    // and that grain, already marked, would never register again.
    private readonly object _gate = new();
    private Dictionary<GrainId, ILogAppliedGrain> _dirty = new();

    public int Count
    {
        get { lock (_gate) return _dirty.Count; }
    }

    public void Add(GrainId id, ILogAppliedGrain grain)
    {
        lock (_gate) _dirty.TryAdd(id, grain);
    }

    /// <summary>Takes the set; a grain changed after its flush registers again.</summary>
    public IReadOnlyCollection<KeyValuePair<GrainId, ILogAppliedGrain>> TakeAll()
    {
        lock (_gate)
        {
            var taken = _dirty;
            _dirty = new Dictionary<GrainId, ILogAppliedGrain>();
            return taken;
        }
    }

    /// <summary>
    /// A grain wrote its state as it deactivated: the checkpoint need not flush it, which would only activate it again
    /// to find nothing to write (the activation budget deactivates thousands of cases at a time).
    /// </summary>
    public void Written(GrainId id)
    {
        lock (_gate) _dirty.Remove(id);
    }

    /// <summary>
    /// A grain deactivated without writing its changes: they are gone with the activation, and only a replay from the
    /// last checkpoint brings them back, so the checkpoint must not move past them.
    /// </summary>
    public void Lost(GrainId id, Exception error)
    {
        lock (_gate)
        {
            _dirty.Remove(id);
            LostWrite ??= $"{id}: {error.Message}";
        }
    }

    /// <summary>The first grain whose changes went with its activation, if any (the applier holds its checkpoint then).</summary>
    public string? LostWrite { get; private set; }

    /// <summary>Puts back the grains whose flush failed, for the next checkpoint.</summary>
    public void Return(IEnumerable<KeyValuePair<GrainId, ILogAppliedGrain>> unflushed)
    {
        lock (_gate)
            foreach (var (id, grain) in unflushed) _dirty.TryAdd(id, grain);
    }
}
