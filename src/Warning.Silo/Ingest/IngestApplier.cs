using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Areas;
using Warning.Silo.Health;
using Warning.Silo.Cases;
using Orleans;
using Orleans.Providers;
using Orleans.Storage;
using Warning.Silo.Persons;
using Warning.Silo.Risk;
using Warning.Silo.Storage;

namespace Warning.Silo.Ingest;

public sealed class ApplierOptions
{
    public const string Section = "Applier";

    /// <summary>How often changed grain states are written and then the applied log position (the checkpoint).</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Grain flushes in flight at once during a checkpoint.</summary>
    public int FlushConcurrency { get; set; } = 512;

    /// <summary>While appends are waiting, pause before a segment for as long as the last one took (intake first).</summary>
    public bool YieldToIntake { get; set; } = true;

    /// <summary>Reports, incidents and rounds applied together: their areas get one call per segment.</summary>
    public int SegmentSize { get; set; } = 1000;

    /// <summary>Cases of a segment applied side by side. More replays faster but takes CPU from intake on a small machine (bench/compare.sh): 4 kept replay above 2,000 entries/s.</summary>
    public int CaseConcurrency { get; set; } = 4;

    /// <summary>
    /// Grain flushes a checkpoint makes between two batches of entries; the slices are spread over half of
    /// <see cref="CheckpointInterval"/>. A checkpoint under 1,000 reports/s writes about 7,000 states, which held the applier
    /// 250-520 ms in one go (bench/alerts.sh); written behind in slices of 250 it holds it about 8 ms at a time.
    /// </summary>
    public int CheckpointSlice { get; set; } = 250;

