using System.Collections.Concurrent;

namespace Warning.Web.Live;

/// <summary>
/// The views this node's screens watch (an area id, or null for the whole hierarchy) and the spike scan's latest
/// findings. The broadcaster computes a situation, a map and the spikes per watched view and sends each only to its
/// watchers: the feed never carries a region to a screen outside it.
/// </summary>
public sealed class ScreenViews
{
    private readonly ConcurrentDictionary<string, int> _watchers = new(StringComparer.Ordinal);
    private const string Everything = "*";

    public void Watch(string? view) => _watchers.AddOrUpdate(view ?? Everything, 1, (_, n) => n + 1);

    public void Leave(string? view) => _watchers.AddOrUpdate(view ?? Everything, 0, (_, n) => Math.Max(0, n - 1));

    /// <summary>Views with at least one screen on this node now.</summary>
    public IReadOnlyList<string?> Watched => _watchers.Where(w => w.Value > 0).Select(w => w.Key == Everything ? null : w.Key).ToArray();

    private SpikeBoard _spikes = SpikeBoard.None;

    /// <summary>The day's spiking villages, whole; each view receives those under it.</summary>
    public SpikeBoard Spikes => Volatile.Read(ref _spikes);

    public void SetSpikes(DateOnly day, IReadOnlyList<SpikingVillage> villages) =>
        Volatile.Write(ref _spikes, new SpikeBoard(Spikes.Version + 1, day, villages));
}

public sealed record SpikeBoard(long Version, DateOnly? Day, IReadOnlyList<SpikingVillage> Villages)
{
    public static SpikeBoard None { get; } = new(0, null, []);
}

/// <param name="Path">The village and its ancestors' ids: a screen counts spiking villages per area without asking again.</param>
public sealed record SpikingVillage(string VillageId, string Name, IReadOnlyList<string> Path, IReadOnlyList<Warning.Silo.Areas.SpikeSignal> Active);
