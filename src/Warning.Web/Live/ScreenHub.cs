using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Warning.Silo.Time;

namespace Warning.Web.Live;

/// <summary>
/// The big screen's hub (<c>/hubs/screen</c>): pushes "message"; <c>Resume(lastSeq)</c> returns what was missed,
/// <c>ResumeFrom(epoch, lastSeq)</c> the same plus what a screen needs to know of the feed.
/// </summary>
[Microsoft.AspNetCore.Authorization.Authorize(Policy = Accounts.Policies.Aggregates)]
public sealed class ScreenHub(LiveFeed feed, WarningClock clock, IOptions<LiveOptions> options) : Hub
{
    public IReadOnlyList<LiveMessage> Resume(long lastSeq) => feed.Since(lastSeq);

    /// <summary>
    /// What was missed since <paramref name="lastSeq"/> of feed <paramref name="epoch"/> (0: none seen yet); after a
    /// restart, the latest message of each type.
    /// </summary>
    public LiveResume ResumeFrom(long epoch, long lastSeq) =>
        new(feed.Epoch, (int)clock.UtcOffset.TotalMinutes, options.Value.RefreshInterval.TotalSeconds, feed.Since(epoch, lastSeq));
}

/// <param name="UtcOffsetMinutes">The civil time "today" is cut in (Clock:UtcOffset): the screen shows times in it, whatever the browser's zone.</param>
/// <param name="RefreshSeconds">The situation comes at least this often (Live:RefreshInterval), so a screen that hears nothing for longer knows its data is stale.</param>
public sealed record LiveResume(long Epoch, int UtcOffsetMinutes, double RefreshSeconds, IReadOnlyList<LiveMessage> Messages);
