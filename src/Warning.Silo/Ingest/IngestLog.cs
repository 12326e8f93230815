using System.Data.Common;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Warning.Analytics.Disputes;
using Warning.Silo.Storage;

namespace Warning.Silo.Ingest;

/// <summary>
/// The durable, append-only log every accepted item goes through before its 202. Concurrent requests are
/// group-committed: one writer drains whatever batches are waiting into a single transaction, so many small
/// requests share one fsync instead of paying one each. The same code runs on the embedded SQLite store and on the
/// cluster's PostgreSQL (<see cref="LogStore"/>); there every node appends to one log.
/// </summary>
public sealed class IngestLog : IAsyncDisposable
{
    private const string Columns = "seq, kind, item_id, case_id, received_at, payload, log_partition";

    private readonly LogStore _store;
    private readonly ILogger<IngestLog> _logger;
    private readonly Channel<AppendRequest> _requests = Channel.CreateUnbounded<AppendRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private readonly List<Action<IReadOnlyList<IngestEntry>>> _subscribers = new();
    private long _lastSeq;
    // Appends queued and not yet taken by the writer (a single-reader channel cannot count).
    private int _pending;

    public IngestLog(LogStore store, ILogger<IngestLog> logger)
    {
        _store = store;
        _logger = logger;
        using (var connection = store.OpenLog())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM ingest_log";
            _lastSeq = Convert.ToInt64(command.ExecuteScalar());
        }
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>The highest seq this node has seen committed (in cluster mode other nodes append too).</summary>
    public long LastSeq => Interlocked.Read(ref _lastSeq);

    /// <summary>Appends waiting for the writer: intake is busy while there are any.</summary>
    public int PendingAppends => Volatile.Read(ref _pending);

    /// <summary>Called, in log order and on the writer's thread, with the entries of every committed transaction.</summary>
    public void Subscribe(Action<IReadOnlyList<IngestEntry>> onCommitted)
    {
        lock (_subscribers) _subscribers.Add(onCommitted);
    }

    /// <summary>Appends the items durably; returns when they are committed. Items already in the log come back as duplicates.</summary>
    public Task<AppendResult[]> AppendAsync(IReadOnlyList<PendingItem> items, CancellationToken cancellationToken = default)
    {
        var request = new AppendRequest(items, new TaskCompletionSource<AppendResult[]>(TaskCreationOptions.RunContinuationsAsynchronously));
        Interlocked.Increment(ref _pending);
        if (!_requests.Writer.TryWrite(request))
        {
            Interlocked.Decrement(ref _pending);
            throw new ObjectDisposedException(nameof(IngestLog));
        }
        return request.Completion.Task;
    }

    public IEnumerable<IngestEntry> ReadAfter(long seq, int limit = int.MaxValue) =>
        Read($"SELECT {Columns} FROM ingest_log WHERE seq > @seq ORDER BY seq LIMIT @limit", seq, limit, partition: null);

    /// <summary>One partition's entries after <paramref name="seq"/>, in log order: what its owner applies next.</summary>
    public IEnumerable<IngestEntry> ReadPartitionAfter(int partition, long seq, int limit) =>
        Read($"SELECT {Columns} FROM ingest_log WHERE log_partition = @partition AND seq > @seq ORDER BY seq LIMIT @limit", seq, limit, partition);

