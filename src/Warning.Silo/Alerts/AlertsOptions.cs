using Microsoft.Extensions.Options;

namespace Warning.Silo.Alerts;

/// <summary>The alert engine's settings (section <c>Alerts</c>), validated at start.</summary>
public sealed class AlertsOptions
{
    public const string Section = "Alerts";

    /// <summary>Whether the case rules run as reports apply (off only to measure what they cost: bench/alert-rules.sh).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a new alert stays pending so that a wave from one area becomes one alert; 0 fires at once.</summary>
    public TimeSpan GroupWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An acknowledged alert nobody resolved in this time fires again.</summary>
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// An info alert is a notice (a meeting pack is ready): it never escalates, never fires again after an
    /// acknowledgement, and resolves by itself this long after it fired.
    /// </summary>
    public TimeSpan InfoLifetime { get; set; } = TimeSpan.FromDays(3);

    /// <summary>How long an alert keeps firing after its condition cleared, so a flapping condition does not resolve and re-open it.</summary>
    public TimeSpan KeepFiring { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The delay before each escalation of an unacknowledged alert: the first takes it from the township duty officer to the
    /// county command center, the second to the city. An alert climbs no higher than the last. Empty (not set): 15 and 30 minutes.
    /// </summary>
    /// <remarks>No initializer: the configuration binder appends to a list it finds, so a default here would double up with the settings.</remarks>
    public List<TimeSpan> EscalationDelays { get; set; } = [];

    public static readonly TimeSpan[] DefaultEscalationDelays = [TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30)];

    /// <summary>How often an alert with something due looks at the clock (a grain timer per such alert, not a global loop).</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long past a case's deadline the deadline watch still calls it when the case is applied: a report filed a day
    /// late still alerts at once. A deadline further back is a backfill of old reports, and the next re-score tick, which
    /// visits every open case, raises it: a year of history loaded at 1,000 reports/s otherwise had the watch alert
    /// on every case it opened, faster than the console and the applier could follow.
    /// </summary>
    public TimeSpan DeadlineCatchUp { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Changes kept for <c>Resume(lastSeq)</c>; a client further behind refetches the list.</summary>
    public int ResumeWindow { get; set; } = 2000;

    /// <summary>Resolved alerts leave the list after this long (their grain keeps them).</summary>
    public TimeSpan ResolvedRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Dead-man per incident source (<c>police_110</c>…): silent for longer than this raises <c>feed_silent</c>. Absent: not watched.</summary>
    public Dictionary<string, TimeSpan> FeedHeartbeats { get; set; } = new();

    /// <summary>A county whose incidents of one kind exceed this count within <see cref="MassIncidentWindow"/> raises a mass-incident alert that inhibits its villages' derivative alerts.</summary>
    public int MassIncidentThreshold { get; set; } = 20;

    public TimeSpan MassIncidentWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>On-call schedules by area (township, county, city): who "notify the duty officer" reaches at a given time.</summary>
    public List<OnCallSchedule> OnCall { get; set; } = new();

    /// <summary>Outgoing webhooks by area id (an SMS or phone gateway): every alert change in the area's subtree is posted, signed.</summary>
    public Dictionary<string, AlertWebhook> Webhooks { get; set; } = new();

    /// <summary>Webhook retries after the first attempt, with the delay doubling from <see cref="WebhookRetryDelay"/>.</summary>
    public int WebhookRetries { get; set; } = 4;

    public TimeSpan WebhookRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>At most this many webhook posts per area per minute; the rest wait (an alert storm must not flood the phones).</summary>
    public int WebhookRatePerMinute { get; set; } = 60;
}

public sealed class AlertWebhook
{
    public string Url { get; set; } = "";

