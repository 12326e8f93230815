using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Warning.Analytics.Disputes;
using Warning.Silo.Storage;

namespace Warning.Silo.Ingest;

/// <summary>
/// The durable, append-only log every accepted item goes through before its 202. Concurrent requests are
/// group-committed: one writer drains whatever batches are waiting into a single transaction, so many small
/// requests share one fsync instead of paying one each.
/// </summary>
public sealed class IngestLog : IAsyncDisposable
{
    private readonly WarningDatabase _database;
    private readonly ILogger<IngestLog> _logger;
    private readonly Channel<AppendRequest> _requests = Channel.CreateUnbounded<AppendRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private readonly List<Action<IReadOnlyList<IngestEntry>>> _subscribers = new();
    private long _lastSeq;
    // Appends queued and not yet taken by the writer (a single-reader channel cannot count).
    private int _pending;

    public IngestLog(WarningDatabase database, ILogger<IngestLog> logger)
    {
        _database = database;
        _logger = logger;
        using (var connection = database.Open())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM ingest_log";
            _lastSeq = (long)command.ExecuteScalar()!;
        }
        _writer = Task.Run(WriteLoopAsync);
    }

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

    public IEnumerable<IngestEntry> ReadAfter(long seq, int limit = int.MaxValue)
    {
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, kind, item_id, case_id, received_at, payload FROM ingest_log WHERE seq > $seq ORDER BY seq LIMIT $limit";
        command.Parameters.AddWithValue("$seq", seq);
        command.Parameters.AddWithValue("$limit", limit);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return new IngestEntry(
                reader.GetInt64(0), Enum.Parse<IngestKind>(reader.GetString(1)), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), DateTimeOffset.Parse(reader.GetString(4)), reader.GetString(5));
        }
    }

    /// <summary>Every accepted record in log order, deserialised (reports, incidents, key individuals; ticks left out): history for retraining.</summary>
    public IEnumerable<object> ReadRecords()
    {
        foreach (var entry in ReadAfter(0))
        {
            object? record = entry.Kind switch
            {
                IngestKind.Report => JsonSerializer.Deserialize<ScreeningReport>(entry.Payload, WarningJson.Options),
                IngestKind.Incident => JsonSerializer.Deserialize<Incident>(entry.Payload, WarningJson.Options),
                IngestKind.Person => JsonSerializer.Deserialize<KeyIndividual>(entry.Payload, WarningJson.Options),
                _ => null,
            };
            if (record is not null) yield return record;
        }
    }

    private async Task WriteLoopAsync()
    {
        await using var connection = _database.Open();
        var batch = new List<AppendRequest>();
        using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO ingest_log (kind, item_id, case_id, received_at, payload) VALUES ($kind, $id, $case, $at, $payload)
            ON CONFLICT (kind, item_id) DO NOTHING
            """;
        var pKind = insert.Parameters.Add("$kind", SqliteType.Text);
        var pId = insert.Parameters.Add("$id", SqliteType.Text);
        var pCase = insert.Parameters.Add("$case", SqliteType.Text);
        var pAt = insert.Parameters.Add("$at", SqliteType.Text);
        var pPayload = insert.Parameters.Add("$payload", SqliteType.Text);
        using var existing = connection.CreateCommand();
        existing.CommandText = "SELECT seq, case_id, payload FROM ingest_log WHERE kind = $kind AND item_id = $id";
        var eKind = existing.Parameters.Add("$kind", SqliteType.Text);
        var eId = existing.Parameters.Add("$id", SqliteType.Text);

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
                var receivedAt = DateTimeOffset.UtcNow;
                var at = receivedAt.ToString("O");
                using var transaction = connection.BeginTransaction();
                insert.Transaction = transaction;
                existing.Transaction = transaction;
                var seq = _lastSeq;
                for (var b = 0; b < batch.Count; b++)
                {
                    var items = batch[b].Items;
                    var itemResults = results[b] = new AppendResult[items.Count];
                    for (var i = 0; i < items.Count; i++)
                    {
                        var item = items[i];
                        var kind = item.Kind.ToString();
                        pKind.Value = kind;
                        pId.Value = item.ItemId;
                        pCase.Value = (object?)item.CaseId ?? DBNull.Value;
                        pAt.Value = at;
                        pPayload.Value = item.Payload;
                        if (insert.ExecuteNonQuery() == 1)
                        {
                            seq++;
                            itemResults[i] = new AppendResult(false, seq, item.CaseId);
                            committed.Add(new IngestEntry(seq, item.Kind, item.ItemId, item.CaseId, receivedAt, item.Payload, item.Record));
                        }
                        else
                        {
                            eKind.Value = kind;
                            eId.Value = item.ItemId;
                            using var reader = existing.ExecuteReader();
                            reader.Read();
                            itemResults[i] = new AppendResult(true, reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1),
                                PayloadDiff.Fields(reader.GetString(2), item.Payload));
                        }
                    }
                }
                transaction.Commit();
                // INTEGER PRIMARY KEY without AUTOINCREMENT hands out max+1, and this loop is the only writer.
                _lastSeq = seq;
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Ingest append failed for {Requests} requests", batch.Count);
                foreach (var request in batch) request.Completion.TrySetException(ex);
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
    }

    public async ValueTask DisposeAsync()
    {
        _requests.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private sealed record AppendRequest(IReadOnlyList<PendingItem> Items, TaskCompletionSource<AppendResult[]> Completion);
}
