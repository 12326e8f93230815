using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Warning.Web.Live;

namespace Warning.Web.Tests.Live;

/// <summary>The feed's numbering across restarts (issue 9): each <see cref="LiveFeed"/> here is one process's.</summary>
public sealed class LiveFeedTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 30, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task A_restarted_feed_numbers_above_everything_the_one_before_it_numbered()
    {
        var before = Feed(Start);
        await before.PublishAsync("spikes", "before");
        for (var i = 0; i < LiveFeed.Kept + 500; i++) await before.PublishAsync("situation", i);
        var lastSeen = before.Since(0).Max(m => m.Seq);

        var after = Feed(Start.AddSeconds(3));
        await after.PublishAsync("spikes", "after");
        await after.PublishAsync("situation", "after");
        await after.PublishAsync("situation", "latest");

        Assert.NotEqual(before.Epoch, after.Epoch);
        Assert.All(after.Since(0), m => Assert.True(m.Seq > lastSeen, $"seq {m.Seq} of the restarted feed is not above {lastSeen}"));
        // A client of the earlier process resuming with its last number (the public Resume(lastSeq)): the latest of each type.
        Assert.Equal(["spikes:after", "situation:latest"], after.Since(lastSeen).Select(m => $"{m.Type}:{m.Data}"));
        Assert.Equal(["spikes:after", "situation:latest"], after.Since(before.Epoch, lastSeen).Select(m => $"{m.Type}:{m.Data}"));
    }

    [Fact]
    public async Task A_number_from_another_epoch_gets_the_latest_of_each_type_even_when_the_clock_was_set_back()
    {
        var before = Feed(Start);
        for (var i = 0; i < 3; i++) await before.PublishAsync("situation", i);
        var lastSeen = before.Since(0).Max(m => m.Seq);

        // Restarted with the clock a millisecond behind: its numbers run through the ones the screen saw.
        var after = Feed(Start.AddMilliseconds(-1));
        await after.PublishAsync("spikes", "after");
        for (var i = 0; i < LiveFeed.Kept + 10; i++) await after.PublishAsync("situation", i);
        Assert.InRange(lastSeen, after.Since(0).Min(m => m.Seq), after.Since(0).Max(m => m.Seq));

        Assert.Equal(["spikes:after", $"situation:{LiveFeed.Kept + 9}"], after.Since(before.Epoch, lastSeen).Select(m => $"{m.Type}:{m.Data}"));
        // Its own epoch: only what came after the number.
        var last = after.Since(0).Max(m => m.Seq);
        Assert.Equal([$"situation:{LiveFeed.Kept + 9}"], after.Since(after.Epoch, last - 1).Select(m => $"{m.Type}:{m.Data}"));
        Assert.Empty(after.Since(after.Epoch, last));
    }

    private static LiveFeed Feed(DateTimeOffset start)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSignalR();
        var hub = services.BuildServiceProvider().GetRequiredService<IHubContext<ScreenHub>>();
        return new LiveFeed(hub, new FixedTime(start));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
