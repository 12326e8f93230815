using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Warning.Silo.GrainHost;

/// <summary>Identity of an activation: the implementation type and the key.</summary>
internal readonly record struct GrainId(GrainTypeInfo Type, string Key)
{
    public override string ToString() => $"{Type.Name}/{Key}";
}

/// <summary>
/// One live grain: a FIFO queue of work items drained by a single runner (a thread-pool work item that exists only
/// while there is work), so turns never overlap and no thread blocks while a turn awaits.
/// Lifecycle: created → (first runner) activated → valid → deactivating (final turn) → closed. Closing happens
/// under the queue lock together with the directory update, and only after the dirty state was written: calls
/// still queued move, in order, to a successor activation, which reads the state just written.
/// </summary>
internal sealed class GrainActivation : IThreadPoolWorkItem
{
    private const int TurnsPerDispatch = 64;

    private readonly Lock _lock = new();
    private readonly Queue<WorkItem> _queue;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _running;
    private bool _isClosed;
    private bool _activated;
    private bool _deactivating;
    private volatile bool _deactivationRequested;
    private long _lastCallTimestamp;
    private long _version;
    private long _persistedVersion;
    private List<GrainTimer>? _timers;
    private AsyncServiceScope? _scope;

    public GrainActivation(GrainRuntime runtime, GrainId id, Queue<WorkItem>? inherited = null)
    {
        Runtime = runtime;
        Id = id;
        _queue = inherited ?? new Queue<WorkItem>();
        _lastCallTimestamp = Stopwatch.GetTimestamp();
    }

    public GrainRuntime Runtime { get; }
    public GrainId Id { get; }
    public Grain? Grain { get; private set; }

    /// <summary>Completes when the activation has closed (state written, removed from the directory).</summary>
    public Task Closed => _closed.Task;

    public long LastCallTimestamp => Volatile.Read(ref _lastCallTimestamp);

    public bool IsDirty => Volatile.Read(ref _version) > Volatile.Read(ref _persistedVersion);

    /// <summary>Only touched by the runtime under its storage gate.</summary>
    public long PersistedVersion
    {
        get => Volatile.Read(ref _persistedVersion);
        set => Volatile.Write(ref _persistedVersion, value);
    }

    public void MarkDirty() => Interlocked.Increment(ref _version);

    /// <summary>Queues an item; false when the activation has closed (the caller then routes through the directory again).</summary>
    public bool TryEnqueue(WorkItem item)
    {
        bool start;
        lock (_lock)
        {
            if (_isClosed) return false;
            _queue.Enqueue(item);
            if (item.IsCall) _lastCallTimestamp = Stopwatch.GetTimestamp();
            start = !_running;
            _running = true;
        }
        if (start) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        return true;
    }

    /// <summary>Starts a successor that was created with inherited calls (its runner flag is set before publication).</summary>
    private void StartInherited() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

    public void RequestDeactivation() => _deactivationRequested = true;

    void IThreadPoolWorkItem.Execute() => _ = RunAsync();

