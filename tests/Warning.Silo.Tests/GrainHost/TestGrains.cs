using System.Collections.Concurrent;
using Warning.Silo.GrainHost;

namespace Warning.Silo.Tests.GrainHost;

/// <summary>Shared by test grains through DI: counts lifecycle events and concurrency violations.</summary>
public sealed class Tracker
{
    private readonly ConcurrentDictionary<string, int> _live = new();
    public int Activations;
    public int Deactivations;
    public int Violations;
    public int TimerTicks;
    public volatile bool FailActivation;
    public volatile TaskCompletionSource? DeactivationGate;
    public readonly TaskCompletionSource DeactivationEntered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public readonly ConcurrentQueue<string> Events = new();

    public void Activated(string key)
    {
        Interlocked.Increment(ref Activations);
        Events.Enqueue($"activate {key}");
        if (_live.AddOrUpdate(key, 1, (_, n) => n + 1) > 1) Interlocked.Increment(ref Violations);
    }

    public void Deactivated(string key)
    {
        Interlocked.Increment(ref Deactivations);
        Events.Enqueue($"deactivate {key}");
        _live.AddOrUpdate(key, 0, (_, n) => n - 1);
    }
}

public interface IGreeter { string Greet(string name); }
public sealed class Greeter : IGreeter { public string Greet(string name) => $"hello {name}"; }

public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> IncrementSlowly();
    Task<int> Get();
    Task Append(int value);
    Task<IReadOnlyList<int>> Log();
    Task Fail(string message);
    ValueTask<int> FailValueTask(string message);
    ValueTask<int> GetValueTask();
    ValueTask Touch();
    Task<int> Echo(int value);
    Task<int> ProbeViolations();
    Task<string> Greet();
}

public sealed class CounterGrain(IGreeter greeter) : Grain, ICounterGrain
{
    private int _count;
    private int _inFlight;
    private int _violations;
    private readonly List<int> _log = new();

    private void Enter() { if (Interlocked.Increment(ref _inFlight) > 1) Interlocked.Increment(ref _violations); }
    private void Exit() => Interlocked.Decrement(ref _inFlight);

    public async Task<int> IncrementSlowly()
    {
        Enter();
        try
        {
            var read = _count;
            if (Random.Shared.Next(3) == 0) await Task.Delay(Random.Shared.Next(2));
            else await Task.Yield();
            _count = read + 1;
            return _count;
        }
        finally { Exit(); }
    }

    public Task<int> Get() => Task.FromResult(_count);
    public Task Append(int value) { _log.Add(value); return Task.CompletedTask; }
    public Task<IReadOnlyList<int>> Log() => Task.FromResult<IReadOnlyList<int>>(_log.ToArray());
    public Task Fail(string message) => throw new InvalidOperationException(message);
    public async ValueTask<int> FailValueTask(string message) { await Task.Yield(); throw new ArgumentException(message); }
    public ValueTask<int> GetValueTask() => ValueTask.FromResult(_count);
    public ValueTask Touch() { _count++; return ValueTask.CompletedTask; }
    public Task<int> Echo(int value) => Task.FromResult(value);
    public Task<int> ProbeViolations() => Task.FromResult(_violations);
    public Task<string> Greet() => Task.FromResult(greeter.Greet(Key));
}

public sealed class StateData
{
    public int Value { get; set; }
    public List<int> Items { get; set; } = new();
}

public interface IStateGrain : IGrainWithStringKey
{
    Task Set(int value);
    Task<int> Get();
    Task<int> Increment();
    Task Add(int item, bool deactivate);
    Task<List<int>> Items();
    Task SetWithoutWrite(int value);
    Task DeactivateNow();
}

[GrainType("test.state")]
public sealed class StateGrain(Tracker tracker) : Grain<StateData>, IStateGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (tracker.FailActivation) throw new InvalidOperationException("activation refused");
        tracker.Activated(Key);
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(CancellationToken cancellationToken)
    {
        tracker.DeactivationEntered.TrySetResult();
        if (tracker.DeactivationGate is { } gate) await gate.Task;
        tracker.Deactivated(Key);
    }

    public Task Set(int value) { State.Value = value; return WriteStateAsync(); }
    public Task<int> Get() => Task.FromResult(State.Value);
    public async Task<int> Increment() { State.Value++; await WriteStateAsync(); return State.Value; }

    public Task Add(int item, bool deactivate)
    {
        State.Items.Add(item);
        if (deactivate) DeactivateOnIdle();
        return WriteStateAsync();
    }

    public Task<List<int>> Items() => Task.FromResult(State.Items.ToList());
    public Task SetWithoutWrite(int value) { State.Value = value; return Task.CompletedTask; }
    public Task DeactivateNow() { DeactivateOnIdle(); return Task.CompletedTask; }
}

/// <summary>Two grains that each wait for the other: completes only if different grains run concurrently.</summary>
public sealed class Rendezvous
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _arrived = new();
    public TaskCompletionSource For(string key) => _arrived.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

public interface IMeetingGrain : IGrainWithStringKey
{
    Task Meet(string other);
}

public sealed class MeetingGrain(Rendezvous rendezvous) : Grain, IMeetingGrain
{
    public async Task Meet(string other)
    {
        rendezvous.For(Key).TrySetResult();
        await rendezvous.For(other).Task;
    }
}

public interface IChainGrain : IGrainWithStringKey
{
    Task<string> Chain(int depth);
}

public sealed class ChainGrain : Grain, IChainGrain
{
    public async Task<string> Chain(int depth)
    {
        if (depth == 0) return Key;
        var next = GrainFactory.GetGrain<IChainGrain>($"{Key}+");
        return $"{Key}>{await next.Chain(depth - 1)}";
    }
}

public interface ITimerGrain : IGrainWithStringKey
{
    Task Start(int periodMs);
    Task Stop();
    Task Slow(int ms);
    Task<int> Ticks();
    Task<int> Violations();
}

public sealed class TimerGrain(Tracker tracker) : Grain, ITimerGrain
{
    private IDisposable? _timer;
    private int _ticks;
    private int _inFlight;
    private int _violations;

    private async Task Guarded(Func<Task> body)
    {
        if (Interlocked.Increment(ref _inFlight) > 1) Interlocked.Increment(ref _violations);
        try { await body(); }
        finally { Interlocked.Decrement(ref _inFlight); }
    }

    public Task Start(int periodMs)
    {
        _timer = RegisterTimer(() => Guarded(async () =>
        {
            await Task.Yield();
            _ticks++;
            Interlocked.Increment(ref tracker.TimerTicks);
        }), TimeSpan.FromMilliseconds(periodMs), TimeSpan.FromMilliseconds(periodMs));
        return Task.CompletedTask;
    }

    public Task Stop() { _timer?.Dispose(); return Task.CompletedTask; }
    public Task Slow(int ms) => Guarded(() => Task.Delay(ms));
    public Task<int> Ticks() => Task.FromResult(_ticks);
    public Task<int> Violations() => Task.FromResult(_violations);
}

public interface IBadGrain : IGrainWithStringKey
{
    Task Fine();
    int NotAsync();
}

public sealed class BadGrain : Grain, IBadGrain
{
    public Task Fine() => Task.CompletedTask;
    public int NotAsync() => 1;
}

public interface IUnregisteredGrain : IGrainWithStringKey
{
    Task Nothing();
}
