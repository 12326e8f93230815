using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Warning.Silo.Storage;

/// <summary>
/// Orleans grain storage in the node's SQLite file (Orleans ships no SQLite provider): table
/// <c>orleans_grain_state(grain_id, state_name, etag, payload, updated_at)</c>, WAL journal.
/// </summary>
/// <remarks>
/// <para>
/// Durability: <see cref="WriteStateAsync{T}"/> and <see cref="ClearStateAsync{T}"/> complete only after their transaction
/// committed with the configured <c>synchronous</c> level (default FULL: fsynced). SQLite has one writer per file, so
/// one thread per provider writes; whatever queued while a commit was on disk goes into the next transaction (group
/// commit), which is what lets thousands of grains write at once without thousands of fsyncs. Reads go through a pool
/// of connections with a prepared statement; in WAL mode they never wait for the writer.
/// </para>
/// <para>
/// Written behind (<see cref="WriteBehind"/>, the applier's checkpoint): the write completes once queued, the grain holds
/// the version the row will have, and the caller waits for <see cref="WhenWrittenAsync"/> instead. Awaited writes go
/// first, with at most <see cref="SqliteGrainStorageOptions.BehindBatchSize"/> of these per transaction; a read of a
/// state still queued behind waits for its commit; a write behind that fails is kept in <see cref="WriteBehindFailure"/>.
/// </para>
/// <para>
/// ETag: the row's version, a counter, as a decimal string. A write or clear names the version it last saw; the row
/// changes only if it still has it, otherwise <see cref="InconsistentStateException"/> (Orleans then deactivates the
/// stale activation, and the next call reads the current state). A grain that never read a row (ETag null) may only
/// create it. Clearing keeps the row with a null payload, so the version keeps counting and an activation holding a
/// pre-clear ETag is still refused.
/// </para>
/// <para>
/// Serialization: Orleans' serializer by default, not JSON. State types are then the same [GenerateSerializer] records
/// the grains already use on the wire; fields are matched by [Id], so adding or removing a field is tolerated, and a
/// renamed type or member stays readable: the root is stored without its type name, and polymorphic members carry
/// their [Alias] rather than the CLR name. JSON would tie stored state to property and type names. The cost: the
/// payload is binary, not readable in the sqlite3 shell.
/// </para>
/// <para>
/// The key is the GrainId ("type/key") and the state name, without the cluster's ServiceId: the file belongs to one
/// data folder, and a changed ServiceId must not orphan every grain's state. The grain type part comes from the class
/// name unless the class has [GrainType]: give stored grains a [GrainType] so renaming a class keeps its state.
/// </para>
/// </remarks>
public sealed partial class SqliteGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>, IAsyncDisposable, IDisposable
{
    public const string TableName = "orleans_grain_state";

    private const string Schema = $"""
        CREATE TABLE IF NOT EXISTS {TableName} (
            grain_id   TEXT    NOT NULL,
            state_name TEXT    NOT NULL,
            etag       INTEGER NOT NULL,
            payload    BLOB,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (grain_id, state_name)
        );
        """;

    private const int Closed = 2;
    private const int Open = 1;

    private readonly string _name;
    private readonly string _path;
    private readonly string _synchronous;
    private readonly int _maxBatchSize;
    private readonly TimeSpan _busyTimeout;
    private readonly int _initStage;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activators;
    private readonly ILogger _logger;
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    // Writes behind, and the barriers after them: a transaction takes every awaited write first and then at most
    // BehindBatchSize of these, so a grain awaiting its write (an alert's, at once) never queues behind a whole checkpoint.
    private readonly Channel<PendingWrite> _behindQueue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly int _behindBatchSize;
    private readonly TaskCompletionSource _writerStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<Reader> _readers = new();
    private readonly int _maxIdleReaders = Math.Max(4, Environment.ProcessorCount * 2);
    private readonly Lock _gate = new();
    private volatile int _state;
    private long _commits;
    // Written behind and not yet committed, by key: a read of one of them waits for its commit (a grain flushed and then
    // deactivated and woken again must not read the state it had before the flush).
    private readonly ConcurrentDictionary<(string GrainId, string StateName), PendingWrite> _behind = new();
    private string? _behindFailure;

