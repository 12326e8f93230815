using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Warning.Analytics.TimeSeries;
using Warning.Silo.Health;
using Warning.Silo.Storage;

namespace Warning.Silo.TimeSeries;

/// <summary>
/// Sends points to InfluxDB in batches (by size and by time, gzip), retrying with backoff. Callers never wait on
/// InfluxDB: points go into a bounded in-memory queue, and past it, or while InfluxDB is unreachable, to the spill
/// folder, which is replayed oldest first once InfluxDB answers again. Nothing accepted is dropped (except points
/// InfluxDB itself refuses, which are logged and kept in the spill folder's <c>rejected</c> subfolder), and a point
/// sent twice (a batch that timed out after InfluxDB stored it) lands on the same series and timestamp, so InfluxDB keeps one.
/// Lines from the ingest log carry their entry's seq: <see cref="WrittenThrough"/> is the highest seq whose lines, and
/// those of every entry before it, are in InfluxDB or fsynced in the spill folder, so after a hard kill the feed knows
/// from where to rewrite what was still in memory.
/// </summary>
public sealed class InfluxWriter : BackgroundService
{
    public const string RawPolicy = "raw";

    /// <summary>This loop's name on <c>/readyz</c>: failing while batches cannot be written (spilled) or a step throws.</summary>
    public const string LoopName = "influxWriter";

    private readonly InfluxClient _client;
    private readonly InfluxSchema _schema;
    private readonly InfluxOptions _options;
    private readonly ILogger<InfluxWriter> _logger;
    private readonly BackgroundLoops _loops;
    private readonly Channel<Queued> _queue;
    private readonly SpillStore _spill;
    private readonly MemoryStream _body = new();
    private long _accepted, _done, _written, _rejected;
    private volatile bool _schemaReady, _stopped;
    private long _lateFromTicks = long.MaxValue, _lateToTicks = long.MinValue;
    private readonly object _pendingGate = new();
    private readonly SortedDictionary<long, int> _pending = new(); // ingest seq → its lines not yet durable
    private long _handedThrough;
    private int _failures;
    private readonly List<Queued> _draining = new();

    /// <summary>A queued line and the ingest seq it came from (0: none, e.g. snapshots and alerts).</summary>
    private readonly record struct Queued(string Line, long Seq);

