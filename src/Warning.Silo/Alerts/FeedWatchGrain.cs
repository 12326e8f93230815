using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Concurrency;
using Orleans.Runtime;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;

namespace Warning.Silo.Alerts;

/// <summary>The dead-man of one incident source (key: its wire name, e.g. <c>police_110</c>).</summary>
[Alias("IFeedWatchGrain")]
public interface IFeedWatchGrain : IGrainWithStringKey
{
    /// <summary>Incidents of the source were applied just now. Not one-way: the applier awaits it (see <see cref="FeedWatchGrain.HeardAsync"/>).</summary>
    [Alias("Seen")]
    Task Seen();

    /// <summary>Starts watching (at start-up, for every source with an interval in <c>Alerts:FeedHeartbeats</c>).</summary>
    [Alias("Watch")]
    Task Watch();
}

[GenerateSerializer, Alias("FeedWatchState")]
public sealed class FeedWatchState
{
    [Id(0)] public DateTimeOffset? LastSeen { get; set; }
    [Id(1)] public bool Silent { get; set; }
}

/// <summary>
/// A silent feed is itself an alert: while watched, a grain timer compares the last time the source's incidents arrived
/// with its interval; past it, <c>feed_silent:{source}</c> fires, and the next incident clears it. Arrival time, not the
/// incidents' own times, is what counts: a feed delivering its backlog is alive.
/// </summary>
[GrainType("feed-watch")]
public sealed class FeedWatchGrain([PersistentState("state")] IPersistentState<FeedWatchState> state, IOptions<AlertsOptions> options,
    [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Warning.Silo.Time.WarningClock.Business)] TimeProvider time, AreaHierarchy hierarchy, ILogger<FeedWatchGrain> logger) : Grain, IFeedWatchGrain
{
    private IGrainTimer? _timer;
    private TimeSpan? Interval => options.Value.FeedHeartbeats.TryGetValue(this.GetPrimaryKeyString(), out var i) ? i : null;

    public async Task Seen()
    {
        var wasSilent = state.State.Silent;
        var last = state.State.LastSeen;
        state.State.LastSeen = time.GetUtcNow();
        state.State.Silent = false;
        // Written at most every tenth of the interval: arrivals come by the thousand, a restart only needs a rough time.
        if (wasSilent || last is null || Interval is not { } i || state.State.LastSeen - last > i / 10) await WriteAsync();
        if (wasSilent) await GrainFactory.ClearAsync(AlertRules.FeedSilent, this.GetPrimaryKeyString(), logger);
        Arm();
    }

    public async Task Watch()
    {
        if (state.State.LastSeen is null)
        {
            // Watching starts now: a feed that has never sent anything gets one interval from here.
            state.State.LastSeen = time.GetUtcNow();
            await WriteAsync();
        }
        Arm();
    }

    /// <summary>
    /// Writes the watch. A write refused because the stored version moved on (CI saw one: "expected version 1, stored 2")
    /// takes the stored version and writes this watch's values over it: they are the latest, and a watch whose write threw
    /// had marked itself silent without raising, so it never raised.
    /// </summary>
    private async Task WriteAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Orleans.Storage.InconsistentStateException ex)
        {
            logger.LogWarning("Feed watch {Source} rewritten over a newer stored version: {Error}", this.GetPrimaryKeyString(), ex.Message);
            var (lastSeen, silent) = (state.State.LastSeen, state.State.Silent);
            await state.ReadStateAsync();
            state.State.LastSeen = lastSeen;
            state.State.Silent = silent;
            await state.WriteStateAsync();
        }
    }

    private void Arm()
    {
        if (Interval is null || _timer is not null) return;
        _timer = this.RegisterGrainTimer(CheckAsync, new GrainTimerCreationOptions(options.Value.TickInterval, options.Value.TickInterval) { KeepAlive = true });
    }

    private async Task CheckAsync()
    {
        if (Interval is not { } interval || state.State.Silent || state.State.LastSeen is not { } last || time.GetUtcNow() - last <= interval) return;
        state.State.Silent = true;
        var source = this.GetPrimaryKeyString();
        var root = hierarchy.Roots[0].Id;
        // Raised before the watch is written: the alert must not hang on the write.
        await GrainFactory.RaiseAsync(new AlertSignal(AlertRules.FeedSilent, new AlertSubject("feed", source), root, AlertSeverity.High, time.GetUtcNow(),
            new AlertText($"数据源中断：{source}", $"Feed silent: {source}"),
            new AlertText($"{source} 已超过 {interval} 未送达任何事件（最后一次 {last:yyyy-MM-dd HH:mm:ss}Z）", $"No incident from {source} for more than {interval} (last at {last:O})")), logger);
        await WriteAsync();
    }

    /// <summary>
    /// Tells the watches of the sources in an applied segment that they were heard from (one call per source, not per
    /// incident). Awaited: once a segment counts as applied, its sources' watches know it, so a silence is measured from
    /// the last incident applied, not from whenever a detached call happened to land. A failure is logged, never thrown:
    /// a watch must not hold up the log.
    /// </summary>
    public static async Task HeardAsync(IGrainFactory grains, IEnumerable<IncidentSource> sources, ILogger logger)
    {
        try
        {
            await Task.WhenAll(sources.Distinct().Select(source => grains.GetGrain<IFeedWatchGrain>(DisputeVocabulary.WireName(source)).Seen()));
        }
        catch (Exception ex)
        {
            logger.LogWarning("Feed watches not told of an applied segment: {Error}", ex.Message);
        }
    }
}
