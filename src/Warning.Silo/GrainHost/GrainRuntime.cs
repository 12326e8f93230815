using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Warning.Silo.GrainHost;

/// <summary>A grain implementation class: its storage name and how to construct it.</summary>
internal sealed class GrainTypeInfo(Type implementation, string name)
{
    public Type Implementation { get; } = implementation;
    public string Name { get; } = name;
    public ObjectFactory Factory { get; } = ActivatorUtilities.CreateFactory(implementation, Type.EmptyTypes);
    public override string ToString() => Name;
}

/// <summary>
/// The grain runtime: directory of live activations, grain references, write-behind flushes, idle collection.
/// Registered as a singleton by <see cref="GrainHostServiceCollectionExtensions.AddGrainHost"/>, also as <see cref="IGrainFactory"/>.
/// </summary>
public sealed class GrainRuntime : IGrainFactory, IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<GrainId, GrainActivation> _directory = new();
    private readonly ConcurrentDictionary<(Type Interface, string Key), object> _references = new();
    private readonly ConcurrentDictionary<Type, GrainInterfaceInfo> _interfaces = new();
    private readonly Dictionary<Type, GrainTypeInfo> _grainTypes = new();

    // Storage writes are ordered through this gate; it is never held while waiting for a grain's turn.
    private readonly SemaphoreSlim _storageGate = new(1, 1);
    // One flush at a time, so a later snapshot is never overwritten by an earlier one.
    private readonly SemaphoreSlim _flushGate = new(1, 1);

    // Group commit of states written at deactivation (many grains deactivate together at collection/shutdown).
    private readonly Lock _pendingLock = new();
    private List<(StateSnapshot Snapshot, TaskCompletionSource Done)> _pendingWrites = new();
    private bool _writerRunning;

    private int _activationCount;
    private CancellationTokenSource? _collectorStop;
    private Task? _collector;

    public GrainRuntime(IServiceProvider services, IOptions<GrainHostOptions> options, IGrainStorage storage, ILogger<GrainRuntime>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(storage);
        Options = options.Value;
        Storage = storage;
        Logger = logger ?? (ILogger)NullLogger.Instance;
        ScopeFactory = services.GetRequiredService<IServiceScopeFactory>();

        var byImplementation = new Dictionary<Type, GrainTypeInfo>();
        var byName = new Dictionary<string, Type>();
        foreach (var (itf, impl) in Options.Grains)
        {
            if (!byImplementation.TryGetValue(impl, out var info))
            {
                var name = impl.GetCustomAttribute<GrainTypeAttribute>()?.Name ?? impl.FullName!;
                if (byName.TryGetValue(name, out var other))
                    throw new InvalidOperationException($"Grain classes {other.FullName} and {impl.FullName} share the grain type name '{name}'; their states would collide in storage.");
                byName[name] = impl;
                byImplementation[impl] = info = new GrainTypeInfo(impl, name);
            }
            _grainTypes[itf] = info;
        }
    }

    internal GrainHostOptions Options { get; }
    internal IGrainStorage Storage { get; }
    internal ILogger Logger { get; }
    internal IServiceScopeFactory ScopeFactory { get; }

    /// <summary>Number of live activations.</summary>
    public int ActivationCount => Volatile.Read(ref _activationCount);

    /// <inheritdoc />
    public TGrain GetGrain<TGrain>(string key) where TGrain : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(key);
        return (TGrain)_references.GetOrAdd((typeof(TGrain), key), static (k, runtime) => runtime.CreateReference(k.Interface, k.Key), this);
    }

    private object CreateReference(Type grainInterface, string key)
    {
        var info = _interfaces.GetOrAdd(grainInterface, static (itf, runtime) =>
        {
            GrainInterfaceInfo.Validate(itf);
            if (!runtime._grainTypes.TryGetValue(itf, out var type))
                throw new InvalidOperationException(
                    $"No grain class is registered for {itf.FullName}: register one with AddGrainHost(o => o.AddGrain<{itf.Name}, TImplementation>()) or o.AddGrainsFromAssembly(...).");
            return new GrainInterfaceInfo(itf, type);
        }, this);
        var proxy = DispatchProxy.Create(grainInterface, typeof(GrainReference));
        ((GrainReference)proxy).Initialize(this, info, new GrainId(info.GrainType, key));
        return proxy;
    }

    /// <summary>Queues the item to the live activation of <paramref name="id"/>, creating it if needed; returns the activation used.</summary>
    internal GrainActivation Route(GrainId id, WorkItem item)
    {
        while (true)
        {
            if (!_directory.TryGetValue(id, out var activation))
            {
                var created = new GrainActivation(this, id);
                if (!_directory.TryAdd(id, created)) continue;
                Interlocked.Increment(ref _activationCount);
                activation = created;
            }
            // A closed activation has already left the directory (atomically with closing), so this retries at most a few times.
            if (activation.TryEnqueue(item)) return activation;
        }
    }

    /// <summary>Called under the closing activation's lock.</summary>
    internal void ReplaceActivation(GrainActivation closing, GrainActivation successor)
    {
        if (!_directory.TryUpdate(closing.Id, successor, closing))
            throw new InvalidOperationException($"Grain directory out of step for {closing.Id}.");
    }

    /// <summary>Called under the closing activation's lock.</summary>
    internal void RemoveActivation(GrainActivation closing)
    {
        if (_directory.TryRemove(new KeyValuePair<GrainId, GrainActivation>(closing.Id, closing)))
            Interlocked.Decrement(ref _activationCount);
    }

    /// <summary>
    /// Writes the state of every dirty activation, and <paramref name="checkpoint"/> if given, in one
    /// <see cref="IGrainStorage.WriteAsync"/> call. Each state is serialised inside its grain's turn; a grain changed
    /// after its snapshot stays dirty for the next flush. If the write fails, nothing is marked clean.
    /// Returns the number of states written.
    /// </summary>
    public async Task<int> FlushAsync(long? checkpoint = null, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        await _flushGate.WaitAsync(cancellationToken);
        try
        {
            var requests = new List<(GrainActivation Activation, Task<StateSnapshot?> Snapshot)>();
            foreach (var activation in _directory.Values)
            {
                if (!activation.IsDirty) continue;
                var item = new SnapshotItem();
                // Rejected: the activation closed, and closing writes a dirty state first.
                if (activation.TryEnqueue(item)) requests.Add((activation, item.Task));
            }

            var snapshots = new List<StateSnapshot>(requests.Count);
            List<Exception>? failures = null;
            foreach (var (activation, task) in requests)
            {
                try
                {
                    if (await task.WaitAsync(cancellationToken) is { } s) snapshots.Add(s);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    GrainLog.SnapshotFailed(Logger, e, activation.Id.Type.Name, activation.Id.Key);
                    (failures ??= new List<Exception>()).Add(e);
                }
            }
            if (failures is not null)
                throw new AggregateException($"The state of {failures.Count} grain(s) could not be serialised; nothing was written.", failures);

            await _storageGate.WaitAsync(cancellationToken);
            try
            {
                // A deactivation may have written a newer state of the same grain meanwhile: never overwrite it.
                var fresh = snapshots.Where(s => s.Version > s.Activation.PersistedVersion).ToList();
                if (fresh.Count > 0 || checkpoint.HasValue)
                    await Storage.WriteAsync(fresh.Select(s => s.Record).ToList(), checkpoint, cancellationToken);
                foreach (var s in fresh)
                    s.Activation.PersistedVersion = Math.Max(s.Activation.PersistedVersion, s.Version);
                GrainLog.Flushed(Logger, fresh.Count, checkpoint, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                return fresh.Count;
            }
            finally
            {
                _storageGate.Release();
            }
        }
        finally
        {
            _flushGate.Release();
        }
    }

    /// <summary>Called from an activation's final turn; completes when its state is stored (batched with other deactivations).</summary>
    internal Task WriteDeactivationStateAsync(StateSnapshot snapshot)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_pendingLock)
        {
            _pendingWrites.Add((snapshot, done));
            start = !_writerRunning;
            _writerRunning = true;
        }
        if (start) _ = Task.Run(WriteDeactivationBatchesAsync);
        return done.Task;
    }

    private async Task WriteDeactivationBatchesAsync()
    {
        while (true)
        {
            List<(StateSnapshot Snapshot, TaskCompletionSource Done)> batch;
            lock (_pendingLock)
            {
                if (_pendingWrites.Count == 0)
                {
                    _writerRunning = false;
                    return;
                }
                batch = _pendingWrites;
                _pendingWrites = new();
            }

            await _storageGate.WaitAsync();
            try
            {
                var fresh = batch.Where(p => p.Snapshot.Version > p.Snapshot.Activation.PersistedVersion).ToList();
                if (fresh.Count > 0)
                    await Storage.WriteAsync(fresh.Select(p => p.Snapshot.Record).ToList(), null);
                foreach (var (s, _) in fresh)
                    s.Activation.PersistedVersion = Math.Max(s.Activation.PersistedVersion, s.Version);
                foreach (var (_, done) in batch) done.TrySetResult();
            }
            catch (Exception e)
            {
                GrainLog.BatchWriteFailed(Logger, e, batch.Count);
                foreach (var (_, done) in batch) done.TrySetException(e);
            }
            finally
            {
                _storageGate.Release();
            }
        }
    }

    /// <summary>
    /// Deactivates every activation with no call for at least <paramref name="olderThan"/> (each in a final turn:
    /// OnDeactivateAsync, write a dirty state, close). Completes when they are done; returns how many were deactivated.
    /// </summary>
    public async Task<int> CollectIdleAsync(TimeSpan olderThan, CancellationToken cancellationToken = default)
    {
        if (olderThan < TimeSpan.Zero) olderThan = TimeSpan.Zero;
        var since = Stopwatch.GetTimestamp() - (long)Math.Min(olderThan.TotalSeconds * Stopwatch.Frequency, long.MaxValue / 2);
        var requests = new List<Task<bool>>();
        foreach (var activation in _directory.Values)
        {
            if (activation.LastCallTimestamp > since) continue;
            var item = new DeactivateItem(since);
            if (activation.TryEnqueue(item)) requests.Add(item.Task);
        }
        var results = await Task.WhenAll(requests).WaitAsync(cancellationToken);
        var count = results.Count(r => r);
        if (count > 0) GrainLog.Collected(Logger, count, ActivationCount);
        return count;
    }

    /// <summary>
    /// Deactivates every activation (writing dirty state), for shutdown. Calls arriving meanwhile may activate grains
    /// again, so it runs a few rounds; throws if activations remain (e.g. the storage refused their state).
    /// </summary>
    public async Task DeactivateAllAsync(CancellationToken cancellationToken = default)
    {
        for (var round = 0; round < 5 && !_directory.IsEmpty; round++)
        {
            var tasks = new List<Task<bool>>();
            foreach (var activation in _directory.Values)
            {
                // If another deactivation is under way this item waits behind it and is dropped when it closes.
                var item = new DeactivateItem(null);
                if (activation.TryEnqueue(item)) tasks.Add(item.Task);
            }
            await Task.WhenAll(tasks).WaitAsync(cancellationToken);
        }
        if (!_directory.IsEmpty)
            throw new InvalidOperationException($"{ActivationCount} grain activation(s) could not be deactivated; see the log.");
    }

    internal void StartCollector()
    {
        if (_collector is not null) return;
        _collectorStop = new CancellationTokenSource();
        var token = _collectorStop.Token;
        _collector = Task.Run(() => CollectLoopAsync(token));
    }

    internal async Task StopCollectorAsync()
    {
        // Host stop and container disposal can both stop the collector, concurrently: whoever swaps first does it.
        var stop = Interlocked.Exchange(ref _collectorStop, null);
        var collector = Interlocked.Exchange(ref _collector, null);
        if (stop is null) return;
        await stop.CancelAsync();
        if (collector is not null)
            try { await collector; } catch (OperationCanceledException) { }
        stop.Dispose();
    }

    private async Task CollectLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Options.CollectionInterval);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            try
            {
                await CollectIdleAsync(Options.IdleTimeout, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                GrainLog.CollectionFailed(Logger, e);
            }
        }
    }

    /// <summary>Stops the collector and all timers. Does not write state: call <see cref="DeactivateAllAsync"/> (the hosted service does) first.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopCollectorAsync();
        foreach (var activation in _directory.Values) activation.Abandon();
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose()
    {
        try { _collectorStop?.Cancel(); } catch (ObjectDisposedException) { }
        foreach (var activation in _directory.Values) activation.Abandon();
    }
}