    private async Task RunAsync()
    {
        try
        {
            if (!_activated && !await ActivateAsync()) return;
            var budget = TurnsPerDispatch;
            while (true)
            {
                if (_deactivationRequested)
                {
                    _deactivationRequested = false;
                    if (await TryDeactivateAsync(idleSince: null)) return;
                }

                WorkItem? item;
                lock (_lock)
                {
                    if (!_queue.TryDequeue(out item))
                    {
                        _running = false;
                        return;
                    }
                }

                if (item is DeactivateItem deactivate)
                {
                    var done = await TryDeactivateAsync(deactivate.IdleSince);
                    deactivate.Complete(done);
                    if (done) return;
                    continue;
                }

                await item.ExecuteAsync(this);

                if (--budget == 0)
                {
                    // Let other activations have the thread; _running stays true, so nobody else starts a runner.
                    ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                    return;
                }
            }
        }
        catch (Exception e)
        {
            // Work items never throw; this is a bug in the runtime. Keep the activation alive rather than wedge it.
            GrainLog.RunnerFailed(Runtime.Logger, e, Id.Type.Name, Id.Key);
            bool restart;
            lock (_lock)
            {
                restart = _queue.Count > 0 && !_isClosed;
                _running = restart;
            }
            if (restart) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    private async Task<bool> ActivateAsync()
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            _scope = Runtime.ScopeFactory.CreateAsyncScope();
            var grain = (Grain)Id.Type.Factory(_scope.Value.ServiceProvider, null);
            grain.ActivationOrNull = this;
            Grain = grain;
            if (grain.HasState)
            {
                var json = await Runtime.Storage.ReadAsync(Id.Type.Name, Id.Key);
                if (json is not null) grain.DeserializeState(json, Runtime.Options.JsonOptions);
            }
            await grain.OnActivateAsync(CancellationToken.None);
            _activated = true;
            GrainLog.Activated(Runtime.Logger, Id.Type.Name, Id.Key, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return true;
        }
        catch (Exception e)
        {
            GrainLog.ActivationFailed(Runtime.Logger, e, Id.Type.Name, Id.Key);
            DisposeTimers();
            var failure = new GrainActivationException($"Activation of grain {Id} failed: {e.Message}", e);
            var pending = Close(keepCalls: false);
            foreach (var item in pending) item.Fail(failure);
            await DisposeGrainAsync();
            _closed.TrySetResult();
            return false;
        }
    }

    /// <summary>The final turn: OnDeactivateAsync, write a dirty state, close. False when it did not deactivate.</summary>
    private async Task<bool> TryDeactivateAsync(long? idleSince)
    {
        if (_deactivating) return false;
        if (idleSince is { } since)
        {
            lock (_lock)
            {
                if (_lastCallTimestamp > since || _queue.Any(i => i.IsCall)) return false;
            }
        }

        _deactivating = true;
        var grain = Grain!;
        DisposeTimers();
        try
        {
            using var timeout = new CancellationTokenSource(Runtime.Options.DeactivationTimeout);
            await grain.OnDeactivateAsync(timeout.Token);
        }
        catch (Exception e)
        {
            GrainLog.OnDeactivateFailed(Runtime.Logger, e, Id.Type.Name, Id.Key);
        }

        if (grain.HasState && IsDirty)
        {
            try
            {
                var snapshot = TakeSnapshot();
                if (snapshot is not null) await Runtime.WriteDeactivationStateAsync(snapshot);
            }
            catch (Exception e)
            {
                // Never drop state: stay alive (dirty) and let a later flush or collection retry.
                GrainLog.DeactivationWriteFailed(Runtime.Logger, e, Id.Type.Name, Id.Key);
                _deactivating = false;
                return false;
            }
        }

        var dropped = Close(keepCalls: true);
        foreach (var item in dropped) item.Drop();
        await DisposeGrainAsync();
        GrainLog.Deactivated(Runtime.Logger, Id.Type.Name, Id.Key, idleSince is null ? "requested" : "idle");
        _closed.TrySetResult();
        return true;
    }

    /// <summary>
    /// Closes the queue and updates the directory atomically with it. Calls still queued go (in order) to a new
    /// activation when <paramref name="keepCalls"/>; returns the items that did not move.
    /// </summary>
    private List<WorkItem> Close(bool keepCalls)
    {
        var rest = new List<WorkItem>();
        GrainActivation? successor = null;
        lock (_lock)
        {
            _isClosed = true;
            _running = false;
            Queue<WorkItem>? calls = null;
            while (_queue.TryDequeue(out var item))
            {
                if (keepCalls && item.IsCall) (calls ??= new Queue<WorkItem>()).Enqueue(item);
                else rest.Add(item);
            }
            if (calls is not null)
            {
                successor = new GrainActivation(Runtime, Id, calls) { _running = true };
                Runtime.ReplaceActivation(this, successor);
            }
            else
            {
                Runtime.RemoveActivation(this);
            }
        }
        successor?.StartInherited();
        return rest;
    }

    private async ValueTask DisposeGrainAsync()
    {
        var grain = Grain;
        Grain = null;
        try
        {
            switch (grain)
            {
                case IAsyncDisposable ad: await ad.DisposeAsync(); break;
                case IDisposable d: d.Dispose(); break;
            }
            if (_scope is { } scope) await scope.DisposeAsync();
        }
        catch (Exception e)
        {
            GrainLog.DisposeFailed(Runtime.Logger, e, Id.Type.Name, Id.Key);
        }
        _scope = null;
    }

    /// <summary>Serialises the state if dirty; runs inside a turn.</summary>
    public StateSnapshot? TakeSnapshot()
    {
        var grain = Grain;
        if (grain is null || !grain.HasState) return null;
        var version = Volatile.Read(ref _version);
        if (version <= PersistedVersion) return null;
        var json = grain.SerializeState(Runtime.Options.JsonOptions);
        return new StateSnapshot(this, new GrainStateRecord(Id.Type.Name, Id.Key, json), version);
    }

    public IDisposable RegisterTimer(Func<Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new GrainTimer(this, callback, period);
        lock (_lock)
        {
            if (_isClosed || _deactivating) throw new InvalidOperationException($"Grain {Id} is deactivating; it cannot register timers.");
            (_timers ??= new List<GrainTimer>()).Add(timer);
        }
        timer.Start(dueTime);
        return timer;
    }

    internal void RemoveTimer(GrainTimer timer)
    {
        lock (_lock) _timers?.Remove(timer);
    }

    private void DisposeTimers()
    {
        GrainTimer[] timers;
        lock (_lock)
        {
            if (_timers is null || _timers.Count == 0) return;
            timers = _timers.ToArray();
        }
        foreach (var t in timers) t.Dispose();
    }

    /// <summary>Stops timers without running a final turn (runtime disposal).</summary>
    internal void Abandon() => DisposeTimers();
}

/// <summary>A grain timer: each tick is queued as a turn; the next tick is scheduled after the previous one ran.</summary>
internal sealed class GrainTimer : IDisposable
{
    private readonly GrainActivation _activation;
    private readonly Func<Task> _callback;
    private readonly TimeSpan _period;
    private readonly Timer _timer;
    private volatile bool _disposed;

    public GrainTimer(GrainActivation activation, Func<Task> callback, TimeSpan period)
    {
        _activation = activation;
        _callback = callback;
        _period = period;
        using (ExecutionContext.SuppressFlow())
            _timer = new Timer(static s => ((GrainTimer)s!).OnDue(), this, Timeout.Infinite, Timeout.Infinite);
    }

    public void Start(TimeSpan dueTime) => Change(dueTime);

    private void OnDue()
    {
        if (_disposed) return;
        if (!_activation.TryEnqueue(new TimerTickItem(this))) Dispose();
    }

    public async ValueTask RunTickAsync()
    {
        if (_disposed) return;
        try
        {
            await _callback();
        }
        catch (Exception e)
        {
            GrainLog.TimerFailed(_activation.Runtime.Logger, e, _activation.Id.Type.Name, _activation.Id.Key);
        }
        if (!_disposed && _period != Timeout.InfiniteTimeSpan) Change(_period);
    }

    private void Change(TimeSpan due)
    {
        try { _timer.Change(due, Timeout.InfiniteTimeSpan); }
        catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _timer.Dispose();
        _activation.RemoveTimer(this);
    }
}
