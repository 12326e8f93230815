using System.Diagnostics;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Areas;
using Orleans;
using Warning.Silo.Health;
using Warning.Silo.Ingest;

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
}

/// <summary>Pushes the situation of the top regions (today's screened, resolved, open, by category) whenever applied ingest changed it, and every <see cref="LiveOptions.RefreshInterval"/> regardless.</summary>
public sealed class SituationBroadcaster(IngestApplier applier, LiveFeed feed, AreaHierarchy hierarchy, IGrainFactory grains,
    Microsoft.Extensions.Options.IOptions<LiveOptions> options, BackgroundLoops loops, ILogger<SituationBroadcaster> logger) : BackgroundService
{
    public const string LoopName = "situationPush";

    private int _changed = 1;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        loops.Register(LoopName);
        applier.Subscribe(_ => Interlocked.Exchange(ref _changed, 1));
        await applier.CaughtUp.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.PushInterval);
        var lastPush = Stopwatch.GetTimestamp();
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var due = Stopwatch.GetElapsedTime(lastPush) >= options.Value.RefreshInterval;
            if (Interlocked.Exchange(ref _changed, 0) == 0 && !due) continue;
            lastPush = Stopwatch.GetTimestamp();
            // A grain call that times out is a TaskCanceledException too: it must fail this push, not end the loop.
            if (!await loops.RunStepAsync(LoopName, async _ => await feed.PublishAsync("situation", await SnapshotAsync()), logger, stoppingToken))
                Interlocked.Exchange(ref _changed, 1);
        }
    }

    public async Task<SituationSnapshot> SnapshotAsync()
    {
        var regions = await Task.WhenAll(hierarchy.Roots.Select(area => DescribeAsync(area)));
        // A wall display of one city wants its counties side by side, not the city again.
        var shown = hierarchy.Roots.Count == 1 ? hierarchy.ChildrenOf(hierarchy.Roots[0].Id) : hierarchy.Roots;
        var areas = await Task.WhenAll(shown.Select(area => DescribeAsync(area)));
        return new SituationSnapshot(applier.AppliedSeq, regions, areas);
    }

    private async Task<SituationRegion> DescribeAsync(Area area) => new(area.Id, area.Name, await grains.For(area).GetCounts());
}

/// <param name="Regions">The roots of the hierarchy: the screen's totals.</param>
/// <param name="Areas">What the screen lists side by side: the children of a single root, else the roots.</param>
public sealed record SituationSnapshot(long AppliedSeq, IReadOnlyList<SituationRegion> Regions, IReadOnlyList<SituationRegion> Areas);

public sealed record SituationRegion(string Id, string Name, AreaCounts Counts);
