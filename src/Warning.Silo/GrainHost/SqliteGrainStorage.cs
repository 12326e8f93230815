using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Warning.Silo.GrainHost;

/// <summary>
/// Grain state in SQLite: <c>grain_state(grain_type, grain_key, state, updated_at)</c> and
/// <c>checkpoints(name, seq)</c> (the grains' ingest checkpoint under name 'ingest'; other readers of the ingest log,
/// such as the time-series feed, keep their own position under their own name), WAL mode, one writer at a time;
/// each WriteAsync is one transaction. Creates its tables if missing.
/// </summary>
public sealed class SqliteGrainStorage : IGrainStorage, IDisposable
{
    public const string CheckpointName = "ingest";

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writer = new(1, 1);

    public SqliteGrainStorage(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _connectionString = connectionString;
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS grain_state (
                grain_type TEXT NOT NULL,
                grain_key  TEXT NOT NULL,
                state      TEXT NOT NULL,
                updated_at TEXT,
                PRIMARY KEY (grain_type, grain_key)
            );
            CREATE TABLE IF NOT EXISTS checkpoints (
                name TEXT PRIMARY KEY,
                seq  INTEGER NOT NULL
            );
            """;
        command.ExecuteNonQuery();
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // NORMAL is enough here: state and its checkpoint commit together, and whatever a power loss rolls back is
        // replayed from the ingest log, which is the one that fsyncs every commit.
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    public async Task<string?> ReadAsync(string grainType, string key, CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT state FROM grain_state WHERE grain_type = $type AND grain_key = $key";
        command.Parameters.AddWithValue("$type", grainType);
        command.Parameters.AddWithValue("$key", key);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>The stored ingest checkpoint, or 0 when none was written yet.</summary>
    public Task<long> ReadCheckpointAsync(CancellationToken cancellationToken = default) => ReadCheckpointAsync(CheckpointName, cancellationToken);

    /// <summary>A named position in the ingest log, or 0 when none was written yet.</summary>
    public async Task<long> ReadCheckpointAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq FROM checkpoints WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        return await command.ExecuteScalarAsync(cancellationToken) is long seq ? seq : 0;
    }

    /// <summary>
    /// Stores a named position on its own (not the grains' <see cref="CheckpointName"/>: that one commits with the grain
    /// state in <see cref="WriteAsync"/>). With synchronous = NORMAL a power loss may roll it back, which only means
    /// replaying more of the ingest log.
    /// </summary>
    public async Task WriteCheckpointAsync(string name, long seq, CancellationToken cancellationToken = default)
    {
        if (name == CheckpointName) throw new ArgumentException("the grains' checkpoint is written with their state", nameof(name));
        await _writer.WaitAsync(cancellationToken);
        try
        {
            await using var connection = Open();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO checkpoints (name, seq) VALUES ($name, $seq) ON CONFLICT (name) DO UPDATE SET seq = excluded.seq";
            command.Parameters.AddWithValue("$name", name);
            command.Parameters.AddWithValue("$seq", seq);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            _writer.Release();
        }
    }

    public async Task WriteAsync(IReadOnlyList<GrainStateRecord> records, long? checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0 && checkpoint is null) return;
        await _writer.WaitAsync(cancellationToken);
        try
        {
            await using var connection = Open();
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
            if (records.Count > 0)
            {
                await using var upsert = connection.CreateCommand();
                upsert.Transaction = transaction;
                upsert.CommandText = """
                    INSERT INTO grain_state (grain_type, grain_key, state, updated_at) VALUES ($type, $key, $state, $now)
                    ON CONFLICT (grain_type, grain_key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
                    """;
                var type = upsert.Parameters.Add("$type", SqliteType.Text);
                var key = upsert.Parameters.Add("$key", SqliteType.Text);
                var state = upsert.Parameters.Add("$state", SqliteType.Text);
                upsert.Parameters.AddWithValue("$now", now);
                upsert.Prepare();
                foreach (var r in records)
                {
                    type.Value = r.GrainType;
                    key.Value = r.Key;
                    state.Value = r.Json;
                    await upsert.ExecuteNonQueryAsync(cancellationToken);
                }
            }
            if (checkpoint is { } seq)
            {
                await using var cp = connection.CreateCommand();
                cp.Transaction = transaction;
                cp.CommandText = "INSERT INTO checkpoints (name, seq) VALUES ($name, $seq) ON CONFLICT (name) DO UPDATE SET seq = excluded.seq";
                cp.Parameters.AddWithValue("$name", CheckpointName);
                cp.Parameters.AddWithValue("$seq", seq);
                await cp.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>Releases pooled connections to the file.</summary>
    /// <remarks>
    /// The writer semaphore is deliberately not disposed: a host stopped twice at once (WebApplication.Run returning
    /// while a test host stops it) can dispose the container while the last checkpoint is still being written, and that
    /// checkpoint must still land. A SemaphoreSlim without a wait handle holds nothing to free.
    /// </remarks>
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }
}
