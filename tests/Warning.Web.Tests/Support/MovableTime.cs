namespace Warning.Web.Tests.Support;

/// <summary>The system clock plus an offset the test moves: the service's business clock (WarningClock.Business) in tests of days, deadlines and alert clocks.</summary>
public sealed class MovableTime : TimeProvider
{
    private long _offsetTicks;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));
}