    public SqliteGrainStorage(
        string name,
        string databasePath,
        string synchronous,
        SqliteGrainStorageOptions options,
        IGrainStorageSerializer serializer,
        IActivatorProvider activators,
        ILogger<SqliteGrainStorage> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchSize, 1);
        _name = name;
        _path = Path.GetFullPath(databasePath);
        _synchronous = SqliteGrainStorageOptions.NormalizeSynchronous(synchronous);
        _maxBatchSize = options.MaxBatchSize;
        _behindBatchSize = Math.Clamp(options.BehindBatchSize, 1, options.MaxBatchSize);
        _busyTimeout = options.BusyTimeout;
        _initStage = options.InitStage;
        _serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
        _activators = activators ?? throw new ArgumentNullException(nameof(activators));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>The SQLite file this provider stores in.</summary>
    public string DatabasePath => _path;

    /// <summary>Transactions committed so far; writes per commit is how much the group commit saved in fsyncs.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>
    /// The first write made behind (<see cref="WriteBehind"/>) that failed, if any: its grain believes a state is stored
    /// that is not, so nothing written behind since can be counted on until a restart reads the file again.
    /// </summary>
    public string? WriteBehindFailure => Volatile.Read(ref _behindFailure);

    /// <summary>
    /// Completes once every write queued before the call has committed (or failed: see <see cref="WriteBehindFailure"/>).
    /// What a checkpoint waits on after flushing its grains behind.
    /// </summary>
    public Task WhenWrittenAsync() => Enqueue(PendingWrite.Barrier());

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(
            OptionFormattingUtilities.Name<SqliteGrainStorage>(_name),
            _initStage,
            _ => { Start(); return Task.CompletedTask; },
            _ => CloseAsync());

    /// <summary>
    /// Opens the file, creates the table and starts the writer. The silo does this at <see cref="SqliteGrainStorageOptions.InitStage"/>,
    /// so a bad path fails the silo's start rather than the first grain; any operation also starts it.
    /// </summary>
    public void Start()
    {
        if (_state == Open) return;
        lock (_gate)
        {
            if (_state == Open) return;
            ObjectDisposedException.ThrowIf(_state == Closed, this);
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            var writer = new Writer(OpenConnection(readOnly: false));
            var thread = new Thread(() => WriteLoop(writer)) { IsBackground = true, Name = $"sqlite-grain-storage {_name}" };
            thread.Start();
            _state = Open;
            LogStarted(_name, _path, _synchronous);
        }
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        Start();
        var id = grainId.ToString();
        if (!_behind.IsEmpty && _behind.TryGetValue((id, stateName), out var pending))
            return ReadAfterAsync(pending, id, stateName, grainState);
        Read(id, stateName, grainState);
        return Task.CompletedTask;
    }

    private async Task ReadAfterAsync<T>(PendingWrite pending, string id, string stateName, IGrainState<T> grainState)
    {
        // Failed or not, once it is done the file holds what there is to read.
        try { await pending.Done.Task.ConfigureAwait(false); }
        catch (Exception) { }
        Read(id, stateName, grainState);
    }

