using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Warning.Silo.Time;
using Warning.Web.Live;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Screen;

/// <summary>
/// Issue 15, the service's side of midnight, driven by a fake business clock: the screen's "today" counts start again at
/// 00:00 China time (+08:00), whatever the host's zone, while the open cases stay open. (The page's own clock turning
/// is ScreenMapTests.)
/// </summary>
public sealed class ScreenMidnightTests : IDisposable
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
    private readonly WarningAppFactory _factory = new();

    [Fact]
    public async Task Today_starts_again_at_civil_midnight_and_the_open_cases_stay()
    {
        // Business time one minute before the next midnight in China.
        var time = new MovableTime();
        var now = time.GetUtcNow().ToOffset(China);
        var midnight = new DateTimeOffset(now.Date.AddDays(1), China);
        time.Advance(midnight - TimeSpan.FromMinutes(1) - now);
        using var app = _factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("Live:RefreshInterval", "00:00:01");
            b.ConfigureServices(s => s.AddKeyedSingleton<TimeProvider>(WarningClock.Business, time));
        });
        var client = app.CreateClient();
        app.Services.GetRequiredService<ScreenViews>().Watch(null);
        var feed = app.Services.GetRequiredService<LiveFeed>();

        var grid = _factory.GridIds[11];
        var report = Reports.Valid(grid);
        report["reportedAt"] = time.GetUtcNow().AddSeconds(-20).ToString("O");
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/reports", report)).Status);

        (int Today, int Open) shown = default;
        Assert.True(await Poll.UntilAsync(() => (shown = Latest(feed)) == (1, 1), Limit), $"before midnight the screen showed today {shown.Today}, open {shown.Open}");

        time.Advance(TimeSpan.FromMinutes(2));
        Assert.True(await Poll.UntilAsync(() => (shown = Latest(feed)) == (0, 1), Limit), $"after midnight the screen showed today {shown.Today}, open {shown.Open}");
    }

    /// <summary>The latest situation pushed to a whole-city screen: today's new cases and the open ones, summed over its regions.</summary>
    private static (int Today, int Open) Latest(LiveFeed feed)
    {
        if (feed.Since(0).LastOrDefault(m => m.Type == "situation") is not { } message) return (-1, -1);
        var regions = JsonSerializer.SerializeToElement(message.Data, JsonSerializerOptions.Web).GetProperty("regions").EnumerateArray().ToArray();
        return (regions.Sum(r => r.GetProperty("counts").GetProperty("today").GetInt32()), regions.Sum(r => r.GetProperty("counts").GetProperty("open").GetInt32()));
    }

    public void Dispose() => _factory.Dispose();
}
