using Microsoft.Extensions.DependencyInjection;
using Warning.Silo.GrainHost;

namespace Warning.Silo.Tests.GrainHost;

/// <summary>A DI container with the grain host and the test grains.</summary>
public sealed class TestHost : IAsyncDisposable
{
    private TestHost(ServiceProvider services, IGrainStorage storage)
    {
        Services = services;
        Storage = storage;
        Runtime = services.GetRequiredService<GrainRuntime>();
        Tracker = services.GetRequiredService<Tracker>();
    }

    public ServiceProvider Services { get; }
    public GrainRuntime Runtime { get; }
    public IGrainStorage Storage { get; }
    public Tracker Tracker { get; }

    public T Get<T>(string key) where T : IGrainWithStringKey => Runtime.GetGrain<T>(key);

    public static TestHost Create(IGrainStorage? storage = null, Action<GrainHostOptions>? configure = null, Tracker? tracker = null)
    {
        storage ??= new InMemoryGrainStorage();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(storage)
            .AddSingleton(tracker ?? new Tracker())
            .AddSingleton<IGreeter, Greeter>()
            .AddSingleton<Rendezvous>()
            .AddGrainHost(o =>
            {
                o.AddGrain<ICounterGrain, CounterGrain>();
                o.AddGrain<IStateGrain, StateGrain>();
                o.AddGrain<IMeetingGrain, MeetingGrain>();
                o.AddGrain<IChainGrain, ChainGrain>();
                o.AddGrain<ITimerGrain, TimerGrain>();
                o.AddGrain<IBadGrain, BadGrain>();
                configure?.Invoke(o);
            });
        return new TestHost(services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true }), storage);
    }

    public async ValueTask DisposeAsync() => await Services.DisposeAsync();
}

/// <summary>Records every write; can hold writes at a gate or fail them.</summary>
public sealed class RecordingStorage(IGrainStorage inner) : IGrainStorage
{
    public readonly List<(IReadOnlyList<GrainStateRecord> Records, long? Checkpoint)> Writes = new();
    public TaskCompletionSource? Gate;
    public TaskCompletionSource WriteEntered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public volatile bool Fail;
    public TimeSpan Delay;

    public Task<string?> ReadAsync(string grainType, string key, CancellationToken cancellationToken = default)
        => inner.ReadAsync(grainType, key, cancellationToken);

    public async Task WriteAsync(IReadOnlyList<GrainStateRecord> records, long? checkpoint, CancellationToken cancellationToken = default)
    {
        WriteEntered.TrySetResult();
        if (Gate is { } gate) await gate.Task;
        if (Delay > TimeSpan.Zero) await Task.Delay(Delay, cancellationToken);
        if (Fail) throw new IOException("storage down");
        lock (Writes) Writes.Add((records.ToList(), checkpoint));
        await inner.WriteAsync(records, checkpoint, cancellationToken);
    }
}
