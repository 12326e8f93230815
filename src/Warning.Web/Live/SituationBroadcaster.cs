using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Areas;
using Orleans;
using Warning.Silo.Health;
using Warning.Silo.Ingest;
using Warning.Silo.Risk;

namespace Warning.Web.Live;

public sealed class LiveOptions
{
    public const string Section = "Live";

    /// <summary>At most one situation push per interval, however fast reports arrive; well inside the one-second promise.</summary>
    public TimeSpan PushInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The situation goes out at least this often, changed or not: a screen tells a quiet hour from a dead feed by it,
    /// and "today" turns over at civil midnight without waiting for a report.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Every village of the watched views is re-read this often and the changed ones pushed: a case re-scored through an
    /// incident filed in another grid changes a village no ingest entry names.
    /// </summary>
    public TimeSpan VillageSweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    public static IEnumerable<string> Validate(LiveOptions o)
    {
        if (o.PushInterval <= TimeSpan.Zero) yield return "Live:PushInterval must be positive";
        if (o.RefreshInterval < o.PushInterval) yield return "Live:RefreshInterval must be at least Live:PushInterval";
        if (o.VillageSweepInterval < o.PushInterval) yield return "Live:VillageSweepInterval must be at least Live:PushInterval";
    }
}

/// <summary>
/// Pushes, for each view a screen of this node watches (<see cref="ScreenViews"/>), its situation whenever applied ingest
/// changed it and every <see cref="LiveOptions.RefreshInterval"/> regardless, the villages of its map whose risk
/// changed, and its share of the spike scan. Each goes to that view's screens only.
/// </summary>
public sealed class SituationBroadcaster(IngestApplier applier, LiveFeed feed, ScreenViews screens, AreaHierarchy hierarchy, IGrainFactory grains,
    Simulator.DemoFeed demo, Microsoft.Extensions.Options.IOptions<LiveOptions> options, BackgroundLoops loops, ILogger<SituationBroadcaster> logger) : BackgroundService
{
    public const string LoopName = "situationPush";

    private int _changed = 1;
    private int _sweep;
    private readonly ConcurrentDictionary<string, byte> _dirtyVillages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, VillageRisk> _villagesSent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _spikesSent = new(StringComparer.Ordinal);
    private readonly HashSet<string> _described = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SituationRegion[]> _townships = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        loops.Register(LoopName);
        applier.Subscribe(entries =>
        {
            foreach (var entry in entries) MarkVillage(entry);
            Interlocked.Exchange(ref _changed, 1);
        });
        await applier.CaughtUp.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.PushInterval);
        var lastPush = Stopwatch.GetTimestamp();
        var lastSweep = Stopwatch.GetTimestamp();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var views = screens.Watched;
            // A view nobody watches any more is forgotten: when a screen opens on it again, it is described at once.
            var watched = views.Select(Key).ToHashSet(StringComparer.Ordinal);
            _described.RemoveWhere(k => !watched.Contains(k));
            foreach (var gone in _townships.Keys.Where(k => !watched.Contains(k)).ToArray()) _townships.TryRemove(gone, out _);
            foreach (var gone in _spikesSent.Keys.Where(k => !watched.Contains(k)).ToArray()) _spikesSent.Remove(gone);
            var due = Stopwatch.GetElapsedTime(lastPush) >= options.Value.RefreshInterval;
            if (Stopwatch.GetElapsedTime(lastSweep) >= options.Value.VillageSweepInterval)
            {
                lastSweep = Stopwatch.GetTimestamp();
                Interlocked.Exchange(ref _sweep, 1);
            }
            var changed = Interlocked.Exchange(ref _changed, 0) == 1;
            // A view nobody described yet (a screen just opened on it) gets its situation at once, not at the next report.
            var fresh = views.Where(v => !_described.Contains(Key(v))).ToArray();
            var spikes = screens.Spikes;
            var spikesDue = views.Where(v => _spikesSent.GetValueOrDefault(Key(v)) != spikes.Version).ToArray();
            if (!changed && !due && fresh.Length == 0 && spikesDue.Length == 0 && _dirtyVillages.IsEmpty && _sweep == 0) continue;
            if (changed || due) lastPush = Stopwatch.GetTimestamp();
            // A grain call that times out is a TaskCanceledException too: it must fail this push, not end the loop.
            if (!await loops.RunStepAsync(LoopName, async _ =>
                {
                    // The map first: a village's colour is what a report must change within a second.
                    await PushVillagesAsync(views);
                    foreach (var view in changed || due ? views : fresh)
                    {
                        // Townships (a hundred in Dingxi) only change their screening compliance by the hour: read at each
                        // refresh, not at each push, which comes five times a second when reports pour in.
                        if (due || !_townships.ContainsKey(Key(view))) _townships[Key(view)] = await TownshipsAsync(view);
                        await feed.PublishAsync("situation", await SnapshotAsync(view), view);
                        _described.Add(Key(view));
                    }
                    foreach (var view in spikesDue)
                    {
                        await feed.PublishAsync("spikes", SpikesOf(spikes, view), view);
                        _spikesSent[Key(view)] = spikes.Version;
                    }
                }, logger, stoppingToken))
                Interlocked.Exchange(ref _changed, 1);
        }
    }

    private static string Key(string? view) => view ?? "*";

    private void MarkVillage(IngestEntry entry)
    {
        if (entry.Kind == IngestKind.Rescore) { Interlocked.Exchange(ref _sweep, 1); return; }
        if (entry.Kind is not (IngestKind.Report or IngestKind.Incident)) return;
        var grid = entry.Record switch
        {
            ScreeningReport r => r.GridId,
            Incident i => i.GridId,
            _ => GridOf(entry.Payload),
        };
        if (grid is not null && hierarchy.VillageOf(grid) is { } village) _dirtyVillages.TryAdd(village.Id, 0);
    }

    private static string? GridOf(string payload)
    {
        try
        {
            using var json = JsonDocument.Parse(payload);
            return json.RootElement.TryGetProperty("gridId", out var g) && g.ValueKind == JsonValueKind.String ? g.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Villages whose risk changed since last pushed, each to the views it lies in.</summary>
    private async Task PushVillagesAsync(IReadOnlyList<string?> views)
    {
        if (views.Count == 0) { _dirtyVillages.Clear(); Interlocked.Exchange(ref _sweep, 0); return; }
        string[] candidates;
        if (Interlocked.Exchange(ref _sweep, 0) == 1)
        {
            _dirtyVillages.Clear();
            candidates = views.SelectMany(VillagesOf).Distinct(StringComparer.Ordinal).ToArray();
        }
        else
        {
            candidates = _dirtyVillages.Keys.ToArray();
            foreach (var id in candidates) _dirtyVillages.TryRemove(id, out _);
        }
        if (candidates.Length == 0) return;
        var read = await VillageRisk.ReadAsync(grains, candidates);
        var moved = read.Where(v => !_villagesSent.TryGetValue(v.Id, out var sent) || sent != v).ToArray();
        foreach (var v in moved) _villagesSent[v.Id] = v;
        if (moved.Length == 0) return;
        foreach (var view in views)
        {
            var mine = view is null ? moved : moved.Where(v => hierarchy.PathToRoot(v.Id).Any(a => a.Id == view)).ToArray();
            if (mine.Length > 0) await feed.PublishAsync("villages", new { villages = mine }, view);
        }
    }

    private IEnumerable<string> VillagesOf(string? view) =>
        view is null ? hierarchy.AtLevel(AreaLevel.Village).Select(a => a.Id) : hierarchy.Descendants(view, AreaLevel.Village).Select(a => a.Id);

    private object SpikesOf(SpikeBoard board, string? view) => new
    {
        day = board.Day,
        villages = view is null ? board.Villages : board.Villages.Where(v => v.Path.Contains(view)).ToArray(),
    };

    /// <summary>The situation of the whole hierarchy (the roots), as a screen with no view shows it.</summary>
    public Task<SituationSnapshot> SnapshotAsync() => SnapshotAsync(null);

    /// <summary>
    /// The situation of <paramref name="view"/>: its totals, its children side by side, and its townships (for their
    /// screening compliance). Null: the roots' totals, and a single root's children.
    /// </summary>
    public async Task<SituationSnapshot> SnapshotAsync(string? view)
    {
        var top = view is null ? hierarchy.Roots : [hierarchy[view]];
        var regions = await Task.WhenAll(top.Select(DescribeAsync));
        // A wall display of one city wants its counties side by side, not the city again.
        var shown = top.Count == 1 ? hierarchy.ChildrenOf(top[0].Id) : top;
        var areas = await Task.WhenAll(shown.Select(DescribeAsync));
        var townships = _townships.TryGetValue(Key(view), out var known) ? known : await TownshipsAsync(view);
        var path = view is null ? [] : hierarchy.PathToRoot(view).Reverse().Select(a => new ViewStep(a.Id, a.Name, a.Level.ToString().ToLowerInvariant())).ToArray();
        return new SituationSnapshot(applier.AppliedSeq, regions, areas) { Path = path, Townships = townships, Demo = demo.Situation() };
    }

    private Task<SituationRegion[]> TownshipsAsync(string? view) =>
        Task.WhenAll((view is null ? hierarchy.Roots : [hierarchy[view]]).SelectMany(a => hierarchy.Descendants(a.Id, AreaLevel.Township)).Select(DescribeAsync));

    private async Task<SituationRegion> DescribeAsync(Area area) => new(area.Id, area.Name, await grains.For(area).GetCounts());
}

/// <param name="Regions">The roots of the hierarchy, or the watched area: the screen's totals.</param>
/// <param name="Areas">What the screen lists side by side: the children of a single root (or of the watched area), else the roots.</param>
public sealed record SituationSnapshot(long AppliedSeq, IReadOnlyList<SituationRegion> Regions, IReadOnlyList<SituationRegion> Areas)
{
    /// <summary>The watched area and its ancestors, root first; empty for the whole hierarchy.</summary>
    public IReadOnlyList<ViewStep> Path { get; init; } = [];

    /// <summary>The townships under the view, for screening compliance by township.</summary>
    public IReadOnlyList<SituationRegion> Townships { get; init; } = [];

    /// <summary>Set while the accelerated demo feed runs: the screen shows the simulated clock and labels "today".</summary>
    public Simulator.DemoFeed.DemoSituation? Demo { get; init; }
}

public sealed record ViewStep(string Id, string Name, string Level);

public sealed record SituationRegion(string Id, string Name, AreaCounts Counts);
