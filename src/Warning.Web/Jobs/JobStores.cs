using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage.SQLite;
using Microsoft.Data.Sqlite;
using Warning.Silo.Storage;

namespace Warning.Web.Jobs;

/// <summary>The job store of this node: a SQLite file in the data folder, or the cluster's PostgreSQL.</summary>
internal static class JobStores
{
    /// <summary>
    /// SQLite has no lease renewal: a fetched job is handed out again only after this, so it must outlast the longest
    /// job (retraining Dingxi takes minutes) or a long job would run twice. Crashes do not wait for it: one node owns
    /// the file, so at start every job still marked fetched was its previous run's, and <see cref="HandBackOrphans"/>
    /// queues it again.
    /// </summary>
    private static readonly TimeSpan SqliteInvisibilityTimeout = TimeSpan.FromHours(24);

    public static JobStorage Create(JobsOptions options, StorageOptions storage, ILogger logger)
    {
        if (options.Storage == JobStorageKind.PostgreSql)
        {
            var postgres = new PostgreSqlStorageOptions
            {
                SchemaName = options.Schema,
                PrepareSchemaIfNecessary = true,
                QueuePollInterval = options.QueuePollInterval,
                InvisibilityTimeout = options.InvisibilityTimeout,
                // Renewed while the job runs, so a long retraining is not handed to a second node mid-run, while a
                // dead node's job comes back after InvisibilityTimeout instead of Hangfire's default 30 minutes.
                UseSlidingInvisibilityTimeout = true,
            };
            logger.LogInformation("Jobs in PostgreSQL (schema {Schema}): shared by every node of the cluster", options.Schema);
            return new PostgreSqlStorage(new NpgsqlConnectionFactory(options.ConnectionString, postgres), postgres);
        }

        var path = Path.Combine(Path.GetFullPath(storage.DataDirectory is { Length: > 0 } d ? d : "data"), options.File);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var sqlite = new SQLiteStorage(path, new SQLiteStorageOptions
        {
            QueuePollInterval = options.QueuePollInterval,
            InvisibilityTimeout = SqliteInvisibilityTimeout,
        });
        var handedBack = HandBackOrphans(path);
        logger.LogInformation("Jobs in {Path}; {Orphans} job(s) cut off by the last stop queued again", path, handedBack);
        return sqlite;
    }

    /// <summary>
    /// Clears the fetch mark of every queued job: called before this node's server starts, so any mark is a previous
    /// process's, whose worker died with it (kill -9, power loss). The job then runs again at once; jobs are written to
    /// be re-run (a scan or tick is idempotent, a retraining starts over and publishes once).
    /// </summary>
    private static int HandBackOrphans(string path)
    {
        // sqlite-net (Hangfire.Storage.SQLite) keeps DateTime as ticks; never fetched is DateTime.MinValue, 0.
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE JobQueue SET FetchedAt = 0 WHERE FetchedAt <> 0";
        return command.ExecuteNonQuery();
    }
}