    private IEnumerable<IngestEntry> Read(string sql, long seq, int limit, int? partition)
    {
        using var connection = _store.OpenLog();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        LogStore.Parameter(command, "@seq", seq);
        LogStore.Parameter(command, "@limit", limit);
        if (partition is { } p) LogStore.Parameter(command, "@partition", p);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return new IngestEntry(
                reader.GetInt64(0), Enum.Parse<IngestKind>(reader.GetString(1)), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), DateTimeOffset.Parse(reader.GetString(4)), reader.GetString(5))
            {
                Partition = reader.GetInt32(6),
            };
        }
    }

    /// <summary>
    /// Every accepted record in log order, deserialised (reports, incidents, key individuals; screening rounds as
    /// <see cref="ScreeningMark"/>; ticks left out): history for retraining and the meeting packs.
    /// </summary>
    /// <remarks>
    /// Parsing the JSON is most of the time (a city's 4.6 million entries: 27 s on one core, bench/reports.sh), so the
    /// rows of one batch are read on this thread while the batch before is parsed on every core; the records still
    /// come out in log order.
    /// </remarks>
    public IEnumerable<object> ReadRecords()
    {
        Task<object?[]>? parsing = null;
        foreach (var batch in ReadPayloads().Chunk(8192))
        {
            var next = Task.Run(() => Parse(batch));
            if (parsing is not null)
                foreach (var record in parsing.GetAwaiter().GetResult())
                    if (record is not null) yield return record;
            parsing = next;
        }
        if (parsing is not null)
            foreach (var record in parsing.GetAwaiter().GetResult())
                if (record is not null) yield return record;
    }

    /// <summary>
    /// The rows as UTF-8 payloads to parse, or as records already read. SQLite hands over its bytes, which spares a
    /// UTF-16 copy of every payload and the parser's transcoding back. Screening rounds, two thirds of a city's log,
    /// are read here into <see cref="ScreeningMark"/>s with grid ids shared, so they cost neither a parse on the pool
    /// nor a string per row.
    /// </summary>
    private IEnumerable<(string Kind, byte[]? Payload, object? Record)> ReadPayloads()
    {
        using var connection = _store.OpenLog();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT kind, payload FROM ingest_log ORDER BY seq";
        using var reader = command.ExecuteReader();
        var sqlite = reader is Microsoft.Data.Sqlite.SqliteDataReader;
        var grids = new Dictionary<string, string>(StringComparer.Ordinal);
        var gridLookup = grids.GetAlternateLookup<ReadOnlySpan<char>>();
        while (reader.Read())
        {
            var kind = reader.GetString(0);
            // GetFieldValue, not GetBytes into a reused buffer: Microsoft.Data.Sqlite's GetBytes is four times slower.
            var json = sqlite ? reader.GetFieldValue<byte[]>(1) : System.Text.Encoding.UTF8.GetBytes(reader.GetString(1));
            yield return kind == nameof(IngestKind.Screening) ? (kind, null, ReadMark(json, gridLookup)) : (kind, json, null);
        }
    }

    private static ScreeningMark? ReadMark(ReadOnlySpan<byte> json, Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> grids)
    {
        var reader = new Utf8JsonReader(json);
        string? gridId = null;
        DateTimeOffset? at = null;
        Span<char> chars = stackalloc char[128];
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName && (gridId is null || at is null))
        {
            if (reader.ValueTextEquals("gridId"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length > chars.Length || reader.ValueIsEscaped) return null;
                var name = chars[..System.Text.Encoding.UTF8.GetChars(reader.ValueSpan, chars)];
                if (!grids.TryGetValue(name, out gridId))
                {
                    gridId = name.ToString();
                    grids[gridId] = gridId;
                }
            }
            else if (reader.ValueTextEquals("screenedAt"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String || !reader.TryGetDateTimeOffset(out var value)) return null;
                at = value;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return gridId is not null && at is { } moment ? new ScreeningMark(gridId, moment) : null;
    }

    private static object?[] Parse((string Kind, byte[]? Payload, object? Record)[] batch)
    {
        var records = new object?[batch.Length];
        Parallel.ForEach(System.Collections.Concurrent.Partitioner.Create(0, batch.Length, 512), range =>
        {
            for (var i = range.Item1; i < range.Item2; i++)
            {
                var (kind, payload, record) = batch[i];
                records[i] = record ?? kind switch
                {
                    nameof(IngestKind.Report) => JsonSerializer.Deserialize<ScreeningReport>(payload, WarningJson.Options),
                    nameof(IngestKind.Incident) => JsonSerializer.Deserialize<Incident>(payload, WarningJson.Options),
                    nameof(IngestKind.Person) => JsonSerializer.Deserialize<KeyIndividual>(payload, WarningJson.Options),
                    _ => null,
                };
            }
        });
        return records;
    }

    private async Task WriteLoopAsync()
    {
        Appender? appender = null;
        var batch = new List<AppendRequest>();
        while (await _requests.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < 256 && _requests.Reader.TryRead(out var request))
            {
                batch.Add(request);
                Interlocked.Decrement(ref _pending);
            }

            var committed = new List<IngestEntry>();
            var results = new AppendResult[batch.Count][];
            try
            {
                appender ??= new Appender(_store);
                var last = appender.Append(batch, results, committed);
                if (last > Interlocked.Read(ref _lastSeq)) Interlocked.Exchange(ref _lastSeq, last);
            }
            catch (Exception ex)
            {
                // Nothing of the batch is committed (the transaction rolled back, or never began) and nobody gets a 202
                // for it. The connection may be what broke (PostgreSQL restarted): the next batch opens a new one.
                _logger.LogError(ex, "Ingest append failed for {Requests} requests", batch.Count);
                foreach (var request in batch) request.Completion.TrySetException(ex);
                appender?.Dispose();
                appender = null;
                continue;
            }

            if (committed.Count > 0)
            {
                Action<IReadOnlyList<IngestEntry>>[] subscribers;
                lock (_subscribers) subscribers = _subscribers.ToArray();
                foreach (var subscriber in subscribers)
                {
                    try { subscriber(committed); }
                    catch (Exception ex) { _logger.LogError(ex, "Ingest subscriber failed"); }
                }
            }
            for (var b = 0; b < batch.Count; b++) batch[b].Completion.TrySetResult(results[b]);
        }
        appender?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        _requests.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private sealed record AppendRequest(IReadOnlyList<PendingItem> Items, TaskCompletionSource<AppendResult[]> Completion);

    /// <summary>The writer's connection and prepared commands, kept across batches and dropped when one fails.</summary>
    private sealed class Appender : IDisposable
    {
        private readonly DbConnection _connection;
        private readonly DbCommand _insert;
        private readonly DbCommand _existing;
        private readonly DbCommand? _lock;
        private readonly DbParameter _kind, _id, _case, _at, _payload, _partition, _existingKind, _existingId;

        public Appender(LogStore store)
        {
            _connection = store.OpenLog();
            _insert = _connection.CreateCommand();
            // RETURNING: the seq the database handed out, or no row when the id is already in the log.
            _insert.CommandText = """
                INSERT INTO ingest_log (kind, item_id, case_id, received_at, payload, log_partition)
                VALUES (@kind, @id, @case, @at, @payload, @partition)
                ON CONFLICT (kind, item_id) DO NOTHING RETURNING seq
                """;
            _kind = LogStore.Parameter(_insert, "@kind", "");
            _id = LogStore.Parameter(_insert, "@id", "");
            _case = LogStore.Parameter(_insert, "@case", "");
            _at = LogStore.Parameter(_insert, "@at", "");
            _payload = LogStore.Parameter(_insert, "@payload", "");
            _partition = LogStore.Parameter(_insert, "@partition", 0);
            _existing = _connection.CreateCommand();
            _existing.CommandText = "SELECT seq, case_id, payload FROM ingest_log WHERE kind = @kind AND item_id = @id";
            _existingKind = LogStore.Parameter(_existing, "@kind", "");
            _existingId = LogStore.Parameter(_existing, "@id", "");
            if (store.AppendLockSql is { } lockSql)
            {
                _lock = _connection.CreateCommand();
                _lock.CommandText = lockSql;
            }
        }

        /// <summary>Appends every request's items in one transaction; returns the highest seq committed.</summary>
        public long Append(List<AppendRequest> batch, AppendResult[][] results, List<IngestEntry> committed)
        {
            var receivedAt = DateTimeOffset.UtcNow;
            var at = receivedAt.ToString("O");
            long last = 0;
            using var transaction = _connection.BeginTransaction();
            _insert.Transaction = transaction;
            _existing.Transaction = transaction;
            if (_lock is not null)
            {
                _lock.Transaction = transaction;
                _lock.ExecuteNonQuery();
            }
            for (var b = 0; b < batch.Count; b++)
            {
                var items = batch[b].Items;
                var itemResults = results[b] = new AppendResult[items.Count];
                for (var i = 0; i < items.Count; i++)
                {
                    var item = items[i];
                    var kind = item.Kind.ToString();
                    _kind.Value = kind;
                    _id.Value = item.ItemId;
                    _case.Value = (object?)item.CaseId ?? DBNull.Value;
                    _at.Value = at;
                    _payload.Value = item.Payload;
                    _partition.Value = item.Partition;
                    if (_insert.ExecuteScalar() is { } inserted and not DBNull)
                    {
                        var seq = Convert.ToInt64(inserted);
                        last = Math.Max(last, seq);
                        itemResults[i] = new AppendResult(false, seq, item.CaseId);
                        committed.Add(new IngestEntry(seq, item.Kind, item.ItemId, item.CaseId, receivedAt, item.Payload, item.Record) { Partition = item.Partition });
                    }
                    else
                    {
                        _existingKind.Value = kind;
                        _existingId.Value = item.ItemId;
                        using var reader = _existing.ExecuteReader();
                        reader.Read();
                        itemResults[i] = new AppendResult(true, reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1),
                            PayloadDiff.Fields(reader.GetString(2), item.Payload));
                    }
                }
            }
            transaction.Commit();
            return last;
        }

        public void Dispose()
        {
            _insert.Dispose();
            _existing.Dispose();
            _lock?.Dispose();
            _connection.Dispose();
        }
    }
}
