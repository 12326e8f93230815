using Microsoft.AspNetCore.SignalR;

namespace Warning.Web.Live;

/// <summary>
/// A message pushed to screens; <see cref="Seq"/> lets a reconnecting client ask for what it missed, <see cref="Epoch"/>
/// says which process's feed numbered it. <see cref="View"/> is the area whose subtree it describes (null: the whole
/// hierarchy): only screens watching that view receive it, so a county's kiosk never gets the city's figures.
/// </summary>
public sealed record LiveMessage(long Epoch, long Seq, string Type, DateTimeOffset At, object Data)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public string? View { get; init; }

    /// <summary>
    /// When this node handed a pushed alert to its connections (null otherwise): with <see cref="At"/> and the page's
    /// own clock it tells the service's share of a push's delay from the network's and the browser's.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? SentAt { get; init; }
}

/// <summary>
/// Numbers every live message and keeps the last ones, so a screen that lost its connection for a while catches up
/// from its last sequence number instead of starting blank.
/// </summary>
public sealed class LiveFeed
{
    public const int Kept = 1000;
    private readonly IHubContext<ScreenHub> _hub;
    private readonly TimeProvider _time;
    private readonly LinkedList<LiveMessage> _recent = new();
    private readonly Dictionary<(string Type, string? View), LiveMessage> _latestByType = new();
    private long _seq;

    private readonly bool _shared;

    /// <summary>The epoch of every node's feed in cluster mode: one feed, numbered by all of them.</summary>
    public const long ClusterEpoch = 1;

    /// <param name="shared">
    /// Cluster mode: every node's pushes reach every node's screens (the Redis backplane), so the nodes number one feed
    /// together: the same epoch, and each number the time in microseconds (or one more than the last, if higher). Numbers
    /// from different nodes then interleave in time order, and a screen's "drop at or below the last seen" only drops a
    /// situation older than one it has. A node's <see cref="Since(long)"/> answers from what it published itself, which
    /// includes a situation at least every refresh interval: enough for a screen to catch up on.
    /// </param>
    public LiveFeed(IHubContext<ScreenHub> hub, TimeProvider time, ILogger<LiveFeed>? logger = null, bool shared = false)
    {
        _hub = hub;
        _time = time;
        _logger = logger;
        _shared = shared;
        Epoch = shared ? ClusterEpoch : time.GetUtcNow().ToUnixTimeMilliseconds();
        // Nothing is persisted, yet numbers must not go backwards across a restart: a screen that stays open through one
        // (and its script may predate the epoch) drops anything at or below the last number it saw. Starting at the start
        // time in microseconds lands above every number of an earlier process unless that one published more than a
        // message per microsecond it ran, or the clock was set back; the epoch covers that case. 2^53 is past year 2255.
        _seq = shared ? Microseconds() : Epoch * 1000;
    }

    private readonly ILogger<LiveFeed>? _logger;

    private long Microseconds() => (_time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    /// <summary>This process's feed: its start time in unix milliseconds. A client that sees another one forgets its sequence numbers.</summary>
    public long Epoch { get; }

    /// <summary>The SignalR group of the screens watching <paramref name="view"/> (null: the whole hierarchy).</summary>
    public static string GroupOf(string? view) => "view:" + (view ?? "*");

    /// <summary>Numbers and sends a message to the screens watching <paramref name="view"/>, and only to them.</summary>
    public async Task PublishAsync(string type, object data, string? view = null)
    {
        LiveMessage message;
        lock (_recent)
        {
            _seq = _shared ? Math.Max(_seq + 1, Microseconds()) : _seq + 1;
            message = new LiveMessage(Epoch, _seq, type, _time.GetUtcNow(), data) { View = view };
            _recent.AddLast(message);
            if (_recent.Count > Kept) _recent.RemoveFirst();
            _latestByType[(type, view)] = message;
        }
        if (!_shared)
        {
            await _hub.Clients.Group(GroupOf(view)).SendAsync("message", message);
            return;
        }
        try
        {
            await _hub.Clients.Group(GroupOf(view)).SendAsync("message", message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Redis away: nobody hears this push, but it is kept above, and a screen asks for it with Resume(lastSeq)
            // once pushes reach it again. The node goes on; only the screens wait.
            _logger?.LogWarning("Live push {Type} {Seq} not sent through the backplane: {Error}", type, message.Seq, ex.Message);
        }
    }

    /// <summary>Messages of <paramref name="view"/> after <paramref name="lastSeq"/>; if some were already dropped, the latest of each type instead.</summary>
    public IReadOnlyList<LiveMessage> Since(long lastSeq, string? view = null) => Resume(lastSeq, view).Messages;

    /// <summary>As <see cref="Since(long, string?)"/> when <paramref name="epoch"/> is this feed's; a number from another feed means nothing here, so the latest of each type.</summary>
    public IReadOnlyList<LiveMessage> Since(long epoch, long lastSeq, string? view = null) => Resume(epoch, lastSeq, view).Messages;

    /// <summary>What <see cref="Since(long, long, string?)"/> returns, and whether it is everything since the number (false: only the latest of each type, a gap).</summary>
    public (IReadOnlyList<LiveMessage> Messages, bool Complete) Resume(long epoch, long lastSeq, string? view)
    {
        if (epoch == Epoch) return Resume(lastSeq, view);
        lock (_recent) return (LatestOfEachType(view), false);
    }

    private (IReadOnlyList<LiveMessage> Messages, bool Complete) Resume(long lastSeq, string? view)
    {
        lock (_recent)
        {
            if (_recent.First is { } oldest && lastSeq >= oldest.Value.Seq - 1 && lastSeq <= _seq)
                return (_recent.Where(m => m.Seq > lastSeq && m.View == view).ToArray(), true);
            return (LatestOfEachType(view), false);
        }
    }

    private LiveMessage[] LatestOfEachType(string? view) => _latestByType.Values.Where(m => m.View == view).OrderBy(m => m.Seq).ToArray();
}
