using Microsoft.Extensions.Configuration;
namespace Warning.Silo.Cluster;

/// <summary>
/// Cluster mode (section <c>Cluster</c>): several nodes, each web plus silo, sharing PostgreSQL (Orleans membership,
/// grain state, reminders, the ingest log and its checkpoints) and Redis (the SignalR backplane). Off by default: the
/// embedded node needs neither.
/// </summary>
public sealed class ClusterModeOptions
{
    public const string Section = "Cluster";

    public bool Enabled { get; set; }

    /// <summary>Npgsql connection string, e.g. <c>Host=127.0.0.1;Port=5433;Database=warning;Username=warning;Password=warning</c>.</summary>
    public string Postgres { get; set; } = "";

    /// <summary>
    /// The cluster's PostgreSQL for a store whose own provider <paramref name="setting"/> is not set: in cluster mode the
    /// nodes share it by default (jobs run once per cluster, an account made on one node signs in on all). Null otherwise.
    /// </summary>
    public static string? SharedStoreFor(IConfiguration config, string setting)
    {
        var cluster = config.GetSection(Section).Get<ClusterModeOptions>();
        return cluster is { Enabled: true } && config[setting] is null && !string.IsNullOrWhiteSpace(cluster.Postgres) ? cluster.Postgres : null;
    }

    /// <summary>StackExchange.Redis configuration for the SignalR backplane, e.g. <c>127.0.0.1:6380</c>; empty: no backplane.</summary>
    public string Redis { get; set; } = "";

    /// <summary>
    /// Liveness probe timeout between silos. With <see cref="MissedProbesLimit"/> it sets how soon a dead node is
    /// suspected: about ProbeTimeout × MissedProbesLimit, then the votes of two survivors declare it dead.
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Missed probes before a silo is suspected (Orleans' default is 3).</summary>
    public int MissedProbesLimit { get; set; } = 2;

    /// <summary>
    /// How long a grain call waits for its answer. A call already sent to a node that dies waits this long at most
    /// before the partition owner retries it, so it bounds the failover of work in flight too.
    /// </summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often each node makes sure the partitions it should own are active (and so how soon one moves).</summary>
    public TimeSpan PartitionCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often an owner looks for new entries of its partition in the shared log when it found none.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Pause before an owner applies entries again after a failure (a node lost, PostgreSQL away).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);
}
