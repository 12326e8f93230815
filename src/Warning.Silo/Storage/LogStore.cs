using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Warning.Silo.Storage;

/// <summary>
/// The database behind the ingest log, the known ids and the checkpoints: the embedded SQLite files, or PostgreSQL shared
/// by a cluster's nodes (<see cref="Cluster.PostgresLogStore"/>). <see cref="Ingest.IngestLog"/>, <see cref="Ingest.KnownIds"/>
/// and <see cref="Checkpoints"/> are one ADO.NET path over it; only what the two dialects spell differently is here.
/// </summary>
public abstract class LogStore
{
    /// <summary>A connection to the ingest log's database.</summary>
    public abstract DbConnection OpenLog();

    /// <summary>A connection to the checkpoints' database (SQLite keeps them in state.db, away from the 202's write lock).</summary>
    public abstract DbConnection OpenCheckpoints();

    /// <summary>
    /// Whether other nodes append to the same log. Then ids accepted elsewhere have to be looked up, and appends are
    /// serialised by <see cref="AppendLockSql"/>.
    /// </summary>
    public abstract bool Shared { get; }

    /// <summary>
    /// Run first in each append transaction, or null. An owner reads its partition as "seq greater than the last one
    /// applied"; that is only complete if no smaller seq can still commit, i.e. if seqs commit in order. SQLite has one
    /// writer; PostgreSQL's nodes take a transaction-scoped lock (one fsync per node's group commit, so little waits).
    /// </summary>
    public abstract string? AppendLockSql { get; }

    /// <summary>SQL for the <c>gridId</c> of the row's <c>payload</c>, null where the payload cannot be read.</summary>
    public abstract string GridIdOfPayload { get; }

    public static DbParameter Parameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}

/// <summary>The embedded default: warning.db for the log, state.db for the checkpoints.</summary>
public sealed class SqliteLogStore : LogStore
{
    private readonly WarningDatabase _database;
    private readonly string _stateConnectionString;

    public SqliteLogStore(WarningDatabase database, IOptions<StorageOptions> options)
    {
        _database = database; // creates the data folder and the log's schema
        _stateConnectionString = options.Value.StateConnectionString;
        using var connection = OpenCheckpoints();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, seq INTEGER NOT NULL)";
        command.ExecuteNonQuery();
    }

    public override bool Shared => false;

    public override string? AppendLockSql => null;

    public override string GridIdOfPayload => "CASE WHEN json_valid(payload) THEN json_extract(payload, '$.gridId') END";

    public override DbConnection OpenLog() => _database.Open();

    /// <summary>
    /// NORMAL durability: whatever a power loss rolls back of a checkpoint only means replaying more of the ingest log,
    /// which grains apply idempotently.
    /// </summary>
    public override DbConnection OpenCheckpoints()
    {
        var connection = new SqliteConnection(_stateConnectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;";
        pragma.ExecuteNonQuery();
        return connection;
    }
}
