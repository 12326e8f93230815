using Warning.Silo.GrainHost;

namespace Warning.Silo.Tests.GrainHost;

public sealed class LifecycleTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _dbPath = Path.Combine(Path.GetTempPath(), $"grains-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            try { File.Delete(_dbPath + suffix); } catch (IOException) { }
    }

    public static TheoryData<string> Storages => new() { "memory", "sqlite" };

    private IGrainStorage MakeStorage(string kind)
        => kind == "sqlite" ? new SqliteGrainStorage($"Data Source={_dbPath}") : new InMemoryGrainStorage();

    [Theory]
    [MemberData(nameof(Storages))]
    public async Task Deactivation_and_reactivation_keep_state(string kind)
    {
        var storage = MakeStorage(kind);
        await using (var host = TestHost.Create(storage))
        {
            var grain = host.Get<IStateGrain>("case-1");
            await grain.Set(42);
            await grain.Add(7, deactivate: false);
            Assert.Equal(1, host.Runtime.ActivationCount);

            Assert.Equal(1, await host.Runtime.CollectIdleAsync(TimeSpan.Zero));
            Assert.Equal(0, host.Runtime.ActivationCount);
            Assert.Equal(1, host.Tracker.Activations);
            Assert.Equal(1, host.Tracker.Deactivations);

            Assert.Equal(42, await grain.Get());
            Assert.Equal([7], await grain.Items());
            Assert.Equal(2, host.Tracker.Activations);
            Assert.Equal(1, host.Runtime.ActivationCount);
        }

        var json = await storage.ReadAsync("test.state", "case-1"); // [GrainType] name is the storage key
        Assert.NotNull(json);
        Assert.Contains("\"value\":42", json);

        // a new runtime over the same storage reads it back
        await using (var host = TestHost.Create(storage))
            Assert.Equal(42, await host.Get<IStateGrain>("case-1").Get());
        (storage as IDisposable)?.Dispose();
    }

    [Fact]
    public async Task Recent_calls_keep_a_grain_alive_and_clean_grains_are_not_written()
    {
        var storage = new RecordingStorage(new InMemoryGrainStorage());
        await using var host = TestHost.Create(storage);
        await host.Get<IStateGrain>("a").Get();
        Assert.Equal(0, await host.Runtime.CollectIdleAsync(TimeSpan.FromMinutes(1)));
        Assert.Equal(1, host.Runtime.ActivationCount);
        Assert.Equal(1, await host.Runtime.CollectIdleAsync(TimeSpan.Zero));
        Assert.Empty(storage.Writes); // never dirty → nothing to write
    }

    [Fact]
    public async Task A_call_racing_with_deactivation_is_not_lost_and_sees_the_written_state()
    {
        await using var host = TestHost.Create();
        var collected = 0;
        var grain = host.Get<IStateGrain>("race");
        for (var i = 1; i <= 400; i++)
        {
            await grain.Set(i);
            var collect = Task.Run(() => host.Runtime.CollectIdleAsync(TimeSpan.Zero));
            var read = Task.Run(() => grain.Get());
            var increment = Task.Run(() => grain.Increment());
            await Task.WhenAll(collect, read, increment).WaitAsync(Timeout);
            collected += await collect;
            var seen = await read;
            Assert.True(seen == i || seen == i + 1, $"iteration {i}: read {seen}");
            Assert.Equal(i + 1, await grain.Get());
            await grain.Set(i); // undo the increment for the next round
        }
        Assert.Equal(0, host.Tracker.Violations); // never two live activations of the key
        Assert.True(collected > 0, "the race never deactivated");
        output.WriteLine($"deactivated in {collected} of 400 rounds, {host.Tracker.Activations} activations");
        Assert.True(host.Runtime.ActivationCount <= 1);
    }

    [Fact]
    public async Task Calls_arriving_during_deactivation_wait_for_the_written_state_in_a_fresh_activation()
    {
        var inner = new InMemoryGrainStorage();
        var storage = new RecordingStorage(inner);
        await using var host = TestHost.Create(storage);
        host.Tracker.DeactivationGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var grain = host.Get<IStateGrain>("during");
        await grain.Set(10);

        var collect = host.Runtime.CollectIdleAsync(TimeSpan.Zero);
        await host.Tracker.DeactivationEntered.Task.WaitAsync(Timeout); // the final turn is inside OnDeactivateAsync
        var read = grain.Get();
        var increment = grain.Increment();
        await Task.Delay(50);
        Assert.False(read.IsCompleted);          // waits: neither the old activation nor a new one serves it yet
        Assert.Empty(storage.Writes);
        Assert.Equal(1, host.Tracker.Activations);

        host.Tracker.DeactivationGate.SetResult();
        Assert.Equal(1, await collect.WaitAsync(Timeout));
        Assert.Equal(10, await read.WaitAsync(Timeout));   // the fresh activation read the state just written
        Assert.Equal(11, await increment.WaitAsync(Timeout));
        Assert.Equal(2, host.Tracker.Activations);
        Assert.Equal(1, host.Tracker.Deactivations);
        Assert.Equal(0, host.Tracker.Violations);
        Assert.Contains("\"value\":10", Assert.Single(storage.Writes).Records.Single().Json);
    }

    [Fact]
    public async Task DeactivateOnIdle_deactivates_after_the_turn_and_queued_calls_move_on_in_order()
    {
        await using var host = TestHost.Create();
        var grain = host.Get<IStateGrain>("d");
        var sends = Enumerable.Range(0, 300).Select(i => grain.Add(i, deactivate: i % 50 == 49)).ToList();
        await Task.WhenAll(sends).WaitAsync(Timeout);
        Assert.Equal(Enumerable.Range(0, 300), await grain.Items());
        Assert.Equal(6, host.Tracker.Deactivations);
        Assert.Equal(7, host.Tracker.Activations);
        Assert.Equal(0, host.Tracker.Violations);

        await grain.DeactivateNow();
        await WaitUntil(() => host.Runtime.ActivationCount == 0);
    }

    [Fact]
    public async Task DeactivateAll_writes_dirty_state()
    {
        var inner = new InMemoryGrainStorage();
        var storage = new RecordingStorage(inner) { Delay = TimeSpan.FromMilliseconds(20) }; // slow disk: deactivations group-commit
        await using var host = TestHost.Create(storage);
        for (var i = 0; i < 50; i++) await host.Get<IStateGrain>($"g{i}").Set(i);
        await host.Get<ICounterGrain>("stateless").Touch();
        await host.Runtime.DeactivateAllAsync();
        Assert.Equal(0, host.Runtime.ActivationCount);
        Assert.Equal(50, inner.Count);
        Assert.Equal(50, storage.Writes.Sum(w => w.Records.Count));
        Assert.True(storage.Writes.Count < 10, $"deactivation writes are batched ({storage.Writes.Count} writes)");
    }

    [Fact]
    public async Task Hosted_service_collects_idle_grains_and_deactivates_on_stop()
    {
        var storage = new InMemoryGrainStorage();
        await using var host = TestHost.Create(storage, o =>
        {
            o.IdleTimeout = TimeSpan.FromMilliseconds(100);
            o.CollectionInterval = TimeSpan.FromMilliseconds(50);
        });
        var service = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetServices<Microsoft.Extensions.Hosting.IHostedService>(host.Services).Single();
        await service.StartAsync(default);

        await host.Get<IStateGrain>("idle").Set(1);
        await WaitUntil(() => host.Runtime.ActivationCount == 0);
        Assert.NotNull(storage.Get("test.state", "idle"));

        await host.Get<IStateGrain>("busy").Set(2);
        await service.StopAsync(default);
        Assert.Equal(0, host.Runtime.ActivationCount);
        Assert.Contains("2", storage.Get("test.state", "busy"));
    }

    [Fact]
    public async Task A_failed_write_at_deactivation_keeps_the_grain_alive_and_dirty()
    {
        var storage = new RecordingStorage(new InMemoryGrainStorage()) { Fail = true };
        await using var host = TestHost.Create(storage);
        var grain = host.Get<IStateGrain>("w");
        await grain.Set(5);
        Assert.Equal(0, await host.Runtime.CollectIdleAsync(TimeSpan.Zero));
        Assert.Equal(1, host.Runtime.ActivationCount);
        Assert.Equal(5, await grain.Get());
        storage.Fail = false;
        Assert.Equal(1, await host.Runtime.CollectIdleAsync(TimeSpan.Zero));
        Assert.Equal(5, await grain.Get());
    }

    internal static Task WaitUntil(Func<bool> condition) => WaitUntil(() => Task.FromResult(condition()));

    internal static async Task WaitUntil(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not reached");
            await Task.Delay(10);
        }
    }
}
