using System.Text.Json.Serialization;
using Orleans;
using Warning.Analytics.Risk;

namespace Warning.Silo.Alerts;

[JsonConverter(typeof(SnakeCaseEnumConverter<AlertState>))]
[GenerateSerializer, Alias("AlertState")]
public enum AlertState { Pending, Firing, Acknowledged, Resolved, Suppressed }

[JsonConverter(typeof(SnakeCaseEnumConverter<AlertSeverity>))]
[GenerateSerializer, Alias("AlertSeverity")]
public enum AlertSeverity { Info, Warning, High, Critical }

/// <summary>The rules' names, as they appear in alert keys (<c>rule:subjectId</c>) and in silences.</summary>
public static class AlertRules
{
    public const string CaseHigh = "case_high";
    public const string HarmIncident = "harm_incident";
    public const string CheckInMissed = "check_in_missed";
    public const string Spike = "spike";
    public const string CaseOverdue = "case_overdue";
    public const string ScreeningOverdue = "screening_overdue";
    public const string FeedSilent = "feed_silent";
    public const string DeliveryFailed = "delivery_failed";
    public const string MassIncident = "mass_incident";
    /// <summary>A meeting pack was generated: an info notice to the area's analysts (the one rule they see).</summary>
    public const string PackReady = "pack_ready";

    public static readonly string[] All = [CaseHigh, HarmIncident, CheckInMissed, Spike, CaseOverdue, ScreeningOverdue, FeedSilent, DeliveryFailed, MassIncident, PackReady];
}

[GenerateSerializer, Immutable, Alias("AlertSubject")]
public sealed record AlertSubject([property: Id(0)] string Kind, [property: Id(1)] string Id);

/// <summary>Text in both of the console's languages.</summary>
[GenerateSerializer, Immutable, Alias("AlertText")]
public sealed record AlertText([property: Id(0)] string Zh, [property: Id(1)] string En);

/// <summary>A dispatch (吹哨报到): the department called and the time it must answer by.</summary>
[GenerateSerializer, Immutable, Alias("AlertAssignment")]
public sealed record AlertAssignment([property: Id(0)] string Department, [property: Id(1)] DateTimeOffset Deadline);

/// <summary>
/// What a rule saw, sent by the grain that saw it. <paramref name="AreaId"/> is the area the alert belongs to (a
/// village for case, grid and person rules: alerts group by area and rule); <paramref name="Category"/> lets silences
/// match a dispute category. <paramref name="Position"/> is the log position of the entry that raised it, when an entry
/// did (a report or incident applied to a case; not a timer or a re-score tick).
/// </summary>
[GenerateSerializer, Immutable, Alias("AlertSignal")]
public sealed record AlertSignal(
    [property: Id(0)] string Rule,
    [property: Id(1)] AlertSubject Subject,
    [property: Id(2)] string AreaId,
    [property: Id(3)] AlertSeverity Severity,
    [property: Id(4)] DateTimeOffset At,
    [property: Id(5)] AlertText Title,
    [property: Id(6)] AlertText Detail,
    [property: Id(7)] string? Category = null,
    [property: Id(8)] long? Position = null)
{
    public string Key => $"{Rule}:{Subject.Id}";
}

/// <summary>One line of an alert's history: a state change, a notification or a human action, with before and after.</summary>
[GenerateSerializer, Immutable, Alias("AlertTimelineEntry")]
public sealed record AlertTimelineEntry(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Kind,
    [property: Id(2)] string Actor,
    [property: Id(3)] AlertState? Before,
    [property: Id(4)] AlertState? After,
    [property: Id(5)] string? Comment = null,
    [property: Id(6)] string? Detail = null)
{
    /// <summary>The actor's unit (their region's name): what the big screen may show instead of a person.</summary>
    [Id(7)] public string? Unit { get; init; }
    [Id(8)] public int? VersionBefore { get; init; }
    [Id(9)] public int? VersionAfter { get; init; }
}

