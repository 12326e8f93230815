using Microsoft.Extensions.Options;
using Warning.Silo.Alerts;
using Warning.Silo.Time;

namespace Warning.Silo.Tests.Alerts;

/// <summary>
/// The deadline watch's queue: a case is called when its moment comes, once; a moment further back than
/// Alerts:DeadlineCatchUp when the case applies (a backfill of old reports) is the re-score tick's, not the watch's.
/// </summary>
public sealed class CaseDeadlinesTests
{
    private sealed class SetTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly DateTimeOffset Start = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);

    private static (CaseDeadlines Deadlines, SetTime Time) Create()
    {
        var time = new SetTime(Start);
        var clock = new WarningClock(time, Options.Create(new ClockOptions()));
        return (new CaseDeadlines(clock, Options.Create(new AlertsOptions { DeadlineCatchUp = TimeSpan.FromDays(1) })), time);
    }

    [Fact]
    public void A_case_is_due_when_its_moment_comes_and_once()
    {
        var (deadlines, time) = Create();
        deadlines.Schedule("case-soon", Start.AddHours(2));
        Assert.Empty(deadlines.TakeDue(time.Now));
        time.Now = Start.AddHours(2);
        Assert.Equal(["case-soon"], deadlines.TakeDue(time.Now));
        Assert.Empty(deadlines.TakeDue(time.Now.AddHours(1)));
    }

    [Fact]
    public void A_moment_moved_or_cleared_before_it_comes_is_not_due()
    {
        var (deadlines, time) = Create();
        deadlines.Schedule("case-moved", Start.AddHours(1));
        deadlines.Schedule("case-moved", Start.AddHours(5));
        deadlines.Schedule("case-closed", Start.AddHours(1));
        deadlines.Schedule("case-closed", null);
        Assert.Empty(deadlines.TakeDue(Start.AddHours(2)));
        Assert.Equal(["case-moved"], deadlines.TakeDue(Start.AddHours(5)));
    }

    [Fact]
    public void A_late_report_is_called_at_once_and_a_backfill_of_old_reports_is_left_to_the_tick()
    {
        var (deadlines, time) = Create();
        deadlines.Schedule("case-filed-late", Start.AddHours(-20));
        deadlines.Schedule("case-from-last-year", Start.AddDays(-300));
        deadlines.Schedule("case-from-last-week", Start.AddDays(-7));
        Assert.Equal(["case-filed-late"], deadlines.TakeDue(time.Now));
        Assert.Empty(deadlines.TakeDue(time.Now.AddDays(400)));
    }
}
