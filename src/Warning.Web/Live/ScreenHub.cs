using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Orleans;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Alerts;
using Warning.Silo.Time;
using Warning.Web.Accounts;
using Warning.Web.Alerts;

namespace Warning.Web.Live;

/// <summary>
/// The big screen's hub (<c>/hubs/screen</c>, optionally <c>?regionId=</c> for one county or township as the whole
/// screen): pushes "message" of the connection's view only; <c>Resume(lastSeq)</c> returns what was missed,
/// <c>ResumeFrom(epoch, lastSeq)</c> the same plus what a screen needs to know of the feed, <c>Villages()</c> the map.
/// The view is the caller's region unless they ask for one inside it; outside it the connection is refused as if the
/// region did not exist (the 404 of <see cref="RegionScope"/>).
/// </summary>
[Microsoft.AspNetCore.Authorization.Authorize(Policy = Policies.Aggregates)]
public sealed class ScreenHub(LiveFeed feed, ScreenViews screens, AreaHierarchy hierarchy, IGrainFactory grains, WarningClock clock,
    IOptions<LiveOptions> options, IOptions<ScreenOptions> screenOptions) : Hub
{
    private const string ViewKey = "view";

    public override async Task OnConnectedAsync()
    {
        var asked = Context.GetHttpContext()?.Request.Query["regionId"].ToString();
        if (!ScreenOptions.TryViewOf(hierarchy, RegionScope.Of(Context.User!), string.IsNullOrEmpty(asked) ? null : asked, out var view))
            throw new HubException("regionId not found");
        Context.Items[ViewKey] = view;
        await Groups.AddToGroupAsync(Context.ConnectionId, LiveFeed.GroupOf(view));
        screens.Watch(view);
        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        if (Context.Items.TryGetValue(ViewKey, out var view)) screens.Leave((string?)view);
        return base.OnDisconnectedAsync(exception);
    }

    private string? View => (string?)Context.Items[ViewKey];

    public IReadOnlyList<LiveMessage> Resume(long lastSeq) => feed.Since(lastSeq, View);

    /// <summary>
    /// What was missed since <paramref name="lastSeq"/> of feed <paramref name="epoch"/> (0: none seen yet); after a
    /// restart or too long away, the latest message of each type, and <see cref="LiveResume.Complete"/> false: the map's
    /// village changes in between are lost, so the screen reads <see cref="Villages"/> afresh.
    /// </summary>
    public LiveResume ResumeFrom(long epoch, long lastSeq)
    {
        var (messages, complete) = feed.Resume(epoch, lastSeq, View);
        return new(feed.Epoch, (int)clock.UtcOffset.TotalMinutes, options.Value.RefreshInterval.TotalSeconds, messages)
        {
            Complete = complete && epoch == feed.Epoch && lastSeq > 0,
            View = View,
            CarouselSeconds = screenOptions.Value.CarouselInterval.TotalSeconds,
        };
    }

    /// <summary>
    /// The view's alerts that are firing or acknowledged (not silenced), as the wall may show them: what the ticker starts from (a resume
    /// brings only the latest message of each type, one alert). Pending ones wait for their group; resolved ones are gone.
    /// </summary>
    public async Task<IReadOnlyList<ScreenAlert>> Alerts()
    {
        var alerts = await grains.GetGrain<IAlertBoardGrain>(IAlertBoardGrain.Key).List();
        return alerts.Where(a => (a.State is AlertState.Firing or AlertState.Acknowledged) && !AlertAudience.AnalystRules.Contains(a.Rule) && AlertFeed.InView(a, View, hierarchy))
            .Select(a => AlertFeed.ForScreen(a, hierarchy)).ToList();
    }

    /// <summary>Every village of the view with its risk, for a map drawn from nothing or after a gap.</summary>
    public async Task<IReadOnlyList<VillageRisk>> Villages()
    {
        var ids = View is { } v ? hierarchy.Descendants(v, AreaLevel.Village) : hierarchy.AtLevel(AreaLevel.Village);
        return await VillageRisk.ReadAsync(grains, ids.Select(a => a.Id).ToArray());
    }
}

/// <param name="UtcOffsetMinutes">The civil time "today" is cut in (Clock:UtcOffset): the screen shows times in it, whatever the browser's zone.</param>
/// <param name="RefreshSeconds">The situation comes at least this often (Live:RefreshInterval), so a screen that hears nothing for longer knows its data is stale.</param>
public sealed record LiveResume(long Epoch, int UtcOffsetMinutes, double RefreshSeconds, IReadOnlyList<LiveMessage> Messages)
{
    /// <summary>True when <see cref="Messages"/> is everything since the number asked for.</summary>
    public bool Complete { get; init; }

    /// <summary>The area the connection watches (null: the whole hierarchy).</summary>
    public string? View { get; init; }

    /// <summary>Screen:CarouselInterval in seconds (0: off): how long a city's screen shows each county.</summary>
    public double CarouselSeconds { get; init; }
}
