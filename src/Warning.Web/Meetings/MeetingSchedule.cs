using Microsoft.Extensions.Options;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Time;

namespace Warning.Web.Meetings;

/// <summary>A sensitive period (e.g. Spring Festival, National Day): an intensive pack is made <see cref="LeadDays"/> before it starts.</summary>
public sealed class SensitivePeriod
{
    public string Name { get; set; } = "";
    public DateOnly Starts { get; set; }
    public int LeadDays { get; set; } = 7;
    /// <summary>How many days before the pack's day it looks back.</summary>
    public int LookBackDays { get; set; } = 30;
}

/// <summary>The meetings' rhythm (seed 001), bound from <c>Meetings:Schedule</c>.</summary>
public sealed class MeetingScheduleOptions
{
    /// <summary>When, in civil time, the day's due packs are queued (after the night's data is in); empty turns schedules off.</summary>
    public string Cron { get; set; } = "0 2 * * *";

    public List<SensitivePeriod> SensitivePeriods { get; set; } = new();
}

/// <summary>Which packs a civil day owes: county monthly on the 1st, city quarterly on a quarter's first day, intensive before sensitive periods.</summary>
public static class MeetingSchedule
{
    public static IReadOnlyList<PackOrder> Due(DateOnly today, AreaHierarchy hierarchy, IEnumerable<SensitivePeriod> sensitive, string trigger)
    {
        var orders = new List<PackOrder>();
        var cities = hierarchy.AtLevel(AreaLevel.City).Select(a => a.Id).Order(StringComparer.Ordinal).ToArray();
        var counties = hierarchy.AtLevel(AreaLevel.County).Select(a => a.Id).Order(StringComparer.Ordinal).ToArray();
        if (today.Day == 1)
        {
            var lastMonth = today.AddMonths(-1);
            orders.AddRange(counties.Select(id => new PackOrder("monthly", id, lastMonth, today.AddDays(-1), null, trigger)));
            if ((today.Month - 1) % 3 == 0)
                orders.AddRange(cities.Select(id => new PackOrder("quarterly", id, today.AddMonths(-3), today.AddDays(-1), null, trigger)));
        }
        foreach (var period in sensitive.Where(p => p.Starts.AddDays(-p.LeadDays) == today))
            orders.AddRange(counties.Concat(cities).Select(id => new PackOrder("intensive", id, today.AddDays(-period.LookBackDays), today.AddDays(-1), null, $"{trigger}: {period.Name}")));
        return orders;
    }
}

/// <summary>The daily recurring job: queues what today owes, each pack as a job of its own.</summary>
public sealed class ScheduledPacksJob(AreaHierarchy hierarchy, PackRuns runs, WarningClock clock, IOptions<MeetingScheduleOptions> options, ILogger<ScheduledPacksJob> logger)
{
    public const string RecurringId = "meetings.scheduled-packs";

    public Task<IReadOnlyList<PackJobStatus>> RunAsync()
    {
        var today = clock.Today;
        var due = MeetingSchedule.Due(today, hierarchy, options.Value.SensitivePeriods, $"schedule {today:yyyy-MM-dd}");
        logger.LogInformation("Meeting schedule of {Day:yyyy-MM-dd}: {Count} packs due", today, due.Count);
        return Task.FromResult<IReadOnlyList<PackJobStatus>>(due.Select(runs.Queue).ToArray());
    }
}
