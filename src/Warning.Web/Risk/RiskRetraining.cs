using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Quartz;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Risk;
using Warning.Analytics.Simulation;
using Warning.Analytics.Spikes;
using Warning.Silo.Ingest;
using Warning.Silo.Risk;
using Warning.Silo.Time;

namespace Warning.Web.Risk;

[System.Text.Json.Serialization.JsonConverter(typeof(SnakeCaseEnumConverter<RetrainState>))]
public enum RetrainState { Queued, Running, Succeeded, Failed }

/// <summary>A retraining run as <c>GET /api/v1/risk/model/retrain/{jobId}</c> shows it.</summary>
public sealed record RetrainStatus(string JobId, RetrainState State, string Trigger, int HistoryDays, DateTimeOffset QueuedAt,
    DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, int Percent, string Progress, string? ModelVersion, IReadOnlyDictionary<string, double>? TestMetrics, string? Error)
{
    /// <summary>Every progress message so far (the last 50), so a client that polls slowly still sees what happened.</summary>
    public IReadOnlyList<string> Steps { get; init; } = [];
}

/// <summary>
/// Retrains the escalation model and publishes it to the registry. Training data: the simulated city's history (the
/// service runs on the simulator's city; Risk/README.md explains why not the ingest log yet), <c>HistoryDays</c> up to
/// the service clock's today, on the service's own hierarchy. One run at a time; runs are kept in memory for progress.
/// </summary>
public sealed class RiskRetrainer(AreaHierarchy hierarchy, RiskModelRegistry registry, IngestLog log, WarningClock clock, IOptions<RiskOptions> options,
    IOptions<SpikeOptions> spikeOptions, ILogger<RiskRetrainer> logger)
{
    private readonly ConcurrentDictionary<string, RetrainStatus> _jobs = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _one = new(1, 1);

    /// <summary>Fewer harms than this in the history cannot fill a training, a calibration and a test period.</summary>
    public const int MinimumHarms = 100;

    public RetrainStatus? Get(string jobId) => _jobs.GetValueOrDefault(jobId);

    public RetrainStatus? Running => _jobs.Values.FirstOrDefault(j => j.State is RetrainState.Queued or RetrainState.Running);

    /// <summary>
    /// Queues a run unless one is queued or running, which then comes back instead: the check and the queueing are one
    /// step, or concurrent requests each see none running and start one each.
    /// </summary>
    public (RetrainStatus Job, bool IsNew) QueueUnlessRunning(string trigger, int? historyDays)
    {
        lock (_jobs)
        {
            if (Running is { } running) return (running, false);
            return (Queue(trigger, historyDays), true);
        }
    }

    public RetrainStatus Queue(string trigger, int? historyDays)
    {
        var id = $"retrain-{clock.Now:yyyyMMddHHmmss}-{Guid.NewGuid():N}"[..40];
        var status = new RetrainStatus(id, RetrainState.Queued, trigger, historyDays ?? options.Value.TrainingHistoryDays, clock.Now, null, null, 0, "queued", null, null, null);
        _jobs[id] = status;
        return status;
    }

    public async Task RunAsync(string jobId, CancellationToken ct)
    {
        if (!_jobs.TryGetValue(jobId, out var job)) return;
        await _one.WaitAsync(ct);
        try
        {
            var o = options.Value;
            var to = clock.Now;
            var from = to.AddDays(-job.HistoryDays);
            Update(jobId, s => s with { State = RetrainState.Running, StartedAt = clock.Now, Percent = 1, Progress = "replaying history" });
            using var scope = logger.BeginScope(new Dictionary<string, object> { ["JobId"] = jobId });
            logger.LogInformation("Risk retraining {JobId} started ({Trigger}): {From:yyyy-MM-dd} to {To:yyyy-MM-dd}", jobId, job.Trigger, from, to);
            var replay = new ReplayOptions { Deadlines = o.Deadlines, CaseSampleRate = o.TrainingCaseSample, Spikes = spikeOptions.Value, UtcOffset = clock.UtcOffset };
            void Progress(string m) => Update(jobId, s => s with { Percent = Math.Min(45, s.Percent + 5), Progress = m });
            var source = o.TrainsFromLog ? "ingest log" : $"simulator seed {o.TrainingSeed}";
            var set = await Task.Run(() => o.TrainsFromLog
                ? HistoryReplay.Build(hierarchy, log.ReadRecords(), from, to, replay, Progress, ct)
                : HistoryReplay.Build(hierarchy, new SimulatorOptions { Seed = o.TrainingSeed }, from, to, replay, Progress, ct), ct);
            if (set.Rows.Count(r => r.HarmWithin30Days) < MinimumHarms)
                throw new InvalidOperationException($"{source} from {from:yyyy-MM-dd} holds {set.Count:N0} scoring rows with {set.Rows.Count(r => r.HarmWithin30Days):N0} harms; at least {MinimumHarms} are needed to train and calibrate");
            Update(jobId, s => s with { Percent = 50, Progress = $"{set.Count:N0} rows; training" });
            var version = $"risk-{clock.Now.UtcDateTime:yyyyMMddHHmmss}";
            var training = new TrainingOptions { Rounds = o.BoostingRounds };
            var result = await Task.Run(() => RiskTrainer.Train(set, training, version, source,
                m => Update(jobId, s => s with { Percent = Math.Min(95, s.Percent + 10), Progress = m })), ct);
            registry.Publish(result.Model);
            // Open cases keep the old model's scores until something happens to them; a tick re-scores them all now.
            // It is in the log before the job reads "succeeded", so a caller that then waits for the applier sees it.
            try { await log.AppendAsync([OpenCaseRescore.Tick(clock.Now, $"model {version}")], ct); }
            catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException)
            {
                logger.LogWarning("No re-score tick after {Version}: shutting down; the next daily tick re-scores", version);
            }
            Update(jobId, s => s with
            {
                State = RetrainState.Succeeded, FinishedAt = clock.Now, Percent = 100, Progress = "published",
                ModelVersion = version, TestMetrics = result.Model.Info.TestMetrics,
            });
            logger.LogInformation("Risk retraining {JobId} published {Version} in {Seconds:F1}s", jobId, version, result.Seconds);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Risk retraining {JobId} failed", jobId);
            Update(jobId, s => s with { State = RetrainState.Failed, FinishedAt = clock.Now, Error = ex.Message, Progress = "failed" });
        }
        finally
        {
            _one.Release();
        }
    }

    private void Update(string jobId, Func<RetrainStatus, RetrainStatus> change)
    {
        while (_jobs.TryGetValue(jobId, out var current))
        {
            var next = change(current);
            if (next.Progress != current.Progress) next = next with { Steps = current.Steps.Append($"{next.Percent}% {next.Progress}").TakeLast(50).ToArray() };
            if (_jobs.TryUpdate(jobId, next, current)) break;
        }
    }
}