    public InfluxWriter(InfluxClient client, InfluxSchema schema, IOptions<InfluxOptions> options, IOptions<StorageOptions> storage, ILogger<InfluxWriter> logger,
        BackgroundLoops? loops = null)
    {
        _client = client;
        _schema = schema;
        _options = options.Value;
        _logger = logger;
        _loops = loops ?? new BackgroundLoops(TimeProvider.System);
        _queue = Channel.CreateBounded<Queued>(new BoundedChannelOptions(Math.Max(1, _options.QueueCapacity)) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        var spillDirectory = _options.SpillDirectory is { Length: > 0 } s
            ? Path.GetFullPath(s)
            : Path.Combine(Path.GetFullPath(storage.Value.DataDirectory is { Length: > 0 } d ? d : "data"), "influx-spill");
        _spill = new SpillStore(spillDirectory, _options.BatchSize, Settle);
        _accepted = _spill.Lines; // what an earlier run left on disk is owed too
    }

    public TimePrecision Precision => _options.Precision;

    /// <summary>Lines written (or refused by InfluxDB) out of all accepted, and what waits in memory and on disk.</summary>
    public (long Accepted, long Written, long Rejected, int Queued, long Spilled) Stats =>
        (Interlocked.Read(ref _accepted), Interlocked.Read(ref _written), Interlocked.Read(ref _rejected), _queue.Reader.Count, _spill.Lines);

    public void Write(LinePoint point) => Write(point, seq: 0);

    /// <summary>The points of ingest entry <paramref name="seq"/>; call <see cref="HandedThrough"/> once its points are all in.</summary>
    public void Write(IEnumerable<LinePoint> points, long seq)
    {
        foreach (var point in points) Write(point, seq);
    }

    public void Write(LinePoint point, long seq)
    {
        // Points older than the continuous queries' resample window would never reach the rollups: remember their range.
        if (point.UnixNanoseconds is { } ns)
        {
            var ticks = DateTimeOffset.UnixEpoch.UtcTicks + ns / 100;
            if (ticks < DateTimeOffset.UtcNow.UtcTicks - LateAfter.Ticks) MarkLate(ticks, ticks);
        }
        WriteLine(point.ToLine(_options.Precision), seq);
    }

    /// <summary>The hourly continuous queries resample the last 3 hours; points older than this on arrival need a backfill.</summary>
    public static readonly TimeSpan LateAfter = TimeSpan.FromHours(2);

    /// <summary>The time range of points that reached InfluxDB too late for the continuous queries since the last call, if any.</summary>
    public (DateTimeOffset From, DateTimeOffset To)? TakeLateRange()
    {
        lock (_lateGate)
        {
            var range = PeekLateRange();
            _lateFromTicks = long.MaxValue;
            _lateToTicks = long.MinValue;
            return range;
        }
    }

    /// <summary>The range <see cref="TakeLateRange"/> would take, left in place (what <see cref="RollupRepair"/> saves).</summary>
    public (DateTimeOffset From, DateTimeOffset To)? PeekLateRange()
    {
        lock (_lateGate)
        {
            if (_lateFromTicks == long.MaxValue) return null;
            return (new DateTimeOffset(_lateFromTicks, TimeSpan.Zero), new DateTimeOffset(_lateToTicks, TimeSpan.Zero));
        }
    }

    private readonly object _lateGate = new();

    private void MarkLateLines(List<string> lines)
    {
        long min = long.MaxValue, max = long.MinValue;
        var toTicks = _options.Precision switch
        {
            TimePrecision.Nanoseconds => 0.01, TimePrecision.Microseconds => 10, TimePrecision.Milliseconds => 10_000, _ => 10_000_000,
        };
        foreach (var line in lines)
        {
            var space = line.LastIndexOf(' ');
            if (space < 0 || !long.TryParse(line.AsSpan(space + 1), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var t)) continue;
            var ticks = DateTimeOffset.UnixEpoch.UtcTicks + (long)(t * toTicks);
            min = Math.Min(min, ticks);
            max = Math.Max(max, ticks);
        }
        if (min < DateTimeOffset.UtcNow.UtcTicks - LateAfter.Ticks) MarkLate(min, max);
    }

    /// <summary>Puts a range back for the next repair (its backfill failed).</summary>
    public void MarkLate(DateTimeOffset from, DateTimeOffset to) => MarkLate(from.UtcTicks, to.UtcTicks);

    private void MarkLate(long fromTicks, long toTicks)
    {
        lock (_lateGate)
        {
            _lateFromTicks = Math.Min(_lateFromTicks, fromTicks);
            _lateToTicks = Math.Max(_lateToTicks, toTicks);
        }
    }

    public void Write(IEnumerable<LinePoint> points)
    {
        foreach (var point in points) Write(point);
    }

    /// <summary>A line already rendered at <see cref="Precision"/>; <paramref name="seq"/> is its ingest entry (0: none).</summary>
    public void WriteLine(string line, long seq = 0)
    {
        Interlocked.Increment(ref _accepted);
        if (seq > 0)
        {
            lock (_pendingGate) _pending[seq] = _pending.GetValueOrDefault(seq) + 1;
        }
        if (_stopped || !_queue.Writer.TryWrite(new Queued(line, seq))) _spill.Append(line, seq);
    }

    /// <summary>Every ingest entry up to <paramref name="seq"/> has had all its points written here (entries without points too).</summary>
    public void HandedThrough(long seq)
    {
        lock (_pendingGate) _handedThrough = Math.Max(_handedThrough, seq);
    }

    /// <summary>
    /// The highest ingest seq S such that the points of every entry up to S are in InfluxDB (or refused by it) or in a
    /// flushed spill file: handed over, and none of their lines still only in memory. Never ahead of what is durable.
    /// </summary>
    public long WrittenThrough
    {
        get
        {
            lock (_pendingGate) return _pending.Count == 0 ? _handedThrough : Math.Min(_handedThrough, _pending.Keys.First() - 1);
        }
    }

    /// <summary>Lines that reached InfluxDB or the disk: their entries no longer hold the watermark back.</summary>
    private void Settle(IEnumerable<long> seqs)
    {
        lock (_pendingGate)
        {
            foreach (var seq in seqs)
            {
                if (seq <= 0 || !_pending.TryGetValue(seq, out var left)) continue;
                if (left <= 1) _pending.Remove(seq);
                else _pending[seq] = left - 1;
            }
        }
    }

    private void Settle(List<Queued> batch) => Settle(batch.Select(q => q.Seq));

    /// <summary>A batch written whole to the spill folder (fsynced) is as good as written for the watermark.</summary>
    private void SpillBatch(List<Queued> batch)
    {
        if (batch.Count == 0) return;
        _spill.WriteBatch(batch.ConvertAll(q => q.Line));
        Settle(batch);
    }

    /// <summary>Waits until everything accepted before the call is in InfluxDB (or refused by it); false on timeout.</summary>
    public async Task<bool> FlushAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var target = Interlocked.Read(ref _accepted);
        var until = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Interlocked.Read(ref _done) < target)
        {
            if (Stopwatch.GetTimestamp() > until) return false;
            await Task.Delay(10, ct);
        }
        return true;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // A short chance to send what is queued; whatever is left then goes to the spill folder for the next start.
        if (_schemaReady) await FlushAsync(TimeSpan.FromSeconds(2), cancellationToken);
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        var batch = new List<Queued>(_options.BatchSize);
        _loops.Register(LoopName);
        if (!_spill.IsEmpty) _logger.LogInformation("Replaying {Lines} spilled lines to InfluxDB", _spill.Lines);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    await StepAsync(batch, ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    // Anything unforeseen (a full disk under the spill folder, a bug): the batch is kept and tried again
                    // after a pause; a writer that stopped here would leave every later point in memory until a restart.
                    _loops.Failed(LoopName, ex.Message);
                    _logger.LogError(ex, "Background loop {Loop} failed: {Error}", LoopName, ex.Message);
                    await Task.Delay(Backoff(_failures++), ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            _stopped = true;
            SpillBatch(batch);
            DrainQueueToSpill();
            _spill.Dispose();
            if (_spill.Lines > 0) _logger.LogInformation("Stopped with {Lines} lines in the spill folder; they are sent on the next start", _spill.Lines);
        }
    }