    /// <summary>The HMAC-SHA256 key the receiver verifies <c>X-Warning-Signature</c> with.</summary>
    public string Secret { get; set; } = "";
}

public sealed class AlertsOptionsValidator(Analytics.Hierarchy.AreaHierarchy hierarchy) : IValidateOptions<AlertsOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertsOptions o)
    {
        var errors = new List<string>();
        if (o.GroupWait < TimeSpan.Zero || o.GroupWait > TimeSpan.FromHours(1)) errors.Add($"Alerts:GroupWait must be from 0 to 1 hour (is {o.GroupWait})");
        if (o.AckTimeout <= TimeSpan.Zero) errors.Add($"Alerts:AckTimeout must be positive (is {o.AckTimeout})");
        if (o.KeepFiring < TimeSpan.Zero) errors.Add($"Alerts:KeepFiring must not be negative (is {o.KeepFiring})");
        if (o.InfoLifetime <= TimeSpan.Zero) errors.Add($"Alerts:InfoLifetime must be positive (is {o.InfoLifetime})");
        if (o.TickInterval <= TimeSpan.Zero || o.TickInterval > TimeSpan.FromMinutes(5)) errors.Add($"Alerts:TickInterval must be above 0 and at most 5 minutes (is {o.TickInterval})");
        if (o.DeadlineCatchUp < TimeSpan.Zero) errors.Add($"Alerts:DeadlineCatchUp must not be negative (is {o.DeadlineCatchUp})");
        for (var i = 0; i < o.EscalationDelays.Count; i++)
            if (o.EscalationDelays[i] <= TimeSpan.Zero) errors.Add($"Alerts:EscalationDelays:{i} must be positive (is {o.EscalationDelays[i]})");
        if (o.ResumeWindow < 10) errors.Add($"Alerts:ResumeWindow must be at least 10 (is {o.ResumeWindow})");
        foreach (var (source, interval) in o.FeedHeartbeats)
        {
            if (!Analytics.Disputes.DisputeVocabulary.TryParse<Analytics.Disputes.IncidentSource>(source, out _))
                errors.Add($"Alerts:FeedHeartbeats:{source} is not an incident source ({string.Join(", ", Analytics.Disputes.DisputeVocabulary.WireNames<Analytics.Disputes.IncidentSource>())})");
            if (interval <= TimeSpan.Zero) errors.Add($"Alerts:FeedHeartbeats:{source} must be positive (is {interval})");
        }
        foreach (var s in o.OnCall)
        {
            if (!hierarchy.Contains(s.RegionId)) errors.Add($"Alerts:OnCall: region '{s.RegionId}' is not in the loaded hierarchy");
            foreach (var ov in s.Overrides)
                if (ov.To <= ov.From) errors.Add($"Alerts:OnCall ({s.RegionId}): an override must end after it starts ({ov.From:O} – {ov.To:O})");
        }
        foreach (var (area, hook) in o.Webhooks)
        {
            if (!hierarchy.Contains(area)) errors.Add($"Alerts:Webhooks:{area}: not an area of the loaded hierarchy");
            if (!Uri.TryCreate(hook.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                errors.Add($"Alerts:Webhooks:{area}:Url must be an absolute http(s) URL (is '{hook.Url}')");
            if (hook.Secret.Length < 16) errors.Add($"Alerts:Webhooks:{area}:Secret must be at least 16 characters");
        }
        if (o.WebhookRetries is < 0 or > 20) errors.Add($"Alerts:WebhookRetries must be from 0 to 20 (is {o.WebhookRetries})");
        if (o.WebhookRetryDelay <= TimeSpan.Zero) errors.Add($"Alerts:WebhookRetryDelay must be positive (is {o.WebhookRetryDelay})");
        if (o.WebhookTimeout <= TimeSpan.Zero) errors.Add($"Alerts:WebhookTimeout must be positive (is {o.WebhookTimeout})");
        if (o.WebhookRatePerMinute < 1) errors.Add($"Alerts:WebhookRatePerMinute must be at least 1 (is {o.WebhookRatePerMinute})");
        if (o.MassIncidentThreshold < 2) errors.Add($"Alerts:MassIncidentThreshold must be at least 2 (is {o.MassIncidentThreshold})");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
