namespace Warning.Silo.Tests.Support;

/// <summary>Waiting on a condition with a generous limit: a busy 2-core machine is slow, never a reason to fail.</summary>
public static class Poll
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    /// <summary>Checks <paramref name="condition"/> until it holds or <paramref name="limit"/> passes; returns whether it held.</summary>
    public static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            if (await condition()) return true;
            if (DateTime.UtcNow >= deadline) return false;
            await Task.Delay(Interval);
        }
    }

    public static Task<bool> UntilAsync(Func<bool> condition, TimeSpan limit) => UntilAsync(() => Task.FromResult(condition()), limit);
}
