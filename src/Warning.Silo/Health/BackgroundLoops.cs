using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Warning.Silo.Health;

/// <summary>
/// How the service's background loops are doing, for <c>/readyz</c>. A loop that failed shows as failing (since when,
/// and its last error) until its next success: a loop that dies or keeps failing quietly leaves the data it feeds
/// stale with nothing to show for it.
/// </summary>
public sealed class BackgroundLoops(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, LoopStatus> _loops = new(StringComparer.Ordinal);

    /// <summary>Lists the loop as ok from its start, so <c>/readyz</c> shows every loop the service runs.</summary>
    public void Register(string loop) => _loops.TryAdd(loop, LoopStatus.Ok);

    public void Succeeded(string loop) => _loops[loop] = LoopStatus.Ok;

    public void Failed(string loop, string error) =>
        _loops.AddOrUpdate(loop, _ => new LoopStatus(time.GetUtcNow(), error), (_, was) => new LoopStatus(was.FailingSince ?? time.GetUtcNow(), error));

    public IReadOnlyDictionary<string, LoopStatus> Current => new SortedDictionary<string, LoopStatus>(_loops, StringComparer.Ordinal);

    /// <summary>
    /// Runs one step of <paramref name="loop"/>. Any exception but the cancellation of <paramref name="stoppingToken"/>
    /// is logged with the loop's name and shown as failing; false then. An HttpClient timeout is a
    /// <see cref="TaskCanceledException"/> too, and is a failure, not a stop.
    /// </summary>
    public async Task<bool> RunStepAsync(string loop, Func<CancellationToken, Task> step, ILogger logger, CancellationToken stoppingToken)
    {
        try
        {
            await step(stoppingToken);
            Succeeded(loop);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            Failed(loop, ex.Message);
            logger.LogError(ex, "Background loop {Loop} failed: {Error}", loop, ex.Message);
            return false;
        }
    }

    /// <summary>
    /// Runs <paramref name="step"/> every <paramref name="interval"/> (first at once if <paramref name="runAtStart"/>)
    /// until <paramref name="stoppingToken"/> is cancelled. A failed step is tried again sooner, after 1, 2, 4… seconds
    /// up to the interval: a ten-minute loop that failed during a short outage would otherwise show failing (and keep
    /// <c>/readyz</c> at 503) for ten minutes after it.
    /// </summary>
    public async Task RunPeriodicAsync(string loop, TimeSpan interval, Func<CancellationToken, Task> step, ILogger logger, CancellationToken stoppingToken,
        bool runAtStart = false)
    {
        Register(loop);
        try
        {
            if (!runAtStart) await Task.Delay(interval, time, stoppingToken);
            var failures = 0;
            while (true)
            {
                failures = await RunStepAsync(loop, step, logger, stoppingToken) ? 0 : failures + 1;
                await Task.Delay(failures == 0 ? interval : RetryAfter(failures, interval), time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static TimeSpan RetryAfter(int failures, TimeSpan interval)
    {
        var wait = TimeSpan.FromSeconds(Math.Pow(2, Math.Min(failures - 1, 16)));
        return wait < interval ? wait : interval;
    }
}

/// <param name="FailingSince">Null while the loop is ok.</param>
public sealed record LoopStatus(DateTimeOffset? FailingSince, string? Error)
{
    public static LoopStatus Ok { get; } = new(null, null);

    public bool Failing => FailingSince is not null;

    /// <summary>What <c>/readyz</c> shows: <c>ok</c>, or <c>failing since 2026-12-01T17:00:00.0000000+00:00: the error</c>.</summary>
    public override string ToString() => FailingSince is { } since ? $"failing since {since:O}: {Error}" : "ok";
}
