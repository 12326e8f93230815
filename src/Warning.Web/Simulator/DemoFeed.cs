using Microsoft.Extensions.Options;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Warning.Silo.Storage;
using Warning.Silo.Health;
using Warning.Silo.Ingest;
using Warning.Silo.Risk;
using Warning.Silo.Time;
using Warning.Web.Risk;
using Warning.Web.Spikes;

namespace Warning.Web.Simulator;

/// <summary>
/// Live demo data: registers the simulated key individuals, fast-forwards some history into an empty store, then
/// feeds simulated reports, incidents and screening rounds in (accelerated) real time through the same durable intake
/// as HTTP. Its simulated clock is checkpointed, so a restart carries on from the simulated moment it stopped at
/// (rather than from the wall clock's time of day, which outside the simulated working hours meant a quiet screen).
/// </summary>
public sealed class DemoFeed(IOptions<DemoFeedOptions> options, AreaHierarchy hierarchy, Intake intake, IngestLog log, IngestApplier applier,
    Checkpoints storage, SpikeScanService spikes, RiskModelRegistry models, RetrainRuns retraining, WarningClock clock, TimeProvider time,
    BackgroundLoops loops, ILogger<DemoFeed> logger)
    : BackgroundService
{
    /// <summary>The live feed's name on <c>/readyz</c>.</summary>
    public const string LoopName = "demoFeed";

    /// <summary>The end of the history window (unix ms), recorded before loading it, so an interrupted load redoes the same window.</summary>
    public const string HistoryCheckpoint = "demo-history";

    /// <summary>Set (1) once every event of the history window is accepted: the history is never loaded twice.</summary>
    public const string HistoryLoadedCheckpoint = "demo-history-loaded";

    /// <summary>Where the live feed's simulated clock is (unix ms).</summary>
    public const string ClockCheckpoint = "demo-clock";

    /// <summary>How often the simulated clock is saved; a hard kill loses at most this much wall time of it.</summary>
    private static readonly TimeSpan ClockCheckpointInterval = TimeSpan.FromSeconds(5);

    private readonly TaskCompletionSource<DateTimeOffset> _liveFrom = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DemoClock? _clock;

    /// <summary>Completes with the simulated moment the live feed started from, once it has.</summary>
    public Task<DateTimeOffset> LiveFrom => _liveFrom.Task;

    /// <summary>The live feed's simulated now; null before it starts.</summary>
    public DateTimeOffset? SimulatedNow => _clock?.At(time.GetUtcNow());

    /// <summary>
    /// What a screen must say of the demo so that nobody walking past takes its figures for a real day's: the simulated
    /// clock, the speed, and how many simulated days the service's (wall-clock) "today" already holds. Null when the
    /// live feed is not running.
    /// </summary>
    public DemoSituation? Situation()
    {
        if (_clock is not { } c) return null;
        var now = time.GetUtcNow();
        var midnight = new DateTimeOffset(clock.Today.ToDateTime(TimeOnly.MinValue), clock.UtcOffset);
        var since = now - (c.WallStart > midnight ? c.WallStart : midnight);
        return new DemoSituation(c.Speed, c.At(now), Math.Round(since.TotalDays * c.Speed, 1));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled) return;
        await applier.CaughtUp.WaitAsync(stoppingToken);

        var now = time.GetUtcNow();
        await LoadHistoryAsync(o, now, stoppingToken);

        var saved = await storage.ReadCheckpointAsync(ClockCheckpoint, stoppingToken);
        var simulatedStart = (saved > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(saved) : now).ToOffset(DisputeSimulator.ChinaOffset);
        // A fresh seed per start: ids of the live run must not collide with history or an earlier run's ids.
        var live = new DisputeSimulator(hierarchy, new SimulatorOptions
        {
            Seed = o.Seed + 1 + (int)(now.ToUnixTimeSeconds() / 60 % 1_000_000), SpikesPerMonth = o.SpikesPerMonth, ScreeningRounds = true,
        });
        await intake.AcceptAsync(live.KeyIndividuals.Cast<object>().ToList(), stoppingToken);
        var demoClock = _clock = new DemoClock(simulatedStart, time.GetUtcNow(), o.Speed);
        logger.LogInformation("Demo feed live at {Speed}x from simulated {SimulatedStart:O} ({Origin})", o.Speed, simulatedStart,
            saved > 0 ? "resumed where it stopped" : "the wall clock");
        _liveFrom.TrySetResult(simulatedStart);

        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var checkpoints = SaveClockAsync(demoClock, stopping.Token);
        try
        {
            loops.Register(LoopName);
            await foreach (var e in live.RunRealTime(simulatedStart, o.Speed, time, stoppingToken))
            {
                // A timeout is an OperationCanceledException too: only the host's stop ends the feed.
                await loops.RunStepAsync(LoopName, ct => intake.AcceptAsync([Record(e)], ct), logger, stoppingToken);
            }
        }
        finally
        {
            await stopping.CancelAsync();
            await checkpoints;
            // The last position, so a graceful stop resumes exactly here.
            var at = demoClock.At(time.GetUtcNow());
            try
            {
                await storage.WriteCheckpointAsync(ClockCheckpoint, at.ToUnixTimeMilliseconds(), CancellationToken.None);
                logger.LogInformation("Demo feed stopped at simulated {SimulatedAt:O}", at);
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Demo clock not saved at stop; a restart resumes from the last periodic save");
            }
        }
    }

    /// <summary>
    /// Writes the history window into a store that holds none: once, and, if a stop interrupted it, the same window again
    /// (the simulator is deterministic, so what was already accepted comes back as duplicates).
    /// </summary>
    private async Task LoadHistoryAsync(DemoFeedOptions o, DateTimeOffset now, CancellationToken stoppingToken)
    {
        if (await storage.ReadCheckpointAsync(HistoryLoadedCheckpoint, stoppingToken) != 0)
        {
            logger.LogInformation("Demo feed: history already loaded; store holds {Entries} entries", log.LastSeq);
            return;
        }
        var windowEnd = await storage.ReadCheckpointAsync(HistoryCheckpoint, stoppingToken);
        if (windowEnd == 0 && log.LastSeq > 0)
        {
            logger.LogInformation("Demo feed: store already holds {Entries} entries; skipping history", log.LastSeq);
            return;
        }
        if (windowEnd == 0)
        {
            windowEnd = now.ToUnixTimeMilliseconds();
            await storage.WriteCheckpointAsync(HistoryCheckpoint, windowEnd, stoppingToken);
        }
        else logger.LogInformation("Demo feed: finishing the history load a stop interrupted");

        var to = DateTimeOffset.FromUnixTimeMilliseconds(windowEnd);
        var from = to.AddDays(-o.HistoryDays);
        var simulator = new DisputeSimulator(hierarchy, new SimulatorOptions { Seed = o.Seed, SpikesPerMonth = o.SpikesPerMonth, ScreeningRounds = true });
        await intake.AcceptAsync(simulator.KeyIndividuals.Cast<object>().ToList(), stoppingToken);
        var batch = new List<object>(1000);
        long written = 0;
        var started = System.Diagnostics.Stopwatch.StartNew();
        foreach (var e in simulator.Run(from, to))
        {
            batch.Add(Record(e));
            if (batch.Count == 1000)
            {
                await intake.AcceptAsync(batch, stoppingToken);
                written += batch.Count;
                batch.Clear();
            }
        }
        if (batch.Count > 0) await intake.AcceptAsync(batch, stoppingToken);
        written += batch.Count;
        await storage.WriteCheckpointAsync(HistoryLoadedCheckpoint, 1, stoppingToken);
        logger.LogInformation("Demo history: {Events} events over {Days} days written in {Elapsed:F1}s", written, o.HistoryDays, started.Elapsed.TotalSeconds);

        // The start-up spike scan ran on an empty store; scan yesterday again now that the history is in the grains,
        // so the demo shows the simulator's planted spikes instead of waiting for midnight.
        await applier.WaitForAppliedAsync(log.LastSeq, stoppingToken);
        await spikes.ScanAsync(clock.Today.AddDays(-1), apply: true, stoppingToken);
        // The history's cases were scored as of their last event, some weeks ago; bring them to today.
        await log.AppendAsync([OpenCaseRescore.Tick(clock.Now, "demo history")], stoppingToken);
        // Likewise the nightly retraining: train a first model now (in the background, the live feed goes on) so the
        // demo's scores come from the model rather than the points score.
        // A run already queued or under way (from before a restart, or the nightly one) is left to finish.
        if (models.Live is null) retraining.QueueUnlessRunning("demo_start", DemoTrainingDays);
    }

    private async Task SaveClockAsync(DemoClock demoClock, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(ClockCheckpointInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
                await storage.WriteCheckpointAsync(ClockCheckpoint, demoClock.At(time.GetUtcNow()).ToUnixTimeMilliseconds(), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Losing the clock's position only means a restart resumes a little earlier; the feed goes on.
            logger.LogWarning(ex, "Demo clock checkpoint failed");
        }
    }

    /// <summary>A year of simulated history trains in seconds and covers every season once.</summary>
    private const int DemoTrainingDays = 365;

    private static object Record(SimulatedEvent e) => e switch
    {
        SimulatedReport r => r.Report.CaseId is null ? r.Report with { CaseId = Warning.Analytics.Disputes.CaseIds.FromOpeningReport(r.Report.ReportId) } : r.Report,
        SimulatedIncident i => i.Incident,
        SimulatedScreening s => s.Round,
        _ => throw new InvalidOperationException(e.GetType().Name),
    };

    /// <param name="SimulatedDaysToday">Simulated days whose events the service's "today" counts (the accelerated demo packs them into one civil day).</param>
    public sealed record DemoSituation(double Speed, DateTimeOffset SimulatedNow, double SimulatedDaysToday);

    /// <summary>The simulated moment at a wall-clock moment, as <see cref="DisputeSimulator.RunRealTime(DateTimeOffset, double, TimeProvider, CancellationToken)"/> paces it.</summary>
    private sealed record DemoClock(DateTimeOffset SimulatedStart, DateTimeOffset WallStart, double Speed)
    {
        public DateTimeOffset At(DateTimeOffset wall) => SimulatedStart + (wall - WallStart) * Speed;
    }
}
