using Microsoft.AspNetCore.SignalR;

namespace Warning.Web.Live;

/// <summary>The big screen's hub (<c>/hubs/screen</c>): pushes "message"; <c>Resume(lastSeq)</c> returns what was missed.</summary>
public sealed class ScreenHub(LiveFeed feed) : Hub
{
    public IReadOnlyList<LiveMessage> Resume(long lastSeq) => feed.Since(lastSeq);
}