    /// <summary>One spilled file replayed, or one batch sent (or spilled after its retries).</summary>
    private async Task StepAsync(List<Queued> batch, CancellationToken ct)
    {
        if (!_spill.IsEmpty)
        {
            string? error = "schema not created";
            if (await EnsureSchemaAsync(ct) && _spill.TryPeekOldest(out var number, out var lines))
            {
                WriteOutcome outcome;
                (outcome, error) = await PostAsync(lines, ct);
                if (outcome == WriteOutcome.Written)
                {
                    // Points parked during an outage may be older than the CQ window by now: have the rollups redone over them.
                    MarkLateLines(lines);
                    _spill.Remove(number);
                    _loops.Succeeded(LoopName);
                    Completed(lines.Count, written: true);
                    if (_failures > 0) _logger.LogInformation("InfluxDB answers again; replaying the spill folder ({Lines} lines left)", _spill.Lines);
                    _failures = 0;
                    return;
                }
                if (outcome == WriteOutcome.Rejected)
                {
                    _logger.LogError("InfluxDB refused spilled file {File} ({Lines} lines): {Error}; moved to rejected/", number, lines.Count, error);
                    _spill.Reject(number);
                    _loops.Succeeded(LoopName); // InfluxDB answered; the refusal is the error above
                    Completed(lines.Count, written: false);
                    return;
                }
            }
            // Still unreachable: new points join the spill behind the old ones, so replay keeps arrival order.
            _loops.Failed(LoopName, $"InfluxDB unreachable, {_spill.Lines} lines waiting in the spill folder: {error}");
            DrainQueueToSpill();
            await Task.Delay(Backoff(_failures++), ct);
            return;
        }

        // A batch left by a failed step is sent before anything new is read.
        if (batch.Count == 0) await ReadBatchAsync(batch, ct);
        if (batch.Count == 0) return;
        var sent = false;
        string? lastError = null;
        for (var attempt = 0; attempt < Math.Max(1, _options.MaxRetries) && !sent; attempt++)
        {
            var (outcome, error) = await EnsureSchemaAsync(ct) ? await PostAsync(batch.Select(q => q.Line), ct) : (WriteOutcome.Retry, "schema not created");
            switch (outcome)
            {
                case WriteOutcome.Written:
                    _loops.Succeeded(LoopName);
                    Completed(batch.Count, written: true);
                    Settle(batch);
                    _failures = 0;
                    sent = true;
                    break;
                case WriteOutcome.Rejected:
                    // 1.x stores the valid points of a batch and names the bad ones; those cannot succeed on retry.
                    _logger.LogError("InfluxDB refused part of a batch of {Lines} lines: {Error}", batch.Count, error);
                    _loops.Succeeded(LoopName); // InfluxDB answered; the refusal is the error above
                    Completed(batch.Count, written: false);
                    Settle(batch); // retrying cannot help; the error above is the record
                    sent = true;
                    break;
                default:
                    lastError = error;
                    _logger.LogWarning("InfluxDB write failed (attempt {Attempt}): {Error}", attempt + 1, error);
                    if (attempt + 1 < _options.MaxRetries) await Task.Delay(Backoff(attempt), ct);
                    break;
            }
        }
        if (!sent)
        {
            SpillBatch(batch);
            _loops.Failed(LoopName, $"InfluxDB unreachable, {_spill.Lines} lines waiting in the spill folder: {lastError}");
            _logger.LogWarning("InfluxDB unreachable: spilled {Lines} lines to disk ({Spilled} waiting)", batch.Count, _spill.Lines);
            _failures = 1;
        }
        batch.Clear();
    }

