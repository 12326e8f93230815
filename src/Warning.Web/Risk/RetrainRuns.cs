using System.Text.Json;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.Extensions.Options;
using Warning.Analytics.Disputes;
using Warning.Analytics.Risk;
using Warning.Silo.Time;

namespace Warning.Web.Risk;

/// <summary>
/// Retraining runs as Hangfire jobs, and their progress as the API shows it. Everything lives in the job store (the
/// job's state and arguments, progress as a job parameter, the current run in a hash), so a run queued before a crash
/// runs after it and still answers to its id, and in a cluster any node answers for any run.
/// </summary>
public sealed class RetrainRuns(JobStorage storage, IBackgroundJobClient jobs, WarningClock clock, IOptions<RiskOptions> options, ILogger<RetrainRuns> logger)
{
    private const string IdPrefix = "retrain-";
    private const string ProgressParameter = "warning.retrain";
    private const string CurrentHash = "warning:retrain";
    private const string CurrentField = "current";
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);
    private readonly Lock _gate = new();

    /// <summary>The API's id of a run: the Hangfire job id (as on /jobs) behind a prefix that says what it is.</summary>
    public static string ApiId(string hangfireJobId) => IdPrefix + hangfireJobId;

    public RetrainStatus? Get(string jobId)
    {
        if (!jobId.StartsWith(IdPrefix, StringComparison.Ordinal) || !long.TryParse(jobId.AsSpan(IdPrefix.Length), out _)) return null;
        using var connection = storage.GetConnection();
        return Read(connection, jobId[IdPrefix.Length..]);
    }

    /// <summary>
    /// Queues a run unless one is queued or running, which then comes back instead. Checking and queueing are one step
    /// under the store's lock, or concurrent requests (on one node or several) each see none running and queue one each.
    /// </summary>
    public (RetrainStatus Job, bool IsNew) QueueUnlessRunning(string trigger, int? historyDays)
    {
        lock (_gate)
        {
            using var connection = storage.GetConnection();
            using (connection.AcquireDistributedLock(CurrentHash, LockTimeout))
            {
                if (Current(connection) is { State: RetrainState.Queued or RetrainState.Running } running) return (running, false);
                var id = jobs.Create(Job.FromExpression<RetrainRiskModelJob>(j => j.RunAsync(trigger, historyDays, null, CancellationToken.None)), new EnqueuedState());
                SetCurrent(connection, id);
                logger.LogInformation("Risk retraining {JobId} queued ({Trigger})", ApiId(id), trigger);
                return (Read(connection, id) ?? throw new InvalidOperationException($"job {id} was queued and then not found"), true);
            }
        }
    }

    /// <summary>The current run if it is queued or running.</summary>
    public RetrainStatus? Running
    {
        get
        {
            using var connection = storage.GetConnection();
            return Current(connection) is { State: RetrainState.Queued or RetrainState.Running } run ? run : null;
        }
    }

    internal void MarkCurrent(string hangfireJobId)
    {
        using var connection = storage.GetConnection();
        using (connection.AcquireDistributedLock(CurrentHash, LockTimeout)) SetCurrent(connection, hangfireJobId);
    }

    /// <summary>Applies a progress change and writes it to the job; progress comes from the training thread one step at a time.</summary>
    internal void Update(string hangfireJobId, Func<RetrainProgress, RetrainProgress> change)
    {
        lock (_gate)
        {
            using var connection = storage.GetConnection();
            var next = LoadProgress(connection, hangfireJobId).Then(change);
            connection.SetJobParameter(hangfireJobId, ProgressParameter, JsonSerializer.Serialize(next, WarningJson.Options));
        }
    }

    private RetrainStatus? Current(IStorageConnection connection) =>
        connection.GetAllEntriesFromHash(CurrentHash) is { } hash && hash.TryGetValue(CurrentField, out var id) ? Read(connection, id) : null;

    private static void SetCurrent(IStorageConnection connection, string hangfireJobId) =>
        connection.SetRangeInHash(CurrentHash, [new KeyValuePair<string, string>(CurrentField, hangfireJobId)]);

    private static RetrainProgress LoadProgress(IStorageConnection connection, string hangfireJobId) =>
        connection.GetJobParameter(hangfireJobId, ProgressParameter) is { Length: > 0 } json
            ? JsonSerializer.Deserialize<RetrainProgress>(json, WarningJson.Options) ?? RetrainProgress.Queued
            : RetrainProgress.Queued;

    private RetrainStatus? Read(IStorageConnection connection, string hangfireJobId)
    {
        var data = connection.GetJobData(hangfireJobId);
        if (data?.Job is not { } job || job.Type != typeof(RetrainRiskModelJob)) return null;
        var progress = LoadProgress(connection, hangfireJobId);
        var state = connection.GetStateData(hangfireJobId);
        var (runState, finishedAt) =
            data.State == ProcessingState.StateName ? (RetrainState.Running, null)
            : data.State == SucceededState.StateName ? (RetrainState.Succeeded, At(state, "SucceededAt"))
            : data.State == FailedState.StateName ? (RetrainState.Failed, At(state, "FailedAt"))
            : data.State == DeletedState.StateName ? (RetrainState.Failed, At(state, "DeletedAt"))
            // Enqueued, or scheduled for a retry after a failure (Error then says what failed).
            : (RetrainState.Queued, (DateTimeOffset?)null);
        var error = runState != RetrainState.Failed ? progress.Error
            : progress.Error ?? (data.State == DeletedState.StateName ? "deleted on /jobs" : Value(state, "ExceptionMessage"));
        // Args hold what was asked; a nightly run asks for none and takes the setting.
        var historyDays = job.Args.Count > 1 && job.Args[1] is int days ? days : options.Value.TrainingHistoryDays;
        return new RetrainStatus(ApiId(hangfireJobId), runState, job.Args[0] as string ?? "unknown", historyDays,
            Civil(data.CreatedAt), progress.StartedAt, finishedAt, progress.Percent,
            runState == RetrainState.Queued && progress.Error is not null ? $"retry scheduled after: {progress.Error}" : progress.Progress,
            progress.ModelVersion, progress.TestMetrics, error) { Steps = progress.Steps };

        static string? Value(StateData? s, string key) => s?.Data is { } d && d.TryGetValue(key, out var v) ? v : null;

        DateTimeOffset? At(StateData? s, string key) =>
            Value(s, key) is { } text && JobHelper.DeserializeNullableDateTime(text) is { } at ? Civil(at) : null;
    }

    private DateTimeOffset Civil(DateTime utc) => new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToOffset(clock.UtcOffset);
}
