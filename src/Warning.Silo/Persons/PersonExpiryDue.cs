using System.Collections.Concurrent;

namespace Warning.Silo.Persons;

/// <summary>
/// When each key individual next needs the expiry sweep (its basis expiring, then its purge), so that the sweep calls
/// only those whose moment came instead of waking every person grain of a province each time (50,000 activations every
/// five minutes, each kept two minutes). Unknown (after a start, or a registration since): visit. A registration moves
/// the person's generation on, so a sweep that read the old record cannot store a moment the new one has changed.
/// </summary>
public sealed class PersonExpiryDue
{
    private readonly ConcurrentDictionary<string, (long Generation, DateTimeOffset? Due)> _entries = new(StringComparer.Ordinal);

    public long Generation(string personId) => _entries.TryGetValue(personId, out var e) ? e.Generation : 0;

    /// <summary>The person's record changed (applied on this silo): its moment is unknown until the next visit.</summary>
    public void Forget(string personId) => _entries.AddOrUpdate(personId, _ => (1, null), (_, e) => (e.Generation + 1, null));

    /// <summary>What a visit learnt; kept only if nothing changed the record since <paramref name="generation"/> was read.</summary>
    public void Record(string personId, long generation, DateTimeOffset? due)
    {
        var next = (generation, due ?? DateTimeOffset.MaxValue);
        while (true)
        {
            if (!_entries.TryGetValue(personId, out var e))
            {
                if (generation != 0 || _entries.TryAdd(personId, next)) return;
            }
            else if (e.Generation != generation || _entries.TryUpdate(personId, next, e)) return;
        }
    }

    public bool IsDue(string personId, DateTimeOffset now) => !_entries.TryGetValue(personId, out var e) || e.Due is not { } due || due <= now;
}
