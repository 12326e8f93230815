namespace Warning.Web.Jobs;

public enum JobStorageKind
{
    /// <summary>A SQLite file in the data folder: one node, nothing to install.</summary>
    Sqlite,

    /// <summary>Shared by every node of a cluster: each job, and each occurrence of a recurring one, runs once per cluster.</summary>
    PostgreSql,
}

/// <summary>Hangfire: where jobs are kept, how they are fetched and retried. Bound from <c>Jobs</c>.</summary>
public sealed class JobsOptions
{
    public const string Section = "Jobs";

    public JobStorageKind Storage { get; set; } = JobStorageKind.Sqlite;

    /// <summary>SQLite file under <c>Storage:DataDirectory</c>.</summary>
    public string File { get; set; } = "jobs.db";

    /// <summary>Npgsql connection string; required with <c>Storage=PostgreSql</c>.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>PostgreSQL schema Hangfire creates its tables in (on first start, by any node).</summary>
    public string Schema { get; set; } = "hangfire";

    /// <summary>Jobs one node runs at once. Retraining holds one for minutes; scans and ticks are short.</summary>
    public int WorkerCount { get; set; } = 4;

    /// <summary>
    /// How often an idle worker asks the store for a queued job: the latency from enqueue to start. Both stores default
    /// to 15 s, which made an on-demand retraining wait ~14 s before it started.
    /// </summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often scheduled work (recurring occurrences, delayed retries) is moved to the queue.</summary>
    public TimeSpan SchedulePollingInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// PostgreSQL: a job whose node stopped renewing it (the node died) is handed to another node after this. The lease
    /// is renewed while the job runs, so it bounds failover time, not job length.
    /// </summary>
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Retries after a job throws (Hangfire's automatic retry), then it stays failed on /jobs.</summary>
    public int RetryAttempts { get; set; } = 3;

    /// <summary>Wait before the first retry; each further retry waits twice as long as the one before.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Serve the dashboard at <c>/jobs</c> (see <see cref="JobsDashboardAccess"/> for who may open it).</summary>
    public bool Dashboard { get; set; } = true;

    internal void Validate()
    {
        if (Storage == JobStorageKind.PostgreSql && string.IsNullOrWhiteSpace(ConnectionString))
            throw new InvalidOperationException("Jobs:ConnectionString is required with Jobs:Storage=PostgreSql");
        if (Storage == JobStorageKind.Sqlite && string.IsNullOrWhiteSpace(File))
            throw new InvalidOperationException("Jobs:File must name the SQLite file of the job store");
        if (WorkerCount is < 1 or > 64) throw new InvalidOperationException("Jobs:WorkerCount must be between 1 and 64");
        if (QueuePollInterval <= TimeSpan.Zero || SchedulePollingInterval <= TimeSpan.Zero)
            throw new InvalidOperationException("Jobs:QueuePollInterval and Jobs:SchedulePollingInterval must be positive");
        if (RetryAttempts is < 0 or > 20) throw new InvalidOperationException("Jobs:RetryAttempts must be between 0 and 20");
        if (RetryDelay < TimeSpan.FromSeconds(1)) throw new InvalidOperationException("Jobs:RetryDelay must be at least a second");
        if (InvisibilityTimeout < TimeSpan.FromSeconds(30)) throw new InvalidOperationException("Jobs:InvisibilityTimeout must be at least 30 seconds");
    }

    /// <summary>Hangfire's retry schedule: <see cref="RetryDelay"/>, doubled for each further attempt.</summary>
    internal int[] RetryDelaysInSeconds() =>
        Enumerable.Range(0, Math.Max(RetryAttempts, 1)).Select(i => (int)Math.Min(int.MaxValue, RetryDelay.TotalSeconds * Math.Pow(2, i))).ToArray();
}
