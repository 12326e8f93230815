using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Warning.Silo.Storage;

/// <summary>
/// Named positions in the ingest log (<c>checkpoints(name, seq)</c> in state.db): how far the grains (<see cref="Ingest"/>)
/// and other readers of the log (the time-series feed) are known to be durable.
/// </summary>
public sealed class Checkpoints
{
    /// <summary>The grains' checkpoint: every grain state up to this seq is written.</summary>
    public const string Ingest = "ingest";

    private readonly string _connectionString;

    public Checkpoints(IOptions<StorageOptions> options, WarningDatabase database)
    {
        _ = database; // creates the data folder
        _connectionString = options.Value.StateConnectionString;
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, seq INTEGER NOT NULL)";
        command.ExecuteNonQuery();
    }

    /// <summary>The grains' checkpoint, or 0 when none was written yet.</summary>
    public Task<long> ReadCheckpointAsync(CancellationToken cancellationToken = default) => ReadCheckpointAsync(Ingest, cancellationToken);

    public async Task<long> ReadCheckpointAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq FROM checkpoints WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        return await command.ExecuteScalarAsync(cancellationToken) is long seq ? seq : 0;
    }

    /// <summary>
    /// Stores a position. Whatever a power loss rolls back only means replaying more of the ingest log, which grains
    /// apply idempotently, so NORMAL durability is enough here.
    /// </summary>
    public async Task WriteCheckpointAsync(string name, long seq, CancellationToken cancellationToken = default)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO checkpoints (name, seq) VALUES ($name, $seq) ON CONFLICT (name) DO UPDATE SET seq = excluded.seq";
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$seq", seq);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;";
        pragma.ExecuteNonQuery();
        return connection;
    }
}