/// <summary>The Quartz job: scheduled nightly by <c>Risk:RetrainCron</c>, or triggered on demand with a queued job id.</summary>
[DisallowConcurrentExecution]
public sealed class RetrainRiskModelJob(RiskRetrainer retrainer) : IJob
{
    public static readonly JobKey Key = new("retrain-risk-model", "risk");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var jobId = context.MergedJobDataMap.GetString("jobId") ?? retrainer.Queue("schedule", null).JobId;
        await retrainer.RunAsync(jobId, cancellationToken);
    }
}

public static class RiskRetrainingServiceCollectionExtensions
{
    /// <summary>The retrainer and its Quartz job and schedule; AddQuartz composes with other features' jobs and the hosted scheduler is registered once.</summary>
    public static IServiceCollection AddRiskRetraining(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton<RiskRetrainer>();
        var cron = config.GetSection(RiskOptions.Section).Get<RiskOptions>()?.RetrainCron ?? new RiskOptions().RetrainCron;
        // The deployment's night, not the server's: a UTC host would otherwise retrain at 11:30 in Gansu.
        var civil = (config.GetSection("Clock").Get<ClockOptions>() ?? new ClockOptions()).Zone;
        services.AddQuartz(q =>
        {
            q.AddJob<RetrainRiskModelJob>(j => j.WithIdentity(RetrainRiskModelJob.Key).StoreDurably());
            if (!string.IsNullOrWhiteSpace(cron))
                q.AddTrigger(t => t.ForJob(RetrainRiskModelJob.Key).WithIdentity("retrain-risk-model-nightly", "risk").WithCronSchedule(cron, c => c.InTimeZone(civil)));
        });
        // Shutdown does not wait for a retraining run (same choice as the spike scan, so the merged registration agrees).
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = false);
        return services;
    }
}
