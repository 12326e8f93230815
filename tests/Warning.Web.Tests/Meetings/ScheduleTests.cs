using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Warning.Silo.Time;
using Warning.Analytics.Hierarchy;
using Warning.Web.Meetings;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Meetings;

/// <summary>The meetings' rhythm on a fake clock: the civil day decides, across a month's and a quarter's turn.</summary>
public sealed class ScheduleTests : IDisposable
{
    private readonly WarningAppFactory _factory = new();
    private readonly SettableClock _clock = new(new DateTimeOffset(2026, 12, 31, 15, 30, 0, TimeSpan.Zero));

    [Fact]
    public async Task The_daily_job_queues_county_monthly_and_city_quarterly_packs_on_the_civil_first_of_the_quarter()
    {
        var app = _factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Meetings:Schedule:Cron", "");
            // The packs it queues run on this host too; with no Chromium they fail at once instead of printing eight PDFs.
            b.UseSetting("Meetings:ChromiumPath", "/bin/false");
            b.UseSetting("Meetings:Schedule:SensitivePeriods:0:Name", "春节");
            b.UseSetting("Meetings:Schedule:SensitivePeriods:0:Starts", "2027-02-06");
            b.UseSetting("Meetings:Schedule:SensitivePeriods:0:LeadDays", "7");
        });
        _ = app.CreateClient();
        // The fake clock drives the job only: the host's own clock stays real (Orleans' membership would take a month's
        // jump for a silo that stopped answering, and declare it dead).
        var job = new ScheduledPacksJob(_factory.Hierarchy, app.Services.GetRequiredService<PackRuns>(),
            new WarningClock(_clock, Options.Create(new ClockOptions())), app.Services.GetRequiredService<IOptions<MeetingScheduleOptions>>(),
            NullLogger<ScheduledPacksJob>.Instance);
        var counties = _factory.Hierarchy.AtLevel(AreaLevel.County).Select(a => a.Id).Order(StringComparer.Ordinal).ToArray();

        // 23:30 on 31 December in China (15:30 UTC): still December there, nothing due.
        Assert.Empty(await job.RunAsync());

        // 00:30 on 1 January in China, still 31 December in UTC: December's county packs and the fourth quarter's city pack.
        _clock.Now = new DateTimeOffset(2026, 12, 31, 16, 30, 0, TimeSpan.Zero);
        var due = (await job.RunAsync()).Select(s => s.Order).ToArray();
        Assert.Equal(counties, due.Where(o => o.Kind == "monthly").Select(o => o.RegionId).Order(StringComparer.Ordinal));
        Assert.All(due.Where(o => o.Kind == "monthly"), o => Assert.Equal((new DateOnly(2026, 12, 1), new DateOnly(2026, 12, 31)), (o.From, o.To)));
        var quarterly = Assert.Single(due, o => o.Kind == "quarterly");
        Assert.Equal(_factory.CityId, quarterly.RegionId);
        Assert.Equal((new DateOnly(2026, 10, 1), new DateOnly(2026, 12, 31)), (quarterly.From, quarterly.To));

        // 1 February (civil): a month's first day, not a quarter's.
        _clock.Now = new DateTimeOffset(2027, 1, 31, 16, 0, 0, TimeSpan.Zero);
        due = (await job.RunAsync()).Select(s => s.Order).ToArray();
        Assert.Equal(counties.Length, due.Length);
        Assert.All(due, o => Assert.Equal(("monthly", new DateOnly(2027, 1, 1), new DateOnly(2027, 1, 31)), (o.Kind, o.From, o.To)));

        // A week before Spring Festival: the intensive packs of every county and the city, over the last 30 days.
        _clock.Now = new DateTimeOffset(2027, 1, 30, 1, 0, 0, TimeSpan.Zero);
        due = (await job.RunAsync()).Select(s => s.Order).ToArray();
        Assert.Equal(counties.Append(_factory.CityId).Order(StringComparer.Ordinal), due.Select(o => o.RegionId).Order(StringComparer.Ordinal));
        Assert.All(due, o => Assert.Equal(("intensive", new DateOnly(2026, 12, 31), new DateOnly(2027, 1, 29)), (o.Kind, o.From, o.To)));
        Assert.All(due, o => Assert.Contains("春节", o.Trigger));

        // An ordinary day owes nothing.
        _clock.Now = new DateTimeOffset(2027, 1, 14, 18, 0, 0, TimeSpan.Zero);
        Assert.Empty(await job.RunAsync());
    }

    public void Dispose() => _factory.Dispose();

    private sealed class SettableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
