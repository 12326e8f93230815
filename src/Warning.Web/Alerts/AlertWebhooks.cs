using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Orleans;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Alerts;

namespace Warning.Web.Alerts;

/// <summary>
/// The outgoing webhook of each area (<c>Alerts:Webhooks</c>, for an SMS or phone gateway): every lifecycle step of an
/// alert in the area's subtree (raised, escalated, acknowledged, resolved; not each repeat) is posted as JSON, signed
/// with HMAC-SHA256 over <c>{timestamp}.{body}</c> (headers <c>X-Warning-Timestamp</c>, <c>X-Warning-Signature:
/// sha256=…</c>), retried with a doubling delay, and every attempt goes into the alert's timeline. When the retries are
/// spent the delivery failure is an alert of its own (<c>delivery_failed</c>). A per-area rate limit holds a storm back.
/// </summary>
public sealed class AlertWebhooks(IOptions<AlertsOptions> options, AreaHierarchy hierarchy, IGrainFactory grains, TimeProvider time,
    ILogger<AlertWebhooks> logger) : BackgroundService
{
    public const string TimestampHeader = "X-Warning-Timestamp";
    public const string SignatureHeader = "X-Warning-Signature";

    private readonly Channel<(string Area, AlertWebhook Hook, AlertChange Change)> _queue = Channel.CreateUnbounded<(string, AlertWebhook, AlertChange)>();
    private readonly Dictionary<string, Queue<DateTimeOffset>> _sent = new(StringComparer.Ordinal);
    private readonly HttpClient _http = new() { Timeout = options.Value.WebhookTimeout };
    private static readonly JsonSerializerOptions Json = WarningJson.Create();

    public void Enqueue(AlertChange change)
    {
        if (change.Lifecycle is null || options.Value.Webhooks.Count == 0) return;
        // A failing gateway's own alert is not posted to it: that would feed the failure back into itself.
        foreach (var (area, hook) in options.Value.Webhooks)
            if (!(change.Alert.Rule == AlertRules.DeliveryFailed && change.Alert.Subject.Id == SubjectOf(area)) && Covers(area, change.Alert.RegionId))
                _queue.Writer.TryWrite((area, hook, change));
    }

    public static string Sign(string secret, string timestamp, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Deliveries run side by side (one slow gateway must not hold the others); each retries on its own.
        var running = new List<Task>();
        await foreach (var item in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            running.RemoveAll(t => t.IsCompleted);
            running.Add(DeliverAsync(item.Area, item.Hook, item.Change, stoppingToken));
        }
        await Task.WhenAll(running);
    }

    private async Task DeliverAsync(string area, AlertWebhook hook, AlertChange change, CancellationToken ct)
    {
        var o = options.Value;
        var body = JsonSerializer.Serialize(new { type = "alert", step = change.Lifecycle, seq = change.Seq, alert = change.Alert }, Json);
        var delay = o.WebhookRetryDelay;
        string? last = null;
        for (var attempt = 1; attempt <= o.WebhookRetries + 1 && !ct.IsCancellationRequested; attempt++)
        {
            await WaitForRateAsync(area, ct);
            var started = time.GetUtcNow();
            try
            {
                var timestamp = started.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
                using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.Add(TimestampHeader, timestamp);
                request.Headers.Add(SignatureHeader, Sign(hook.Secret, timestamp, body));
                using var response = await _http.SendAsync(request, ct);
                last = $"HTTP {(int)response.StatusCode}";
                if (response.IsSuccessStatusCode)
                {
                    await NoteAsync(change.Alert.Id, started, $"webhook {area} attempt {attempt}: delivered ({last})");
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                last = ex is TaskCanceledException ? "timed out" : ex.Message;
            }
            await NoteAsync(change.Alert.Id, started, $"webhook {area} attempt {attempt}: failed ({last})");
            logger.LogWarning("Webhook {Area} for alert {AlertId} attempt {Attempt} failed: {Error}", area, change.Alert.Id, attempt, last);
            if (attempt <= o.WebhookRetries) await Task.Delay(delay, ct);
            delay *= 2;
        }
        if (ct.IsCancellationRequested) return;
        var place = CaseAlerts.PlaceOf(hierarchy, area);
        await grains.RaiseAsync(new AlertSignal(AlertRules.DeliveryFailed, new AlertSubject("feed", SubjectOf(area)), area, AlertSeverity.High, time.GetUtcNow(),
            new AlertText($"预警推送失败：{place}", $"Alert delivery failed: {place}"),
            new AlertText($"预警 {change.Alert.Id} 的短信/电话网关推送重试 {o.WebhookRetries} 次仍失败（{last}）", $"Webhook for alert {change.Alert.Id} failed after {o.WebhookRetries} retries ({last})")), logger);
    }

    private async Task WaitForRateAsync(string area, CancellationToken ct)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_sent)
            {
                if (!_sent.TryGetValue(area, out var sent)) _sent[area] = sent = new Queue<DateTimeOffset>();
                var now = time.GetUtcNow();
                while (sent.Count > 0 && sent.Peek() <= now - TimeSpan.FromMinutes(1)) sent.Dequeue();
                if (sent.Count < options.Value.WebhookRatePerMinute)
                {
                    sent.Enqueue(now);
                    return;
                }
                wait = sent.Peek() + TimeSpan.FromMinutes(1) - now;
            }
            await Task.Delay(wait < TimeSpan.FromMilliseconds(50) ? TimeSpan.FromMilliseconds(50) : wait, ct);
        }
    }

    private Task NoteAsync(string alertId, DateTimeOffset at, string detail) =>
        grains.GetGrain<IAlertGrain>(alertId).Note(new AlertTimelineEntry(at, "notification", "system", null, null, Detail: detail));

    private bool Covers(string area, string regionId) => hierarchy.TryGet(regionId, out _) && hierarchy.PathToRoot(regionId).Any(a => a.Id == area);

    public static string SubjectOf(string area) => "webhook-" + area;

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }
}