    private void Read<T>(string id, string stateName, IGrainState<T> grainState)
    {
        long? etag = null;
        byte[]? payload = null;
        var reader = _readers.TryDequeue(out var pooled) ? pooled : new Reader(OpenConnection(readOnly: true));
        try
        {
            reader.GrainId.Value = id;
            reader.StateName.Value = stateName;
            using (var row = reader.Select.ExecuteReader())
            {
                if (row.Read())
                {
                    etag = row.GetInt64(0);
                    payload = row.IsDBNull(1) ? null : row.GetFieldValue<byte[]>(1);
                }
            }
            ReturnReader(reader);
        }
        catch
        {
            // A connection that failed mid-statement is not trusted again.
            reader.Dispose();
            throw;
        }

        grainState.ETag = etag is { } version ? FormatEtag(version) : null;
        if (payload is null)
        {
            grainState.State = CreateState<T>();
            grainState.RecordExists = false;
        }
        else
        {
            grainState.State = _serializer.Deserialize<T>(new BinaryData(payload)) ?? CreateState<T>();
            grainState.RecordExists = true;
        }
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var expected = ParseEtag(stateName, grainId, grainState.ETag);
        // Serialized here, in the grain's turn: the writer thread never touches a grain's state object.
        var payload = _serializer.Serialize(grainState.State).ToArray();
        var write = new PendingWrite(grainId.ToString(), stateName, expected, payload) { Behind = WriteBehind.Requested };
        if (!write.Behind) return WriteAsync(write, grainState);
        // Behind: the grain's turn ends now, with the version the write will have if it commits (the row's next); the
        // caller learns of the commit from WhenWrittenAsync, and of a failure from WriteBehindFailure.
        _behind[(write.GrainId, write.StateName)] = write;
        Enqueue(write);
        grainState.ETag = FormatEtag(write.PredictedVersion);
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    private async Task WriteAsync<T>(PendingWrite write, IGrainState<T> grainState)
    {
        var version = await Enqueue(write);
        grainState.ETag = FormatEtag(version);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var expected = ParseEtag(stateName, grainId, grainState.ETag);
        var version = await Enqueue(new PendingWrite(grainId.ToString(), stateName, expected, payload: null));
        grainState.ETag = FormatEtag(version);
        grainState.State = CreateState<T>();
        grainState.RecordExists = false;
    }

    /// <summary>Commits what is queued, stops the writer and closes the file. Later operations throw.</summary>
    public async Task CloseAsync()
    {
        bool wasOpen;
        lock (_gate)
        {
            wasOpen = _state == Open;
            _state = Closed;
        }
        if (wasOpen)
        {
            _queue.Writer.TryComplete();
            _behindQueue.Writer.TryComplete();
            await _writerStopped.Task.ConfigureAwait(false);
        }
        while (_readers.TryDequeue(out var reader)) reader.Dispose();
    }

    public ValueTask DisposeAsync() => new(CloseAsync());

    public void Dispose() => CloseAsync().GetAwaiter().GetResult();

    private Task<long> Enqueue(PendingWrite write)
    {
        Start();
        // Barriers follow the writes behind; so does an awaited write of a state still queued behind, which names the
        // version that write makes.
        var behind = write.Behind || write.IsBarrier || (!_behind.IsEmpty && _behind.ContainsKey((write.GrainId, write.StateName)));
        if (!(behind ? _behindQueue : _queue).Writer.TryWrite(write)) throw new ObjectDisposedException(nameof(SqliteGrainStorage), $"Grain storage '{_name}' is closed.");
        return write.Done.Task;
    }

    private void WriteLoop(Writer writer)
    {
        var batch = new List<PendingWrite>(Math.Min(_maxBatchSize, 1_024));
        try
        {
            // A dedicated thread, blocking: Microsoft.Data.Sqlite is synchronous underneath, and an fsync held on a pool
            // thread would starve the silo's scheduler on a small machine.
            while (true)
            {
                if (!_queue.Reader.TryPeek(out _) && !_behindQueue.Reader.TryPeek(out _))
                {
                    var awaited = _queue.Reader.WaitToReadAsync().AsTask();
                    var behind = _behindQueue.Reader.WaitToReadAsync().AsTask();
                    Task.WaitAny(awaited, behind);
                    // Closing completes both queues together: once either is done, what is left in the other is written
                    // and then the loop ends.
                    if (awaited is { IsCompleted: true, Result: false } || behind is { IsCompleted: true, Result: false })
                        if (!(awaited.GetAwaiter().GetResult() | behind.GetAwaiter().GetResult())) break;
                    continue;
                }
                while (batch.Count < _maxBatchSize && _queue.Reader.TryRead(out var write)) batch.Add(write);
                var behindRoom = Math.Min(_behindBatchSize, _maxBatchSize - batch.Count);
                for (var i = 0; i < behindRoom && _behindQueue.Reader.TryRead(out var write); i++) batch.Add(write);
                CommitBatch(writer, batch);
                batch.Clear();
            }
        }
        catch (Exception exception)
        {
            LogWriterFailed(exception, _name);
            foreach (var write in batch) Fail(write, exception);
            _queue.Writer.TryComplete(exception);
            _behindQueue.Writer.TryComplete(exception);
            while (_queue.Reader.TryRead(out var write)) Fail(write, exception);
            while (_behindQueue.Reader.TryRead(out var write)) Fail(write, exception);
        }
        finally
        {
            writer.Dispose();
            _writerStopped.TrySetResult();
        }
    }

    private void CommitBatch(Writer writer, List<PendingWrite> batch)
    {
        try
        {
            Commit(writer, batch);
        }
        catch (Exception exception) when (batch.Count > 1)
        {
            // One bad write (say, a state too large) must not fail the grains that happened to share its transaction.
            LogBatchFailed(exception, _name, batch.Count);
            foreach (var write in batch)
            {
                try
                {
                    Commit(writer, [write]);
                }
                catch (Exception single)
                {
                    Fail(write, single);
                }
            }
        }
        catch (Exception exception)
        {
            Fail(batch[0], exception);
        }
    }

    private void Commit(Writer writer, IReadOnlyList<PendingWrite> writes)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        using (var transaction = writer.Connection.BeginTransaction(deferred: false))
        {
            writer.Enlist(transaction, now);
            foreach (var write in writes) writer.Apply(write);
            transaction.Commit();
        }
        Interlocked.Increment(ref _commits);
        // Only now, after the commit: a grain must not believe in a version that a rollback took back.
        foreach (var write in writes) Complete(write);
    }

