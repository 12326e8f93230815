using Microsoft.AspNetCore.Hosting;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Jobs;

/// <summary>A recurring job fires on the deployment's clock (Clock:UtcOffset), not on UTC or the host's zone.</summary>
public sealed class CivilTimeScheduleTests : IDisposable
{
    private readonly WarningAppFactory _factory = new();

    [Fact]
    public async Task A_recurring_job_fires_in_the_hours_of_the_civil_time()
    {
        // A civil hour that is neither UTC's nor this host's now, so a cron read in either of those would not fire.
        var offset = TimeSpan.FromHours(8);
        if (TimeZoneInfo.Local.GetUtcOffset(DateTimeOffset.UtcNow) == offset) offset = TimeSpan.FromHours(-5);
        var civilNow = DateTimeOffset.UtcNow.ToOffset(offset);
        var hours = $"{civilNow.Hour},{(civilNow.Hour + 1) % 24}";
        // Every 10 s, but only in this civil hour and the next (the test may straddle the turn of the hour).
        var app = _factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Clock:UtcOffset", offset.ToString());
            b.UseSetting("Risk:RescoreCron", $"*/10 * {hours} * * *");
            b.UseSetting("Risk:RetrainCron", "");
            b.UseSetting("Spikes:ScanOnStartup", "false");
            b.UseSetting("Jobs:SchedulePollingInterval", "00:00:01");
            b.UseSetting("Jobs:QueuePollInterval", "00:00:00.200");
        });
        _ = app.CreateClient();
        string[] Occurrences() => RescoreTicks.Reasons(app.Services);
        Assert.True(await Poll.UntilAsync(() => Occurrences().Length >= 2, TimeSpan.FromSeconds(90)), "no scheduled tick within 90 s");

        foreach (var reason in Occurrences())
        {
            // "scheduled 2026-03-02T14:05:20+08:00": the occurrence the store's scheduler ran, in civil time.
            Assert.StartsWith("scheduled ", reason);
            var at = DateTimeOffset.Parse(reason["scheduled ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(offset, at.Offset);
            Assert.Contains(at.Hour, new[] { civilNow.Hour, (civilNow.Hour + 1) % 24 });
            // Not on the 10 s mark itself: Hangfire's relaxed misfire handling stamps an occurrence its scheduler reached
            // late (a busy machine) with the time it got there.
            Assert.NotEqual(at.Hour, at.UtcDateTime.Hour);
        }
    }

    public void Dispose() => _factory.Dispose();
}
