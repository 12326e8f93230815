using Hangfire;
using Hangfire.Server;
using Microsoft.Extensions.Options;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Risk;
using Warning.Analytics.Simulation;
using Warning.Analytics.Spikes;
using Warning.Silo.Ingest;
using Warning.Silo.Risk;
using Warning.Silo.Time;
using Warning.Web.Jobs;

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

/// <summary>What a run has reported so far; kept with its job in the job store, so it outlives the process that ran it.</summary>
public sealed record RetrainProgress(int Percent, string Progress, IReadOnlyList<string> Steps, DateTimeOffset? StartedAt = null,
    string? ModelVersion = null, IReadOnlyDictionary<string, double>? TestMetrics = null, string? Error = null)
{
    public static readonly RetrainProgress Queued = new(0, "queued", []);

    /// <summary>The next state after <paramref name="change"/>, with its message appended to the steps when it is new.</summary>
    public RetrainProgress Then(Func<RetrainProgress, RetrainProgress> change)
    {
        var next = change(this);
        return next.Progress == Progress ? next : next with { Steps = Steps.Append($"{next.Percent}% {next.Progress}").TakeLast(50).ToArray() };
    }
}

/// <summary>
/// Retrains the escalation model and publishes it to the registry. Training data: the simulated city's history (the
/// service runs on the simulator's city; Risk/README.md explains why not the ingest log yet), <c>HistoryDays</c> up to
/// the service clock's today, on the service's own hierarchy. One run at a time on this node.
/// </summary>
public sealed class RiskRetrainer(AreaHierarchy hierarchy, RiskModelRegistry registry, IngestLog log, WarningClock clock, IOptions<RiskOptions> options,
    IOptions<SpikeOptions> spikeOptions, ILogger<RiskRetrainer> logger)
{
    private readonly SemaphoreSlim _one = new(1, 1);

    /// <summary>Fewer harms than this in the history cannot fill a training, a calibration and a test period.</summary>
    public const int MinimumHarms = 100;

    public int DefaultHistoryDays => options.Value.TrainingHistoryDays;

    /// <summary>Trains and publishes; every step goes through <paramref name="update"/>. Throws when the run fails.</summary>
    public async Task RunAsync(string runId, string trigger, int historyDays, Action<Func<RetrainProgress, RetrainProgress>> update, CancellationToken ct)
    {
        await _one.WaitAsync(ct);
        try
        {
            var o = options.Value;
            var to = clock.Now;
            var from = to.AddDays(-historyDays);
            update(s => s with { StartedAt = clock.Now, Percent = 1, Progress = "replaying history", Error = null });
            using var scope = logger.BeginScope(new Dictionary<string, object> { ["JobId"] = runId });
            logger.LogInformation("Risk retraining {JobId} started ({Trigger}): {From:yyyy-MM-dd} to {To:yyyy-MM-dd}", runId, trigger, from, to);
            var replay = new ReplayOptions { Deadlines = o.Deadlines, CaseSampleRate = o.TrainingCaseSample, Spikes = spikeOptions.Value, UtcOffset = clock.UtcOffset };
            void Progress(string m) => update(s => s with { Percent = Math.Min(45, s.Percent + 5), Progress = m });
            var source = o.TrainsFromLog ? "ingest log" : $"simulator seed {o.TrainingSeed}";
            var set = await Task.Run(() => o.TrainsFromLog
                ? HistoryReplay.Build(hierarchy, log.ReadRecords(), from, to, replay, Progress, ct)
                : HistoryReplay.Build(hierarchy, new SimulatorOptions { Seed = o.TrainingSeed }, from, to, replay, Progress, ct), ct);
            // The same history gives the same answer: not worth Hangfire's retries.
            if (set.Rows.Count(r => r.HarmWithin30Days) < MinimumHarms)
                throw new JobRejectedException($"{source} from {from:yyyy-MM-dd} holds {set.Count:N0} scoring rows with {set.Rows.Count(r => r.HarmWithin30Days):N0} harms; at least {MinimumHarms} are needed to train and calibrate");
            update(s => s with { Percent = 50, Progress = $"{set.Count:N0} rows; training" });
            var version = $"risk-{clock.Now.UtcDateTime:yyyyMMddHHmmss}";
            var training = new TrainingOptions { Rounds = o.BoostingRounds };
            var result = await Task.Run(() => RiskTrainer.Train(set, training, version, source,
                m => update(s => s with { Percent = Math.Min(95, s.Percent + 10), Progress = m })), ct);
            registry.Publish(result.Model);
            // Open cases keep the old model's scores until something happens to them; a tick re-scores them all now.
            // It is in the log before the job reads "succeeded", so a caller that then waits for the applier sees it.
            try { await log.AppendAsync([OpenCaseRescore.Tick(clock.Now, $"model {version}")], ct); }
            catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException)
            {
                logger.LogWarning("No re-score tick after {Version}: shutting down; the next daily tick re-scores", version);
            }
            update(s => s with { Percent = 100, Progress = "published", ModelVersion = version, TestMetrics = result.Model.Info.TestMetrics });
            logger.LogInformation("Risk retraining {JobId} published {Version} in {Seconds:F1}s", runId, version, result.Seconds);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutdown: Hangfire queues the job again and the next start runs it from the beginning.
            update(s => s with { Progress = "interrupted by shutdown; queued again" });
            throw;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Risk retraining {JobId} failed", runId);
            update(s => s with { Error = ex.Message, Progress = "failed" });
            throw;
        }
        finally
        {
            _one.Release();
        }
    }
}

/// <summary>The Hangfire job: nightly by <c>Risk:RetrainCron</c>, or queued on demand by <see cref="RetrainRuns"/>.</summary>
public sealed class RetrainRiskModelJob(RiskRetrainer retrainer, RetrainRuns runs)
{
    public const string RecurringId = "risk.retrain-risk-model";

    [JobDisplayName("Retrain the risk model ({0})")]
    public async Task RunAsync(string trigger, int? historyDays, PerformContext? context, CancellationToken cancellationToken)
    {
        var jobId = context?.BackgroundJob.Id ?? throw new InvalidOperationException("a retraining runs as a Hangfire job");
        // A nightly run becomes the current one, so an on-demand request made meanwhile joins it instead of queueing another.
        runs.MarkCurrent(jobId);
        await retrainer.RunAsync(RetrainRuns.ApiId(jobId), trigger, historyDays ?? retrainer.DefaultHistoryDays, change => runs.Update(jobId, change), cancellationToken);
    }
}

public static class RiskRetrainingServiceCollectionExtensions
{
    /// <summary>The retrainer, its runs in the job store and the nightly schedule (the deployment's night, not the server's).</summary>
    public static IServiceCollection AddRiskRetraining(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton<RiskRetrainer>();
        services.AddSingleton<RetrainRuns>();
        var cron = config.GetSection(RiskOptions.Section).Get<RiskOptions>()?.RetrainCron ?? new RiskOptions().RetrainCron;
        services.AddRecurringJob<RetrainRiskModelJob>(RetrainRiskModelJob.RecurringId, cron, j => j.RunAsync("schedule", null, null, CancellationToken.None));
        return services;
    }
}