    /// <summary>A segment or checkpoint slower than this is logged with where its time went: it holds up every alert behind it.</summary>
    public TimeSpan SlowLog { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// With at least this many log entries still to apply behind a segment (a bulk load, a replay), the segment is a pass
    /// (<see cref="LeafPassing"/>): the cases, grids and key individuals it wakes leave after <see cref="LeafLinger"/>.
    /// Re-score ticks always are. Live traffic, which is never this far behind, keeps its leaves for Orleans' idle timeout.
    /// </summary>
    public int PassingBacklog { get; set; } = 5000;

    /// <summary>How long a leaf woken by a pass stays; null: leaves stay for Orleans' idle timeout, as any grain.</summary>
    public TimeSpan? LeafLinger { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Committed entries held in memory for the applier. Beyond this many the applier reads them back from the log as it
    /// gets to them: a burst accepted faster than it is applied waits on disk, not in the heap (a province's 200,000-report
    /// burst left about 150,000 parsed reports waiting, bench/province.sh).
    /// </summary>
    public int BufferedEntries { get; set; } = 20_000;
}

/// <summary>
/// Feeds the ingest log, in order, into the grains: case → grid → village → township → county → city. On start it
/// replays what the last checkpoint had not covered; grains skip seqs they already hold, so replay never counts twice.
/// Each grain persists on its own (<see cref="LogAppliedGrain{TState}"/>): a checkpoint first flushes every grain changed
/// so far and only then records the applied position, so the checkpoint never passes a change that is not durable.
/// </summary>
public sealed class IngestApplier : BackgroundService
{
    private readonly IngestLog _log;
    private readonly IGrainFactory _grains;
    private readonly DirtyGrains _dirty;
    private readonly BackgroundLoops _loops;
    private readonly Checkpoints _checkpoints;
    private readonly AreaHierarchy _hierarchy;
    private readonly IOptions<ApplierOptions> _options;
    private readonly ILogger<IngestApplier> _logger;
    private readonly Channel<Committed> _committed = Channel.CreateUnbounded<Committed>(new() { SingleReader = true });
    // Entries waiting in _committed (a single-reader channel cannot count).
    private long _buffered;
    private long _readBack;

    /// <summary>Committed entries as they came, or (past <see cref="ApplierOptions.BufferedEntries"/>) only how far the log now goes.</summary>
    private sealed record Committed(IReadOnlyList<IngestEntry>? Entries, long UpTo);
    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Action<IReadOnlyList<IngestEntry>>> _subscribers = new();
    private readonly object _appliedGate = new();
    private readonly List<(long Seq, TaskCompletionSource Done)> _waiters = new();
    private readonly SemaphoreSlim _checkpointing = new(1, 1);
    private long _appliedSeq;
    private long _checkpointSeq;
    private bool _checkpointHeld;
    private TimeSpan _lastSegmentTime;
    private readonly bool _clusterMode;
    private readonly bool _alertsEnabled;
    // The grains' storage, when it writes behind (SQLite): a checkpoint waits for its queue before it moves.
    private readonly Lazy<SqliteGrainStorage?> _storage;

    /// <summary>The checkpoint's name on <c>/readyz</c>.</summary>
    public const string CheckpointLoop = "ingestCheckpoint";

    public IngestApplier(IngestLog log, IGrainFactory grains, DirtyGrains dirty, Checkpoints checkpoints, AreaHierarchy hierarchy,
        BackgroundLoops loops, IServiceProvider services, IOptions<ApplierOptions> options, IOptions<Cluster.ClusterModeOptions> cluster, IOptions<Alerts.AlertsOptions> alerts, ILogger<IngestApplier> logger)
    {
        _alertsEnabled = alerts.Value.Enabled;
        _clusterMode = cluster.Value.Enabled;
        _loops = loops;
        loops.Register(CheckpointLoop);
        _log = log;
        _grains = grains;
        _dirty = dirty;
        _checkpoints = checkpoints;
        _hierarchy = hierarchy;
        _options = options;
        _logger = logger;
        // Resolved late: the silo builds its storage providers after the host's services.
        _storage = new(() => services.GetKeyedService<IGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME) as SqliteGrainStorage);
        // Cluster mode reads the shared log by partition instead; nothing would drain this channel.
        if (!_clusterMode) _log.Subscribe(Buffer);
    }

    private void Buffer(IReadOnlyList<IngestEntry> entries)
    {
        if (entries.Count == 0) return;
        if (Interlocked.Read(ref _buffered) >= _options.Value.BufferedEntries)
        {
            _committed.Writer.TryWrite(new Committed(null, entries[^1].Seq));
            return;
        }
        Interlocked.Add(ref _buffered, entries.Count);
        _committed.Writer.TryWrite(new Committed(entries, entries[^1].Seq));
    }

    /// <summary>Completes once everything in the log at start has been replayed into the grains.</summary>
    public Task CaughtUp => _caughtUp.Task;

    public long AppliedSeq => Interlocked.Read(ref _appliedSeq);

    /// <summary>Committed entries read back from the log because the buffer was full when they came (<see cref="ApplierOptions.BufferedEntries"/>).</summary>
    public long ReadBackEntries => Interlocked.Read(ref _readBack);

    /// <summary>Called after each applied group of entries, for live pushes and time series.</summary>
    public void Subscribe(Action<IReadOnlyList<IngestEntry>> onApplied)
    {
        lock (_subscribers) _subscribers.Add(onApplied);
    }

    /// <summary>Waits until the grains hold every entry up to <paramref name="seq"/> (read-your-writes for callers).</summary>
    public Task WaitForAppliedAsync(long seq, CancellationToken cancellationToken = default)
    {
        lock (_appliedGate)
        {
            if (_appliedSeq >= seq) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((seq, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_clusterMode)
        {
            // The log is applied by the owners of its partitions (Cluster/PartitionApplier), wherever Orleans keeps them;
            // this node only relays what its owners applied to its subscribers.
            _caughtUp.TrySetResult();
            return;
        }
        var checkpoint = await _checkpoints.ReadCheckpointAsync();
        _appliedSeq = _checkpointSeq = checkpoint;
        var target = _log.LastSeq;
        var started = System.Diagnostics.Stopwatch.StartNew();
        _logger.LogInformation("Replaying ingest log from checkpoint {Checkpoint} to {Target}", checkpoint, target);
        var replayed = await ApplyFromLogAsync(target, (done, chunk) =>
        {
            if (done % 50_000 < chunk)
                _logger.LogInformation("Replay progress {Applied}/{Target} ({Rate:F0} entries/s)", _appliedSeq, target, done / Math.Max(0.001, started.Elapsed.TotalSeconds));
        }, stoppingToken);
        _logger.LogInformation("Replayed {Entries} entries in {Elapsed:F1}s", replayed, started.Elapsed.TotalSeconds);
        _caughtUp.TrySetResult();

        using var checkpoints = new PeriodicTimer(_options.Value.CheckpointInterval);
        var checkpointTick = checkpoints.WaitForNextTickAsync(stoppingToken).AsTask();
        var next = _committed.Reader.WaitToReadAsync(stoppingToken).AsTask();
        // Once the tick came: the checkpoint's turn, which the last one may still hold while its writes commit.
        Task? checkpointTurn = null;
        CheckpointRun? run = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // The tick first: under steady ingest the next entries are always ready too, and waiting for whichever
                // comes first would pick them every time, so the checkpoint (and the replay after a crash) would never move.
                if (run is null && checkpointTick.IsCompleted)
                {
                    checkpointTurn ??= _checkpointing.WaitAsync(stoppingToken);
                    if (checkpointTurn.IsCompletedSuccessfully)
                    {
                        checkpointTurn = null;
                        run = BeginCheckpoint();
                        checkpointTick = checkpoints.WaitForNextTickAsync(stoppingToken).AsTask();
                    }
                }
                if (run is not null && run.NextSliceIn() is { } wait && wait > TimeSpan.Zero)
                {
                    // Between two slices: entries as they come, else the next slice when its time comes.
                    if (await Task.WhenAny(next, Task.Delay(wait, stoppingToken)) != next) continue;
                }
                else if (run is not null)
                {
                    // A slice of the checkpoint, then whatever entries are ready, and so on: no alert waits behind a whole
                    // checkpoint. A slice runs in front of the applying, never beside it: flushes alongside queued with the
                    // applier's calls on the same area grains and took longer (tried; bench/alerts.txt). It only queues
                    // the states (written behind); their commits and the position are waited for beside the applying.
                    // The slices are spread over half the interval: thousands of states serialized and committed in one
                    // burst took the two cores from the applying at once, and the alerts behind it waited.
                    await FlushAsync(run, _options.Value.CheckpointSlice);
                    run.Pace(_options.Value.CheckpointInterval / 2, _options.Value.CheckpointSlice);
                    if (run.Done)
                    {
                        var finished = run;
                        run = null;
                        _ = CompleteBesideAsync(finished);
                    }
                    if (!next.IsCompleted) continue;
                }
                else if (await Task.WhenAny(next, checkpointTurn ?? checkpointTick) != next) continue;
                if (!await next) break;
                while (_committed.Reader.TryRead(out var committed))
                {
                    if (committed.Entries is { } entries)
                    {
                        Interlocked.Add(ref _buffered, -entries.Count);
                        // Entries committed while we replayed are already applied.
                        var fresh = entries.Where(e => e.Seq > _appliedSeq).ToList();
                        if (fresh.Count > 0) await ApplyAsync(fresh);
                    }
                    else
                    {
                        // Left on disk while the buffer was full: read back as a replay does.
                        await ApplyFromLogAsync(committed.UpTo, (_, chunk) => Interlocked.Add(ref _readBack, chunk), stoppingToken);
                    }
                }
                next = _committed.Reader.WaitToReadAsync(stoppingToken).AsTask();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // A turn taken but not used is given back, or the stop's own checkpoint would wait for it forever.
            if (checkpointTurn is { IsCompletedSuccessfully: true }) _checkpointing.Release();
            if (run is not null)
            {
                // Stopping mid-checkpoint: it is finished as it would have been in one go (the stop's own checkpoint follows).
                try
                {
                    await FlushAsync(run, int.MaxValue);
                    await CompleteAsync(run);
                }
                finally { _checkpointing.Release(); }
            }
        }
    }

    /// <summary>Applies the log after the applied position up to <paramref name="upTo"/>, read from the log a chunk at a time.</summary>
    /// <param name="progress">After each chunk: entries applied so far, and in that chunk.</param>
    private async Task<long> ApplyFromLogAsync(long upTo, Action<long, int> progress, CancellationToken ct)
    {
        long applied = 0;
        while (_appliedSeq < upTo && !ct.IsCancellationRequested)
        {
            var chunk = _log.ReadAfter(_appliedSeq, (int)Math.Min(5000, upTo - _appliedSeq)).ToList();
            if (chunk.Count == 0) break;
            await ApplyAsync(chunk);
            applied += chunk.Count;
            progress(applied, chunk.Count);
        }
        return applied;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // Cluster mode: grains write through and each partition owner records its own position.
        if (!_clusterMode) await CheckpointAsync();
    }

    /// <summary>The applied position last recorded: a restart replays the log after it.</summary>
    public long CheckpointSeq => Interlocked.Read(ref _checkpointSeq);

    /// <summary>
    /// Writes every grain changed so far, then records the applied position. The position is read first: every grain
    /// call for an entry up to it has returned, so every grain it changed is in the set taken next. A grain whose write
    /// fails stays in the set and the checkpoint stays where it was.
    /// </summary>
    public async Task CheckpointAsync()
    {
        await _checkpointing.WaitAsync();
        try
        {
            var run = BeginCheckpoint();
            await FlushAsync(run, int.MaxValue);
            await CompleteAsync(run);
        }
        finally
        {
            _checkpointing.Release();
        }
    }

    /// <summary>
    /// One checkpoint, possibly in slices: the position, the grains changed up to it, how far their flushing got. A grain
    /// changed again before its turn in the run is written with that change (its state only moves ahead of the position);
    /// one changed after its turn registers again for the next checkpoint.
    /// </summary>
    private sealed class CheckpointRun(long applied, KeyValuePair<global::Orleans.Runtime.GrainId, ILogAppliedGrain>[] grains)
    {
        public long Applied { get; } = applied;
        public KeyValuePair<global::Orleans.Runtime.GrainId, ILogAppliedGrain>[] Grains { get; } = grains;
        public int Flushed { get; set; }
        public int Slices { get; set; }
        public TimeSpan InFront { get; set; }
        public bool Done => Flushed >= Grains.Length;
        public System.Collections.Concurrent.ConcurrentBag<KeyValuePair<global::Orleans.Runtime.GrainId, ILogAppliedGrain>> Failed { get; } = new();
        public Exception? FirstError { get; set; }
        public long Started { get; } = System.Diagnostics.Stopwatch.GetTimestamp();
        public TimeSpan GcBefore { get; } = GC.GetTotalPauseDuration();
        private long _nextSlice;

        /// <summary>Sets the next slice's time so that the slices left end within <paramref name="spread"/> of the start.</summary>
        public void Pace(TimeSpan spread, int slice)
        {
            var slices = Math.Max(1, (Grains.Length + slice - 1) / slice);
            _nextSlice = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(spread.TotalSeconds / slices * System.Diagnostics.Stopwatch.Frequency);
        }

        /// <summary>How long until the next slice is due (zero or less: now).</summary>
        public TimeSpan NextSliceIn() => TimeSpan.FromSeconds((double)(_nextSlice - System.Diagnostics.Stopwatch.GetTimestamp()) / System.Diagnostics.Stopwatch.Frequency);
    }

    private CheckpointRun BeginCheckpoint() => new(AppliedSeq, _dirty.TakeAll().ToArray());

    private async Task FlushAsync(CheckpointRun run, int max)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var slice = new ArraySegment<KeyValuePair<global::Orleans.Runtime.GrainId, ILogAppliedGrain>>(run.Grains, run.Flushed, Math.Min(max, run.Grains.Length - run.Flushed));
        run.Flushed += slice.Count;
        run.Slices++;
        await Parallel.ForEachAsync(slice, new ParallelOptions { MaxDegreeOfParallelism = _options.Value.FlushConcurrency }, async (grain, _) =>
        {
            try { await grain.Value.Flush(); }
            catch (Exception ex)
            {
                run.FirstError ??= ex;
                run.Failed.Add(grain);
            }
        });
        run.InFront += System.Diagnostics.Stopwatch.GetElapsedTime(started);
    }

    private async Task CompleteBesideAsync(CheckpointRun run)
    {
        try { await CompleteAsync(run); }
        catch (Exception ex)
        {
            _loops.Failed(CheckpointLoop, ex.Message);
            _logger.LogError(ex, "Checkpoint at {Seq} failed", run.Applied);
        }
        finally { _checkpointing.Release(); }
    }

    private async Task CompleteAsync(CheckpointRun run)
    {
        // The flushes only queued the states; the position may pass them once they are on disk.
        if (_storage.Value is { } storage)
        {
            await storage.WhenWrittenAsync();
            if (storage.WriteBehindFailure is { } failure && !_checkpointHeld)
            {
                _checkpointHeld = true;
                _loops.Failed(CheckpointLoop, $"{failure}; the checkpoint stays at {CheckpointSeq} until a restart replays from it");
                _logger.LogError("Checkpoint held at {Checkpoint}: {Failure}", CheckpointSeq, failure);
            }
        }
        if (!run.Failed.IsEmpty)
        {
            // A failed write may have cost the grain its activation (Orleans deactivates on an ETag conflict) and
            // with it the changes it held; a later flush of a fresh activation would find nothing to write. So the
            // checkpoint stays where it is until a restart replays the log from it.
            _dirty.Return(run.Failed);
            _checkpointHeld = true;
            _loops.Failed(CheckpointLoop, $"{run.Failed.Count} grain states could not be written ({run.FirstError?.Message}); the checkpoint stays at {CheckpointSeq} until a restart replays from it");
            _logger.LogError(run.FirstError, "Checkpoint held at {Checkpoint}: {Failed} of {Grains} grain states could not be written", CheckpointSeq, run.Failed.Count, run.Grains.Length);
            return;
        }
        if (_dirty.LostWrite is { } lost && !_checkpointHeld)
        {
            _checkpointHeld = true;
            _loops.Failed(CheckpointLoop, $"a grain deactivated without writing its state ({lost}); the checkpoint stays at {CheckpointSeq} until a restart replays from it");
            _logger.LogError("Checkpoint held at {Checkpoint}: a grain deactivated without writing its state ({Grain})", CheckpointSeq, lost);
        }
        if (_checkpointHeld) return;
        if (run.Applied > CheckpointSeq)
        {
            await ListAlertsDurablyAsync();
            await _checkpoints.WriteCheckpointAsync(Checkpoints.Ingest, run.Applied);
            Interlocked.Exchange(ref _checkpointSeq, run.Applied);
        }
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(run.Started);
        if (run.InFront > _options.Value.SlowLog)
            _logger.LogInformation("Slow checkpoint at {Seq}: {Grains} grain states written in {Slices} slices, {InFrontMs:F0} ms in front of applying over {ElapsedMs:F0} ms (GC pauses {GcMs:F0})",
                run.Applied, run.Grains.Length, run.Slices, run.InFront.TotalMilliseconds, elapsed.TotalMilliseconds, (GC.GetTotalPauseDuration() - run.GcBefore).TotalMilliseconds);
        else if (run.Grains.Length > 0) _logger.LogDebug("Checkpoint at {Seq}: {Grains} grain states written in {Slices} slices", run.Applied, run.Grains.Length, run.Slices);
    }

    /// <summary>
    /// Before a checkpoint passes entries, the alerts they raised are listed for good: the board writes the ids it added
    /// (nothing when it added none). A replay would raise them again, but only from the checkpoint on.
    /// </summary>
    public async Task ListAlertsDurablyAsync()
    {
        if (_alertsEnabled) await _grains.GetGrain<Alerts.IAlertBoardGrain>(Alerts.IAlertBoardGrain.Key).Flush();
    }

    /// <summary>
    /// Cluster mode: a partition's owner applies its entries here (<see cref="Cluster.PartitionApplier"/>). A grain call
    /// that fails is not passed over as in embedded mode: in a cluster it is mostly a node dying or PostgreSQL away, so the
    /// exception goes to the owner, which applies the same entries again once it can (grains skip what they hold).
    /// </summary>
    internal Task ApplyOwnedAsync(IReadOnlyList<IngestEntry> entries) => ApplyAsync(entries, retryFailures: true);

    private async Task ApplyAsync(IReadOnlyList<IngestEntry> entries, bool retryFailures = false)
    {
        // Reports, incidents and rounds go in segments (AreaBatch); a key individual's registration and a re-score tick
        // are barriers: cases scored after them must see them.
        var segment = new List<IngestEntry>();
        foreach (var entry in entries)
        {
            if (entry.Kind is IngestKind.Report or IngestKind.Incident or IngestKind.Screening)
            {
                segment.Add(entry);
                if (segment.Count < _options.Value.SegmentSize) continue;
            }
            if (segment.Count > 0)
            {
                await LeafPassing.RunAsync(PassingAt(segment[^1].Seq), () => ApplySegmentAsync(segment, retryFailures));
                MarkApplied(segment[^1].Seq);
                segment.Clear();
            }
            if (entry.Kind is IngestKind.Report or IngestKind.Incident or IngestKind.Screening) continue;
            try
            {
                await LeafPassing.RunAsync(entry.Kind == IngestKind.Rescore ? _options.Value.LeafLinger : PassingAt(entry.Seq), () => ApplyAsync(entry));
            }
            catch (Exception ex) when (!retryFailures)
            {
                // An entry the grains can't take must not stop the ones after it; it stays in the log for a fix and replay.
                _logger.LogError(ex, "Applying {Kind} {ItemId} (seq {Seq}) failed", entry.Kind, entry.ItemId, entry.Seq);
            }
            MarkApplied(entry.Seq);
        }
        if (segment.Count > 0)
        {
            await LeafPassing.RunAsync(PassingAt(segment[^1].Seq), () => ApplySegmentAsync(segment, retryFailures));
            MarkApplied(segment[^1].Seq);
        }

        Action<IReadOnlyList<IngestEntry>>[] subscribers;
        lock (_subscribers) subscribers = _subscribers.ToArray();
        foreach (var subscriber in subscribers)
        {
            try { subscriber(entries); }
            catch (Exception ex) { _logger.LogError(ex, "Applied-entries subscriber failed"); }
        }
    }

    private void MarkApplied(long seq)
    {
        lock (_appliedGate)
        {
            // Partition owners apply side by side in cluster mode: the highest seq applied here.
            if (seq > _appliedSeq) _appliedSeq = seq;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Seq > seq) continue;
                _waiters[i].Done.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }

    /// <summary>
    /// Applies reports, incidents and screening rounds in two steps. First the cases: each case's entries in log order,
    /// different cases side by side. Then every area and person gets what the segment changed below it as one call, in
    /// log order, so a city grain takes one call per segment instead of one per report; each update still carries its
    /// seq and is applied at most once.
    /// </summary>
    private async Task ApplySegmentAsync(IReadOnlyList<IngestEntry> segment, bool retryFailures)
    {
        var waited = System.Diagnostics.Stopwatch.GetTimestamp();
        var gcBefore = GC.GetTotalPauseDuration();
        await YieldToIntakeAsync();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var phases = new SegmentPhases();
        try
        {
            await ApplySegmentCoreAsync(segment, retryFailures, phases);
        }
        finally
        {
            _lastSegmentTime = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            var total = System.Diagnostics.Stopwatch.GetElapsedTime(waited);
            if (total > _options.Value.SlowLog)
                _logger.LogInformation("Slow segment: {Entries} entries in {TotalMs:F0} ms (yield to intake {YieldMs:F0}, cases {CasesMs:F0}, areas and persons {AreasMs:F0}, feed watches {WatchesMs:F0}, GC pauses {GcMs:F0})",
                    segment.Count, total.TotalMilliseconds, (total - _lastSegmentTime).TotalMilliseconds, phases.Cases.TotalMilliseconds, phases.Areas.TotalMilliseconds,
                    phases.Watches.TotalMilliseconds, (GC.GetTotalPauseDuration() - gcBefore).TotalMilliseconds);
        }
    }

    private sealed class SegmentPhases
    {
        public TimeSpan Cases, Areas, Watches;
    }

    /// <summary>
    /// A 202 is the promise (accepted means durable); applying can wait a moment. While appends queue up, the applier
    /// gives intake as much time again as its last segment took, so on a small machine the two share the CPU instead
    /// of the applier's parallel grain calls crowding out the requests. It never waits longer than that, so it keeps
    /// up with any load the node can accept, at half speed at worst.
    /// </summary>
    private async Task YieldToIntakeAsync()
    {
        if (_options.Value.YieldToIntake is false || _log.PendingAppends == 0) return;
        var until = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(_lastSegmentTime.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        while (_log.PendingAppends > 0 && System.Diagnostics.Stopwatch.GetTimestamp() < until) await Task.Delay(1);
    }

    private async Task ApplySegmentCoreAsync(IReadOnlyList<IngestEntry> segment, bool retryFailures, SegmentPhases phases)
    {
        var mark = System.Diagnostics.Stopwatch.GetTimestamp();
        var records = segment.Select(ReadRecord).ToArray();
        var changes = new CaseChange?[segment.Count];
        var risks = new CaseRiskChange?[segment.Count];
        var byCase = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < segment.Count; i++)
        {
            var caseId = records[i] switch { ScreeningReport r => r.CaseId, Incident n => n.CaseId, _ => null };
            if (caseId is null) continue;
            if (!byCase.TryGetValue(caseId, out var list)) byCase[caseId] = list = new List<int>();
            list.Add(i);
        }
        await Parallel.ForEachAsync(byCase, new ParallelOptions { MaxDegreeOfParallelism = _options.Value.CaseConcurrency }, async (group, _) =>
        {
            var grain = _grains.GetGrain<ICaseGrain>(group.Key);
            foreach (var i in group.Value)
            {
                try
                {
                    if (records[i] is ScreeningReport report) changes[i] = await grain.ApplyReport(segment[i].Position, report);
                    else if (records[i] is Incident incident) risks[i] = await grain.LinkIncident(segment[i].Position, incident);
                }
                catch (Exception ex) when (!retryFailures)
                {
                    _logger.LogError(ex, "Applying {Kind} {ItemId} (seq {Seq}) to case {CaseId} failed", segment[i].Kind, segment[i].ItemId, segment[i].Seq, group.Key);
                }
            }
        });
        phases.Cases = System.Diagnostics.Stopwatch.GetElapsedTime(mark);
        mark = System.Diagnostics.Stopwatch.GetTimestamp();

        var areas = new Dictionary<string, (Area Area, List<AreaUpdate> Updates)>(StringComparer.Ordinal);
        var persons = new Dictionary<string, List<PersonUpdate>>(StringComparer.Ordinal);
        void ToAreas(string gridId, AreaUpdate update)
        {
            foreach (var area in PathOf(gridId))
            {
                if (!areas.TryGetValue(area.Id, out var entry)) areas[area.Id] = entry = (area, new List<AreaUpdate>());
                entry.Updates.Add(update);
            }
        }
        void ToPerson(string personId, PersonUpdate update)
        {
            if (!persons.TryGetValue(personId, out var list)) persons[personId] = list = new List<PersonUpdate>();
            list.Add(update);
        }
        for (var i = 0; i < segment.Count; i++)
        {
            // Grains keep what they applied by position, so each partition's replay is skipped on its own (LogPosition).
            var seq = segment[i].Position;
            switch (records[i])
            {
                case ScreeningReport report when changes[i] is { } change:
                    ToAreas(change.GridId, new AreaUpdate(seq) { Change = change });
                    foreach (var p in report.PersonIds) ToPerson(p, new PersonUpdate(seq) { LinkedCaseId = change.CaseId });
                    break;
                case Incident incident:
                    ToAreas(incident.GridId, new AreaUpdate(seq) { Incident = incident });
                    // The case's own grid path, which is where its score is rolled up (an incident may be filed under another grid).
                    if (risks[i] is { } risk) ToAreas(risk.GridId, new AreaUpdate(seq) { Risk = risk });
                    foreach (var p in incident.PersonIds) ToPerson(p, new PersonUpdate(seq) { Incident = incident });
                    break;
                case ScreeningRound round:
                    ToAreas(round.GridId, new AreaUpdate(seq) { Screening = round });
                    break;
            }
        }
        var calls = areas.Values.Select(async a =>
        {
            try { await _grains.For(a.Area).Apply(a.Updates); }
            catch (Exception ex) when (!retryFailures) { _logger.LogError(ex, "Applying {Updates} updates (seq {From}–{To}) to area {AreaId} failed", a.Updates.Count, a.Updates[0].Seq, a.Updates[^1].Seq, a.Area.Id); }
        }).Concat(persons.Select(async p =>
        {
            try { await _grains.GetGrain<IPersonGrain>(p.Key).Apply(p.Value); }
            catch (Exception ex) when (!retryFailures) { _logger.LogError(ex, "Applying {Updates} updates to key individual {PersonId} failed", p.Value.Count, p.Key); }
        }));
        await Task.WhenAll(calls);
        phases.Areas = System.Diagnostics.Stopwatch.GetElapsedTime(mark);
        mark = System.Diagnostics.Stopwatch.GetTimestamp();
        await Alerts.FeedWatchGrain.HeardAsync(_grains, records.OfType<Incident>().Select(i => i.Source), _logger);
        phases.Watches = System.Diagnostics.Stopwatch.GetElapsedTime(mark);
    }

    /// <summary>The entry's record, or null (logged) when its payload cannot be read: one bad entry must not stop the ones after it.</summary>
    private object? ReadRecord(IngestEntry entry)
    {
        try
        {
            return Record(entry);
        }
        catch (JsonException ex)
        {
            _logger.LogError(ex, "Applying {Kind} {ItemId} (seq {Seq}) failed: its payload cannot be read", entry.Kind, entry.ItemId, entry.Seq);
            return null;
        }
    }

    private static object? Record(IngestEntry entry) => entry.Record ?? entry.Kind switch
    {
        IngestKind.Report => JsonSerializer.Deserialize<ScreeningReport>(entry.Payload, WarningJson.Options),
        IngestKind.Incident => JsonSerializer.Deserialize<Incident>(entry.Payload, WarningJson.Options),
        IngestKind.Screening => JsonSerializer.Deserialize<ScreeningRound>(entry.Payload, WarningJson.Options),
        _ => null,
    };

    private async Task ApplyAsync(IngestEntry entry)
    {
        switch (entry.Kind)
        {
            case IngestKind.Report:
            {
                var report = entry.Record as ScreeningReport ?? JsonSerializer.Deserialize<ScreeningReport>(entry.Payload, WarningJson.Options)!;
                var change = await _grains.GetGrain<ICaseGrain>(report.CaseId!).ApplyReport(entry.Position, report);
                if (change is null) break;
                await Task.WhenAll(PathOf(change.GridId).Select(a => _grains.For(a).ApplyCaseChange(entry.Position, change)));
                await Task.WhenAll(report.PersonIds.Select(p => _grains.GetGrain<IPersonGrain>(p).LinkCase(entry.Position, change.CaseId)));
                break;
            }
            case IngestKind.Incident:
            {
                var incident = entry.Record as Incident ?? JsonSerializer.Deserialize<Incident>(entry.Payload, WarningJson.Options)!;
                var risk = incident.CaseId is null ? null : await _grains.GetGrain<ICaseGrain>(incident.CaseId).LinkIncident(entry.Position, incident);
                await Task.WhenAll(PathOf(incident.GridId).Select(a => _grains.For(a).CountIncident(entry.Position, incident)));
                // The case's own grid path, which is where its score is rolled up (an incident may be filed under another grid).
                if (risk is not null) await Task.WhenAll(PathOf(risk.GridId).Select(a => _grains.For(a).ApplyCaseRisk(entry.Position, risk)));
                await Task.WhenAll(incident.PersonIds.Select(p => _grains.GetGrain<IPersonGrain>(p).RecordIncident(entry.Position, incident)));
                break;
            }
            case IngestKind.Person:
            {
                var person = entry.Record as KeyIndividual ?? JsonSerializer.Deserialize<KeyIndividual>(entry.Payload, WarningJson.Options)!;
                await _grains.GetGrain<IPersonGrain>(person.PersonId).Register(entry.Position, person);
                break;
            }
            case IngestKind.Screening:
            {
                var round = entry.Record as ScreeningRound ?? JsonSerializer.Deserialize<ScreeningRound>(entry.Payload, WarningJson.Options)!;
                await Task.WhenAll(PathOf(round.GridId).Select(a => _grains.For(a).RecordScreening(entry.Position, round)));
                break;
            }
            case IngestKind.Rescore:
            {
                var tick = entry.Record as RescoreTick ?? JsonSerializer.Deserialize<RescoreTick>(entry.Payload, WarningJson.Options)!;
                await OpenCaseRescore.ApplyAsync(_grains, _hierarchy, entry.Position, tick, _logger);
                break;
            }
        }
    }

    /// <summary>The linger of the leaves a segment ending at <paramref name="seq"/> wakes, when a backlog makes it a pass.</summary>
    private TimeSpan? PassingAt(long seq) => _log.LastSeq - seq >= _options.Value.PassingBacklog ? _options.Value.LeafLinger : null;

    private IReadOnlyList<Area> PathOf(string gridId) =>
        _hierarchy.TryGet(gridId, out _) ? _hierarchy.PathToRoot(gridId) : Array.Empty<Area>();
}