    private void Complete(PendingWrite write)
    {
        if (write.Behind)
        {
            // Out of the pending set before completing: a read that misses it finds the committed row.
            _behind.TryRemove(KeyValuePair.Create((write.GrainId, write.StateName), write));
            if (write.Conflict) NoteBehindFailure(write, "it was changed by someone else");
        }
        write.Complete();
    }

    private void Fail(PendingWrite write, Exception exception)
    {
        if (write.Behind)
        {
            _behind.TryRemove(KeyValuePair.Create((write.GrainId, write.StateName), write));
            NoteBehindFailure(write, exception.Message);
        }
        write.Done.TrySetException(exception);
    }

    private void NoteBehindFailure(PendingWrite write, string why)
    {
        var failure = $"{write.GrainId} state '{write.StateName}' written behind was not stored: {why}";
        if (Interlocked.CompareExchange(ref _behindFailure, failure, null) is null) LogBehindFailed(_name, failure);
    }

    private SqliteConnection OpenConnection(bool readOnly)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            // This provider keeps its own connections and their prepared statements; a pool would only add a lookup.
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(_busyTimeout.TotalSeconds),
        }.ToString());
        try
        {
            connection.Open();
            using var pragma = connection.CreateCommand();
            var busy = (long)_busyTimeout.TotalMilliseconds;
            pragma.CommandText = readOnly
                ? $"PRAGMA busy_timeout = {busy}; PRAGMA query_only = 1;"
                : $"PRAGMA journal_mode = WAL; PRAGMA synchronous = {_synchronous}; PRAGMA busy_timeout = {busy}; {Schema}";
            pragma.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private void ReturnReader(Reader reader)
    {
        if (_state == Open && _readers.Count < _maxIdleReaders) _readers.Enqueue(reader);
        else reader.Dispose();
    }

    private T CreateState<T>() => _activators.GetActivator<T>().Create();

    private long? ParseEtag(string stateName, GrainId grainId, string? etag)
    {
        if (etag is null) return null;
        if (long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var version)) return version;
        throw new InconsistentStateException(
            $"ETag '{etag}' of {grainId} state '{stateName}' was not issued by SQLite grain storage '{_name}'.", storedEtag: null, currentEtag: etag);
    }

    private static string FormatEtag(long version) => version.ToString(CultureInfo.InvariantCulture);

    /// <summary>A write or clear (null payload) waiting for the writer; completes with the row's new version.</summary>
    private sealed class PendingWrite(string grainId, string stateName, long? expectedVersion, byte[]? payload)
    {
        /// <summary>Writes nothing; completes with the transaction of the writes queued before it.</summary>
        public static PendingWrite Barrier() => new(string.Empty, string.Empty, null, null) { IsBarrier = true };

        public bool IsBarrier { get; private init; }

        /// <summary>Written behind: no one awaits it, and the grain already holds <see cref="PredictedVersion"/>.</summary>
        public bool Behind { get; init; }

        public long PredictedVersion => ExpectedVersion is { } e ? e + 1 : 1;

        public string GrainId { get; } = grainId;
        public string StateName { get; } = stateName;
        public long? ExpectedVersion { get; } = expectedVersion;
        public byte[]? Payload { get; } = payload;

        public TaskCompletionSource<long> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Set inside the transaction, reported only once it committed.</summary>
        public long NewVersion { get; set; }

        public long? ConflictingVersion { get; set; }

        public bool Conflict { get; set; }

        public void Complete()
        {
            if (!Conflict)
            {
                Done.TrySetResult(NewVersion);
                return;
            }
            var expected = ExpectedVersion is { } e ? FormatEtag(e) : null;
            var stored = ConflictingVersion is { } s ? FormatEtag(s) : null;
            Done.TrySetException(new InconsistentStateException(
                $"{GrainId} state '{StateName}' was changed by someone else: expected version {expected ?? "(none)"}, stored {stored ?? "(none)"}.",
                stored, expected));
        }
    }

    /// <summary>The single write connection and its prepared statements; used by the writer thread only.</summary>
    private sealed class Writer : IDisposable
    {
        private readonly SqliteCommand _insert;
        private readonly SqliteCommand _update;
        private readonly SqliteCommand _version;
        private readonly SqliteParameter _insertGrain, _insertState, _insertPayload, _insertNow;
        private readonly SqliteParameter _updateGrain, _updateState, _updatePayload, _updateNow, _updateExpected;
        private readonly SqliteParameter _versionGrain, _versionState;

        public Writer(SqliteConnection connection)
        {
            Connection = connection;
            _insert = connection.CreateCommand();
            _insert.CommandText = $"""
                INSERT INTO {TableName} (grain_id, state_name, etag, payload, updated_at) VALUES ($grain, $state, 1, $payload, $now)
                ON CONFLICT (grain_id, state_name) DO NOTHING
                """;
            _insertGrain = _insert.Parameters.Add("$grain", SqliteType.Text);
            _insertState = _insert.Parameters.Add("$state", SqliteType.Text);
            _insertPayload = _insert.Parameters.Add("$payload", SqliteType.Blob);
            _insertNow = _insert.Parameters.Add("$now", SqliteType.Integer);

            _update = connection.CreateCommand();
            _update.CommandText = $"""
                UPDATE {TableName} SET etag = etag + 1, payload = $payload, updated_at = $now
                WHERE grain_id = $grain AND state_name = $state AND etag = $expected
                """;
            _updateGrain = _update.Parameters.Add("$grain", SqliteType.Text);
            _updateState = _update.Parameters.Add("$state", SqliteType.Text);
            _updatePayload = _update.Parameters.Add("$payload", SqliteType.Blob);
            _updateNow = _update.Parameters.Add("$now", SqliteType.Integer);
            _updateExpected = _update.Parameters.Add("$expected", SqliteType.Integer);

            _version = connection.CreateCommand();
            _version.CommandText = $"SELECT etag FROM {TableName} WHERE grain_id = $grain AND state_name = $state";
            _versionGrain = _version.Parameters.Add("$grain", SqliteType.Text);
            _versionState = _version.Parameters.Add("$state", SqliteType.Text);

            foreach (var command in new[] { _insert, _update, _version }) command.Prepare();
        }

        public SqliteConnection Connection { get; }

        public void Enlist(SqliteTransaction transaction, long now)
        {
            _insert.Transaction = _update.Transaction = _version.Transaction = transaction;
            _insertNow.Value = _updateNow.Value = now;
        }

        public void Apply(PendingWrite write)
        {
            if (write.IsBarrier) return;
            int changed;
            if (write.ExpectedVersion is { } expected)
            {
                _updateGrain.Value = write.GrainId;
                _updateState.Value = write.StateName;
                _updatePayload.Value = (object?)write.Payload ?? DBNull.Value;
                _updateExpected.Value = expected;
                changed = _update.ExecuteNonQuery();
                write.NewVersion = expected + 1;
            }
            else
            {
                _insertGrain.Value = write.GrainId;
                _insertState.Value = write.StateName;
                _insertPayload.Value = (object?)write.Payload ?? DBNull.Value;
                changed = _insert.ExecuteNonQuery();
                write.NewVersion = 1;
            }
            write.Conflict = changed == 0;
            if (write.Conflict)
            {
                _versionGrain.Value = write.GrainId;
                _versionState.Value = write.StateName;
                write.ConflictingVersion = _version.ExecuteScalar() is long stored ? stored : null;
            }
        }

        public void Dispose()
        {
            _insert.Dispose();
            _update.Dispose();
            _version.Dispose();
            Connection.Dispose();
        }
    }

    /// <summary>A read connection with its prepared statement, pooled.</summary>
    private sealed class Reader : IDisposable
    {
        public Reader(SqliteConnection connection)
        {
            Connection = connection;
            Select = connection.CreateCommand();
            Select.CommandText = $"SELECT etag, payload FROM {TableName} WHERE grain_id = $grain AND state_name = $state";
            GrainId = Select.Parameters.Add("$grain", SqliteType.Text);
            StateName = Select.Parameters.Add("$state", SqliteType.Text);
            Select.Prepare();
        }

        public SqliteConnection Connection { get; }
        public SqliteCommand Select { get; }
        public SqliteParameter GrainId { get; }
        public SqliteParameter StateName { get; }

        public void Dispose()
        {
            Select.Dispose();
            Connection.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SQLite grain storage {Name} opened {Path} (synchronous={Synchronous})")]
    private partial void LogStarted(string name, string path, string synchronous);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQLite grain storage {Name}: a transaction of {Count} writes failed; committing them one by one")]
    private partial void LogBatchFailed(Exception exception, string name, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "SQLite grain storage {Name}: {Failure}")]
    private partial void LogBehindFailed(string name, string failure);

    [LoggerMessage(Level = LogLevel.Critical, Message = "SQLite grain storage {Name}: the writer stopped; no state can be written until the silo restarts")]
    private partial void LogWriterFailed(Exception exception, string name);
}
