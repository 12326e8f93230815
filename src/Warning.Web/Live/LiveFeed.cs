using Microsoft.AspNetCore.SignalR;

namespace Warning.Web.Live;

/// <summary>A message pushed to screens; <see cref="Seq"/> lets a reconnecting client ask for what it missed.</summary>
public sealed record LiveMessage(long Seq, string Type, DateTimeOffset At, object Data);

/// <summary>
/// Numbers every live message and keeps the last ones, so a screen that lost its connection for a while catches up
/// from its last sequence number instead of starting blank.
/// </summary>
public sealed class LiveFeed(IHubContext<ScreenHub> hub, TimeProvider time)
{
    public const int Kept = 1000;
    private readonly LinkedList<LiveMessage> _recent = new();
    private readonly Dictionary<string, LiveMessage> _latestByType = new();
    private long _seq;

    public async Task PublishAsync(string type, object data)
    {
        LiveMessage message;
        lock (_recent)
        {
            message = new LiveMessage(++_seq, type, time.GetUtcNow(), data);
            _recent.AddLast(message);
            if (_recent.Count > Kept) _recent.RemoveFirst();
            _latestByType[type] = message;
        }
        await hub.Clients.All.SendAsync("message", message);
    }

    /// <summary>Messages after <paramref name="lastSeq"/>; if some were already dropped, the latest of each type instead.</summary>
    public IReadOnlyList<LiveMessage> Since(long lastSeq)
    {
        lock (_recent)
        {
            if (_recent.First is { } oldest && lastSeq >= oldest.Value.Seq - 1 && lastSeq <= _seq)
                return _recent.Where(m => m.Seq > lastSeq).ToArray();
            return _latestByType.Values.OrderBy(m => m.Seq).ToArray();
        }
    }
}
