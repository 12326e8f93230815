using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.TimeSeries;
using Warning.Silo.Alerts;
using Warning.Silo.TimeSeries;
using Warning.Web.Live;

namespace Warning.Web.Alerts;

/// <summary>
/// Where the alert board's numbered changes go on this node: the duty console's hub (to the groups whose region holds
/// the alert), the big screen's feed without any person (the acknowledging unit instead of the officer), and the
/// lifecycle points of the time series. In cluster mode the board lives on one node and its pushes reach every node's
/// clients through the backplane, so each change is sent once.
/// </summary>
public sealed class AlertFeed(IHubContext<AlertHub> hub, LiveFeed screen, ScreenViews views, AreaHierarchy hierarchy, AlertWebhooks webhooks, Warning.Silo.Ingest.KnownIds known,
    IServiceProvider services, ILogger<AlertFeed> logger) : IAlertSink
{
    public const string MessageType = "alert";

    /// <summary>The group of connections that see everything (callers with no region).</summary>
    public const string Everywhere = "alerts:*";

    public static string GroupOf(string? regionId) => regionId is null ? Everywhere : "alerts:" + regionId;

    // The board calls Publish inside its grain turn, where every await would resume on the board's own scheduler,
    // queued behind the signals it routes. One loop on the thread pool sends instead, in the board's order.
    private readonly Channel<(LiveMessage Message, AlertChange Change)> _outbox = Channel.CreateUnbounded<(LiveMessage, AlertChange)>(new() { SingleReader = true });
    private Task? _sending;

    public void Publish(long epoch, AlertChange change)
    {
        var message = new LiveMessage(epoch, change.Seq, MessageType, change.At, change.Alert);
        _outbox.Writer.TryWrite((message, change));
        if (_sending is null) lock (_outbox) _sending ??= Task.Run(SendLoopAsync);
        if (change.Lifecycle is { } step) Record(change, step);
        webhooks.Enqueue(change);
    }

    private async Task SendLoopAsync()
    {
        await foreach (var (message, change) in _outbox.Reader.ReadAllAsync())
            await SendAsync(message, change);
    }

    /// <summary>The groups that may see an alert: the desk everywhere and in every area on its path to the root, and for a notice the analysts' too.</summary>
    public IReadOnlyList<string> GroupsFor(Alert alert)
    {
        var path = hierarchy.TryGet(alert.RegionId, out _) ? hierarchy.PathToRoot(alert.RegionId).Select(a => a.Id).ToArray() : [];
        IEnumerable<string> groups = [Everywhere, .. path.Select(GroupOf)];
        // Analysts hear the notices meant for them (AlertAudience), in their region and above.
        if (AlertAudience.AnalystRules.Contains(alert.Rule))
            groups = groups.Concat([AlertAudience.NoticeGroupOf(null), .. path.Select(AlertAudience.NoticeGroupOf)]);
        return groups.ToArray();
    }

    private async Task SendAsync(LiveMessage message, AlertChange change)
    {
        try
        {
            message = message with { SentAt = DateTimeOffset.UtcNow };
            await hub.Clients.Groups(GroupsFor(change.Alert)).SendAsync("message", message);
            // Each screen watches one view (a region, or everything): the alert goes to every view whose subtree holds it.
            var path = hierarchy.TryGet(change.Alert.RegionId, out _) ? hierarchy.PathToRoot(change.Alert.RegionId).Select(a => a.Id).ToHashSet(StringComparer.Ordinal) : [];
            // The wall shows what a duty officer acts on; a notice that a pack is ready is the analysts' own.
            if (AlertAudience.AnalystRules.Contains(change.Alert.Rule)) return;
            foreach (var view in views.Watched.Where(v => v is null || path.Contains(v)))
                await screen.PublishAsync(MessageType, ForScreen(change.Alert, hierarchy), view);
            // Last, each grid of the alert's subjects hears its own share (a grid supervisor's region is one grid): the
            // case-to-grid lookups come after the desks' and the wall's pushes, not ahead of them.
            foreach (var grid in AlertAudience.GridsOf(change.Alert, known))
                if (AlertAudience.ForGrid(change.Alert, grid, hierarchy, known) is { } share)
                    await hub.Clients.Group(GroupOf(grid)).SendAsync("message", message with { Data = share });
        }
        catch (Exception ex)
        {
            // A client that missed it asks with Resume(lastSeq).
            logger.LogWarning("Alert {AlertId} version {Version} not pushed: {Error}", change.Alert.Id, change.Alert.Version, ex.Message);
        }
    }

    /// <summary>What the wall display may show: no officer's name and no key individual's id; the unit that signed for it.</summary>
    public static ScreenAlert ForScreen(Alert a, AreaHierarchy hierarchy) => new(a.Id, a.Rule, a.Severity, a.State, a.Version, a.RegionId, a.AreaPath,
        a.Subject.Kind == "person" ? new AlertSubject("person", "") : a.Subject, a.Title, a.FirstSeenAt, a.LastSeenAt, a.Count, a.EscalationLevel,
        a.AcknowledgedUnit, a.AcknowledgedAt, a.SilencedBy is not null || a.InhibitedBy is not null)
    {
        AreaIds = hierarchy.TryGet(a.RegionId, out _) ? hierarchy.PathToRoot(a.RegionId).Reverse().Select(x => x.Id).ToArray() : [],
    };

    /// <summary>Whether an alert belongs on a screen watching <paramref name="view"/> (null: everything).</summary>
    public static bool InView(Alert a, string? view, AreaHierarchy hierarchy) =>
        view is null || (hierarchy.TryGet(a.RegionId, out _) && hierarchy.PathToRoot(a.RegionId).Any(x => x.Id == view));

    private void Record(AlertChange change, string step)
    {
        if (services.GetService<TimeSeriesFeed>() is not { } series) return;
        var a = change.Alert;
        var kind = step switch
        {
            "acknowledged" => AlertEventKind.Acknowledged,
            "escalated" => AlertEventKind.Escalated,
            "resolved" => AlertEventKind.Resolved,
            _ => AlertEventKind.Raised,
        };
        TimeSpan? since = a.FiredAt is { } fired && kind is AlertEventKind.Acknowledged or AlertEventKind.Resolved ? change.At - fired : null;
        series.RecordAlert(new AlertEvent(a.Id, kind, change.At, a.RegionId, a.Rule, a.Severity.ToString().ToLowerInvariant(), since, a.EscalationLevel));
    }
}

/// <summary>An alert on the big screen: <see cref="AcknowledgedBy"/> is the unit (已签收 by whom), never a person.</summary>
public sealed record ScreenAlert(string Id, string Rule, AlertSeverity Severity, AlertState State, int Version, string RegionId, IReadOnlyList<string> AreaPath,
    AlertSubject Subject, AlertText Title, DateTimeOffset FirstSeenAt, DateTimeOffset LastSeenAt, int Count, int EscalationLevel,
    string? AcknowledgedBy, DateTimeOffset? AcknowledgedAt, bool Suppressed)
{
    /// <summary>The ids of the alert's area and of every area above it, root first: a screen counts it for each.</summary>
    public IReadOnlyList<string> AreaIds { get; init; } = [];
}
