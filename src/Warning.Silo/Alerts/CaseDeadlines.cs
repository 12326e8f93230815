using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Warning.Silo.Cases;
using Warning.Silo.Ingest;
using Warning.Silo.Time;

namespace Warning.Silo.Alerts;

/// <summary>
/// When each open case applied on this silo next passes a deadline (受理、调处、办结时限), so that the deadline watch calls
/// those cases at that moment instead of at the next re-score tick, which comes once a day: a wage case's one-day
/// acceptance deadline alerted up to a day late. What a restart forgets the start-up re-score tick brings back, since it
/// visits every open case.
/// </summary>
public sealed class CaseDeadlines(WarningClock clock, IOptions<AlertsOptions> options)
{
    private readonly Lock _gate = new();
    private readonly PriorityQueue<string, DateTimeOffset> _queue = new();
    private readonly Dictionary<string, DateTimeOffset> _due = new(StringComparer.Ordinal);

    /// <summary>
    /// The case's next deadline moment; null: none to come (closed, or past all three). A moment more than
    /// <see cref="AlertsOptions.DeadlineCatchUp"/> gone is left to the re-score tick.
    /// </summary>
    public void Schedule(string caseId, DateTimeOffset? due)
    {
        lock (_gate)
        {
            if (due is not { } at || at < clock.Now - options.Value.DeadlineCatchUp) _due.Remove(caseId);
            else if (!_due.TryGetValue(caseId, out var known) || known != at)
            {
                _due[caseId] = at;
                // The moment it replaces stays queued and is skipped when it comes up.
                _queue.Enqueue(caseId, at);
            }
        }
    }

    /// <summary>The cases whose moment came; each is taken once, until it schedules again.</summary>
    public IReadOnlyList<string> TakeDue(DateTimeOffset now)
    {
        var due = new List<string>();
        lock (_gate)
        {
            while (_queue.TryPeek(out var caseId, out var at) && at <= now)
            {
                _queue.Dequeue();
                if (_due.TryGetValue(caseId, out var current) && current == at)
                {
                    _due.Remove(caseId);
                    due.Add(caseId);
                }
            }
        }
        return due;
    }
}

/// <summary>Calls each case whose deadline moment came (<see cref="CaseDeadlines"/>), every <see cref="AlertsOptions.TickInterval"/>.</summary>
public sealed class CaseDeadlineWatch(CaseDeadlines deadlines, IGrainFactory grains, WarningClock clock, IOptions<AlertsOptions> options,
    ILogger<CaseDeadlineWatch> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        using var timer = new PeriodicTimer(options.Value.TickInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try { await CheckAsync(); }
                catch (Exception ex) when (ex is not OperationCanceledException) { logger.LogError(ex, "Case deadline check failed; retrying next tick"); }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task CheckAsync()
    {
        var now = clock.Now;
        var due = deadlines.TakeDue(now);
        // A case woken only for this leaves with the call; a case in use stays.
        foreach (var chunk in due.Chunk(256))
            await LeafPassing.RunAsync(TimeSpan.Zero, () => Task.WhenAll(chunk.Select(id => grains.GetGrain<ICaseGrain>(id).CheckDeadline(now))));
        if (due.Count > 0) logger.LogInformation("Checked {Cases} cases whose deadline came as of {Now}", due.Count, now);
    }
}
