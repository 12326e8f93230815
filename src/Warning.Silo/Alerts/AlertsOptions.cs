using Microsoft.Extensions.Options;

namespace Warning.Silo.Alerts;

/// <summary>The alert engine's settings (section <c>Alerts</c>), validated at start.</summary>
public sealed class AlertsOptions
{
    public const string Section = "Alerts";

    /// <summary>How long a new alert stays pending so that a wave from one area becomes one alert; 0 fires at once.</summary>
    public TimeSpan GroupWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An acknowledged alert nobody resolved in this time fires again.</summary>
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long an alert keeps firing after its condition cleared, so a flapping condition does not resolve and re-open it.</summary>
    public TimeSpan KeepFiring { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The delay before each escalation of an unacknowledged alert: the first takes it from the township duty officer to the
    /// county command center, the second to the city. An alert climbs no higher than the last.
    /// </summary>
    public List<TimeSpan> EscalationDelays { get; set; } = [TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30)];

    /// <summary>How often an alert with something due looks at the clock (a grain timer per such alert, not a global loop).</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Changes kept for <c>Resume(lastSeq)</c>; a client further behind refetches the list.</summary>
    public int ResumeWindow { get; set; } = 2000;

    /// <summary>Resolved alerts leave the list after this long (their grain keeps them).</summary>
    public TimeSpan ResolvedRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Dead-man per incident source (<c>police_110</c>…): silent for longer than this raises <c>feed_silent</c>. Absent: not watched.</summary>
    public Dictionary<string, TimeSpan> FeedHeartbeats { get; set; } = new();

    /// <summary>A county whose incidents of one kind exceed this count within <see cref="MassIncidentWindow"/> raises a mass-incident alert that inhibits its villages' derivative alerts.</summary>
    public int MassIncidentThreshold { get; set; } = 20;

    public TimeSpan MassIncidentWindow { get; set; } = TimeSpan.FromHours(1);
}

public sealed class AlertsOptionsValidator : IValidateOptions<AlertsOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertsOptions o)
    {
        var errors = new List<string>();
        if (o.GroupWait < TimeSpan.Zero || o.GroupWait > TimeSpan.FromHours(1)) errors.Add($"Alerts:GroupWait must be from 0 to 1 hour (is {o.GroupWait})");
        if (o.AckTimeout <= TimeSpan.Zero) errors.Add($"Alerts:AckTimeout must be positive (is {o.AckTimeout})");
        if (o.KeepFiring < TimeSpan.Zero) errors.Add($"Alerts:KeepFiring must not be negative (is {o.KeepFiring})");
        if (o.TickInterval <= TimeSpan.Zero || o.TickInterval > TimeSpan.FromMinutes(5)) errors.Add($"Alerts:TickInterval must be above 0 and at most 5 minutes (is {o.TickInterval})");
        for (var i = 0; i < o.EscalationDelays.Count; i++)
            if (o.EscalationDelays[i] <= TimeSpan.Zero) errors.Add($"Alerts:EscalationDelays:{i} must be positive (is {o.EscalationDelays[i]})");
        if (o.ResumeWindow < 10) errors.Add($"Alerts:ResumeWindow must be at least 10 (is {o.ResumeWindow})");
        foreach (var (source, interval) in o.FeedHeartbeats)
        {
            if (!Analytics.Disputes.DisputeVocabulary.TryParse<Analytics.Disputes.IncidentSource>(source, out _))
                errors.Add($"Alerts:FeedHeartbeats:{source} is not an incident source ({string.Join(", ", Analytics.Disputes.DisputeVocabulary.WireNames<Analytics.Disputes.IncidentSource>())})");
            if (interval <= TimeSpan.Zero) errors.Add($"Alerts:FeedHeartbeats:{source} must be positive (is {interval})");
        }
        if (o.MassIncidentThreshold < 2) errors.Add($"Alerts:MassIncidentThreshold must be at least 2 (is {o.MassIncidentThreshold})");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
