using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Orleans;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Alerts;
using Warning.Web.Accounts;
using Warning.Web.Live;

namespace Warning.Web.Alerts;

/// <summary>
/// The duty console's hub (<c>/hubs/alerts</c>): pushes "message" (type <c>alert</c>, data the whole alert with its
/// version) for alerts in the caller's region. <c>Resume(lastSeq)</c> returns what was missed; when that is no longer
/// kept, one message of type <c>resync</c>: refetch <c>GET /api/v1/alerts</c>.
/// </summary>
[Authorize(Policy = Policies.AlertsRead)]
public sealed class AlertHub(IGrainFactory grains, AreaHierarchy hierarchy, Warning.Silo.Ingest.KnownIds known, [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Warning.Silo.Time.WarningClock.Business)] TimeProvider time) : Hub
{
    public const string Resync = "resync";

    public override async Task OnConnectedAsync()
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, AlertAudience.GroupOf(Context.User!, RegionScope.Of(Context.User!).RegionId));
        await base.OnConnectedAsync();
    }

    public async Task<IReadOnlyList<LiveMessage>> Resume(long lastSeq) => (await ResumeFrom(0, lastSeq)).Messages;

    /// <summary>As <see cref="Resume"/>, for the numbering <paramref name="epoch"/> the client saw (0: any); another epoch is a resync.</summary>
    public async Task<AlertHubResume> ResumeFrom(long epoch, long lastSeq)
    {
        var resume = await grains.GetGrain<IAlertBoardGrain>(IAlertBoardGrain.Key).Since(lastSeq);
        var scope = RegionScope.Of(Context.User!);
        if (!resume.Complete || (epoch != 0 && epoch != resume.Epoch))
            return new(resume.Epoch, false, [new LiveMessage(resume.Epoch, resume.LastSeq, Resync, time.GetUtcNow(), new { lastSeq = resume.LastSeq })]);
        return new(resume.Epoch, true, resume.Changes
            .Select(c => (c, View: AlertAudience.View(Context.User!, scope, c.Alert, hierarchy, known)))
            .Where(x => x.View is not null)
            .Select(x => new LiveMessage(resume.Epoch, x.c.Seq, AlertFeed.MessageType, x.c.At, x.View!)).ToArray());
    }
}

/// <param name="Complete">False: what was missed is no longer kept; refetch the list (the one message is a <c>resync</c>).</param>
public sealed record AlertHubResume(long Epoch, bool Complete, IReadOnlyList<LiveMessage> Messages);