/// <summary>An alert as the API, the console and the hubs show it (CONTRACTS.md "Alerts"); the timeline only in <see cref="AlertDetail"/>.</summary>
[GenerateSerializer, Immutable, Alias("Alert")]
public sealed record Alert(
    [property: Id(0)] string Id,
    [property: Id(1)] string Key,
    [property: Id(2)] string Rule,
    [property: Id(3)] AlertSeverity Severity,
    [property: Id(4)] AlertState State,
    [property: Id(5)] int Version,
    [property: Id(6)] string RegionId,
    [property: Id(7)] IReadOnlyList<string> AreaPath,
    [property: Id(8)] AlertSubject Subject,
    [property: Id(9)] AlertText Title,
    [property: Id(10)] AlertText Detail,
    [property: Id(11)] DateTimeOffset FirstSeenAt,
    [property: Id(12)] DateTimeOffset LastSeenAt,
    [property: Id(13)] int Count,
    [property: Id(14)] int EscalationLevel)
{
    [Id(15)] public string? AcknowledgedBy { get; init; }
    /// <summary>The acknowledging officer's unit: the big screen shows this, never <see cref="AcknowledgedBy"/>.</summary>
    [Id(16)] public string? AcknowledgedUnit { get; init; }
    [Id(17)] public DateTimeOffset? AcknowledgedAt { get; init; }
    [Id(18)] public AlertAssignment? AssignedTo { get; init; }
    [Id(19)] public string? SilencedBy { get; init; }
    [Id(20)] public string? InhibitedBy { get; init; }
    /// <summary>The subjects grouped into this alert (a wave of cases from one village is one alert listing them).</summary>
    [Id(21)] public IReadOnlyList<string> Subjects { get; init; } = [];
    [Id(22)] public string? Category { get; init; }
    [Id(23)] public DateTimeOffset? FiredAt { get; init; }
    [Id(24)] public DateTimeOffset? ResolvedAt { get; init; }
    /// <summary>When the alert next changes by itself (fires, escalates, re-fires, resolves); null when nothing is due.</summary>
    [Id(25)] public DateTimeOffset? DueAt { get; init; }

    public bool IsOpen => State != AlertState.Resolved;
}

[GenerateSerializer, Immutable, Alias("AlertDetail")]
public sealed record AlertDetail([property: Id(0)] Alert Alert, [property: Id(1)] IReadOnlyList<AlertTimelineEntry> Timeline);

[JsonConverter(typeof(SnakeCaseEnumConverter<AlertCommandKind>))]
[GenerateSerializer, Alias("AlertCommandKind")]
public enum AlertCommandKind { Ack, Unack, Assign, Resolve, Comment }

/// <summary>A duty officer's action on an alert, carrying the version they saw.</summary>
[GenerateSerializer, Immutable, Alias("AlertCommand")]
public sealed record AlertCommand(
    [property: Id(0)] AlertCommandKind Kind,
    [property: Id(1)] int Version,
    [property: Id(2)] string Actor,
    [property: Id(3)] string Unit,
    [property: Id(4)] string? Comment,
    [property: Id(5)] AlertAssignment? Assignment = null);

[GenerateSerializer, Alias("AlertCommandOutcome")]
public enum AlertCommandOutcome { Done, Stale, NotFound, Invalid }

[GenerateSerializer, Immutable, Alias("AlertCommandResult")]
public sealed record AlertCommandResult(
    [property: Id(0)] AlertCommandOutcome Outcome,
    [property: Id(1)] Alert? Alert,
    [property: Id(2)] string? Field = null,
    [property: Id(3)] string? Message = null);

/// <summary>An alert's change as the board numbered it, with the lifecycle step it was (for the time series), if any.</summary>
[GenerateSerializer, Immutable, Alias("AlertChange")]
public sealed record AlertChange(
    [property: Id(0)] long Seq,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] Alert Alert,
    [property: Id(3)] string? Lifecycle);
