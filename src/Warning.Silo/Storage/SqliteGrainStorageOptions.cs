using Orleans;
using Orleans.Storage;

namespace Warning.Silo.Storage;

/// <summary>Settings of one <see cref="SqliteGrainStorage"/> provider (named options, one set per provider name).</summary>
public sealed class SqliteGrainStorageOptions : IStorageProviderSerializerOptions
{
    /// <summary>
    /// The SQLite file; empty takes <c>Storage:DataDirectory</c>/<c>Storage:StateFile</c> (<c>data/state.db</c>), beside the
    /// ingest log, so one data folder still holds everything a node has.
    /// </summary>
    public string? DatabasePath { get; set; }

    /// <summary>
    /// SQLite <c>PRAGMA synchronous</c>: <c>FULL</c> (an acknowledged write survives power loss), <c>NORMAL</c> (survives a
    /// process crash only) or <c>OFF</c>. Empty takes <c>Storage:Synchronous</c>, so one setting governs the data folder.
    /// </summary>
    public string? Synchronous { get; set; }

    /// <summary>
    /// Most writes committed in one transaction. Writes that queue while a commit is on disk go into the next one: one fsync
    /// then acknowledges many grains.
    /// </summary>
    public int MaxBatchSize { get; set; } = 1_000;

    /// <summary>
    /// Most writes behind (<see cref="WriteBehind"/>) in one transaction, after the awaited writes waiting: an awaited write
    /// queued behind a checkpoint's thousands waits for at most this many.
    /// </summary>
    public int BehindBatchSize { get; set; } = 250;

    /// <summary>How long a write waits for the file's write lock held by another process or provider instance.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Silo lifecycle stage at which the file is opened (and, on stop, closed after the grains wrote their last state).</summary>
    public int InitStage { get; set; } = ServiceLifecycleStage.ApplicationServices;

    /// <summary>
    /// Empty: Orleans' own serializer (see <see cref="SqliteGrainStorage"/> for why), unless an
    /// <see cref="IGrainStorageSerializer"/> is registered under this provider's name.
    /// </summary>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;

    internal static string NormalizeSynchronous(string value) =>
        value.Trim().ToUpperInvariant() switch
        {
            "OFF" or "0" => "OFF",
            "NORMAL" or "1" => "NORMAL",
            "FULL" or "2" => "FULL",
            "EXTRA" or "3" => "EXTRA",
            // It is spliced into a PRAGMA, which takes no parameters: anything else is refused, not quoted.
            _ => throw new ArgumentException($"SQLite synchronous level '{value}' is not OFF, NORMAL, FULL or EXTRA.", nameof(value)),
        };
}
