using Warning.Silo.GrainHost;

namespace Warning.Silo.Tests.GrainHost;

public class TurnTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task One_turn_at_a_time_under_1000_concurrent_calls()
    {
        await using var host = TestHost.Create();
        var grain = host.Get<ICounterGrain>("c1");
        var calls = Enumerable.Range(0, 1000).Select(_ => Task.Run(() => grain.IncrementSlowly())).ToArray();
        var results = await Task.WhenAll(calls).WaitAsync(Timeout);

        Assert.Equal(1000, await grain.Get());
        Assert.Equal(Enumerable.Range(1, 1000), results.Order());
        Assert.Equal(0, await grain.ProbeViolations());
        Assert.Equal(1, host.Runtime.ActivationCount);
    }

    [Fact]
    public async Task Different_grains_run_concurrently()
    {
        await using var host = TestHost.Create();
        var a = host.Get<IMeetingGrain>("a").Meet("b");
        var b = host.Get<IMeetingGrain>("b").Meet("a");
        await Task.WhenAll(a, b).WaitAsync(Timeout); // deadlocks if turns of different grains were serialised
    }

    [Fact]
    public async Task Calls_from_one_caller_run_in_FIFO_order()
    {
        await using var host = TestHost.Create();
        var grain = host.Get<ICounterGrain>("fifo");
        var sends = new List<Task>();
        for (var i = 0; i < 2000; i++) sends.Add(grain.Append(i));
        await Task.WhenAll(sends).WaitAsync(Timeout);
        Assert.Equal(Enumerable.Range(0, 2000), await grain.Log());
    }

    [Fact]
    public async Task Exceptions_reach_the_caller_and_the_grain_keeps_working()
    {
        await using var host = TestHost.Create();
        var grain = host.Get<ICounterGrain>("ex");
        await grain.Touch();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Fail("boom"));
        Assert.Equal("boom", e.Message);
        var e2 = await Assert.ThrowsAsync<ArgumentException>(async () => await grain.FailValueTask("bang"));
        Assert.Equal("bang", e2.Message);
        await grain.Touch();
        Assert.Equal(2, await grain.GetValueTask());
        Assert.Equal(1, host.Runtime.ActivationCount);
    }

    [Fact]
    public async Task Grain_to_grain_chain_does_not_deadlock()
    {
        await using var host = TestHost.Create();
        var result = await host.Get<IChainGrain>("k").Chain(3).WaitAsync(Timeout);
        Assert.Equal("k>k+>k++>k+++", result);
        Assert.Equal(4, host.Runtime.ActivationCount);

        // many chains through the same grains at once
        var many = Enumerable.Range(0, 200).Select(_ => host.Get<IChainGrain>("k").Chain(3));
        Assert.All(await Task.WhenAll(many).WaitAsync(Timeout), r => Assert.Equal("k>k+>k++>k+++", r));
    }

    [Fact]
    public async Task Constructor_injection_works()
    {
        await using var host = TestHost.Create();
        Assert.Equal("hello bob", await host.Get<ICounterGrain>("bob").Greet());
    }

    [Fact]
    public async Task References_are_cached_per_interface_and_key()
    {
        await using var host = TestHost.Create();
        Assert.Same(host.Get<ICounterGrain>("x"), host.Get<ICounterGrain>("x"));
        Assert.NotSame(host.Get<ICounterGrain>("x"), host.Get<ICounterGrain>("y"));
        Assert.Equal("ICounterGrain/x", host.Get<ICounterGrain>("x").ToString());
    }

    [Fact]
    public async Task Non_async_grain_methods_are_rejected_when_the_reference_is_created()
    {
        await using var host = TestHost.Create();
        var e = Assert.Throws<NotSupportedException>(() => host.Get<IBadGrain>("b"));
        Assert.Contains("NotAsync", e.Message);
        Assert.Contains("Task, Task<T>, ValueTask or ValueTask<T>", e.Message);
    }

    [Fact]
    public async Task Unregistered_interfaces_are_reported()
    {
        await using var host = TestHost.Create();
        var e = Assert.Throws<InvalidOperationException>(() => host.Get<IUnregisteredGrain>("u"));
        Assert.Contains("IUnregisteredGrain", e.Message);
    }

    [Fact]
    public async Task Failed_activation_fails_the_call_and_a_later_call_activates_again()
    {
        await using var host = TestHost.Create();
        host.Tracker.FailActivation = true;
        var grain = host.Get<IStateGrain>("f");
        var e = await Assert.ThrowsAsync<GrainActivationException>(() => grain.Get());
        Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.Equal(0, host.Runtime.ActivationCount);
        host.Tracker.FailActivation = false;
        await grain.Set(3);
        Assert.Equal(3, await grain.Get());
    }

    [Fact]
    public void Assembly_scanning_finds_grains()
    {
        var options = new GrainHostOptions().AddGrainsFromAssembly(typeof(CounterGrain).Assembly);
        Assert.Equal(typeof(CounterGrain), options.Grains[typeof(ICounterGrain)]);
        Assert.Equal(typeof(StateGrain), options.Grains[typeof(IStateGrain)]);
        Assert.False(options.Grains.ContainsKey(typeof(IUnregisteredGrain)));
    }

    [Fact]
    public async Task Scanned_registration_runs_grains()
    {
        await using var host = TestHost.Create(configure: o => o.AddGrainsFromAssembly(typeof(TurnTests).Assembly));
        Assert.Equal(5, await host.Get<ICounterGrain>("s").Echo(5));
    }
}
