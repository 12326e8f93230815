namespace Warning.Silo.Tests.GrainHost;

public class TimerTests
{
    [Fact]
    public async Task Timers_fire_as_turns_and_stop_when_disposed()
    {
        await using var host = TestHost.Create();
        var grain = host.Get<ITimerGrain>("t");
        await grain.Start(periodMs: 5);
        var calls = new List<Task>();
        for (var i = 0; i < 40; i++) calls.Add(grain.Slow(3));
        await Task.WhenAll(calls);
        await LifecycleTests.WaitUntil(async () => await grain.Ticks() >= 10);
        Assert.Equal(0, await grain.Violations());

        await grain.Stop();
        var ticks = await grain.Ticks();
        await Task.Delay(100);
        Assert.Equal(ticks, await grain.Ticks());
    }

    [Fact]
    public async Task Timers_end_at_deactivation_and_do_not_keep_a_grain_alive()
    {
        await using var host = TestHost.Create();
        var grain = host.Get<ITimerGrain>("t2");
        await grain.Start(periodMs: 5);
        await LifecycleTests.WaitUntil(() => host.Tracker.TimerTicks >= 3);
        await Task.Delay(50);
        Assert.Equal(1, await host.Runtime.CollectIdleAsync(TimeSpan.FromMilliseconds(30))); // ticks are not activity
        var ticks = host.Tracker.TimerTicks;
        await Task.Delay(100);
        Assert.Equal(ticks, host.Tracker.TimerTicks);
        Assert.Equal(0, host.Runtime.ActivationCount);
    }
}