    private async Task<bool> EnsureSchemaAsync(CancellationToken ct)
    {
        if (_schemaReady) return true;
        try
        {
            await _schema.EnsureAsync(ct);
            _schemaReady = true;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InfluxQueryException && !ct.IsCancellationRequested)
        {
            _logger.LogWarning("InfluxDB schema not created yet: {Error}", ex.Message);
        }
        return _schemaReady;
    }

    private async Task ReadBatchAsync(List<Queued> batch, CancellationToken ct)
    {
        if (!await _queue.Reader.WaitToReadAsync(ct)) return;
        var deadline = Stopwatch.GetTimestamp() + (long)(_options.FlushInterval.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            while (batch.Count < _options.BatchSize && _queue.Reader.TryRead(out var line)) batch.Add(line);
            if (batch.Count >= _options.BatchSize) return;
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (left <= TimeSpan.Zero) return;
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(left);
            try
            {
                if (!await _queue.Reader.WaitToReadAsync(wait.Token)) return;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task<(WriteOutcome, string?)> PostAsync(IEnumerable<string> lines, CancellationToken ct)
    {
        _body.SetLength(0);
        Stream target = _options.UseGzip ? new GZipStream(_body, CompressionLevel.Fastest, leaveOpen: true) : _body;
        using (var text = new StreamWriter(target, Utf8, 1 << 16, leaveOpen: !_options.UseGzip))
        {
            foreach (var line in lines)
            {
                text.Write(line);
                text.Write('\n');
            }
        }
        var result = await _client.WriteAsync(_body.GetBuffer().AsMemory(0, (int)_body.Length), _options.UseGzip, RawPolicy, _options.Precision, ct);
        if (result.Outcome == WriteOutcome.Retry && result.Error?.StartsWith("404", StringComparison.Ordinal) == true) _schemaReady = false;
        return result;
    }

    private void DrainQueueToSpill()
    {
        // Lines taken off the queue stay in _draining until they are on disk: a spill that fails (a full disk) keeps them for the next try.
        while (_queue.Reader.TryRead(out var line))
        {
            _draining.Add(line);
            if (_draining.Count < _options.BatchSize) continue;
            SpillBatch(_draining);
            _draining.Clear();
        }
        SpillBatch(_draining);
        _draining.Clear();
    }

    private void Completed(int lines, bool written)
    {
        if (written) Interlocked.Add(ref _written, lines);
        else Interlocked.Add(ref _rejected, lines);
        Interlocked.Add(ref _done, lines);
    }

    private TimeSpan Backoff(int attempt)
    {
        var delay = _options.RetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20));
        delay = Math.Min(delay, _options.MaxRetryDelay.TotalMilliseconds) * (0.8 + 0.4 * Random.Shared.NextDouble());
        return TimeSpan.FromMilliseconds(delay);
    }

    private static readonly UTF8Encoding Utf8 = new(false);

    public override void Dispose()
    {
        base.Dispose();
        _body.Dispose();
    }
}
