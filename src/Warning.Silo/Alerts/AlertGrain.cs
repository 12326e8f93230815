using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;
using Warning.Analytics.Hierarchy;

namespace Warning.Silo.Alerts;

[GenerateSerializer, Alias("AlertGrainState")]
public sealed class AlertGrainState
{
    [Id(0)] public Alert? Alert { get; set; }
    [Id(1)] public List<AlertTimelineEntry> Timeline { get; set; } = new();
    /// <summary>Subjects whose condition still holds; when none is left the keep-firing window starts.</summary>
    [Id(2)] public HashSet<string> Active { get; set; } = new(StringComparer.Ordinal);
    [Id(3)] public DateTimeOffset? ClearedAt { get; set; }
    /// <summary>Since when the alert has stood at its escalation level unacknowledged (the next escalation counts from it).</summary>
    [Id(4)] public DateTimeOffset? LevelSince { get; set; }
    [Id(5)] public DateTimeOffset? PendingSince { get; set; }
    [Id(6)] public bool DeadlineMissed { get; set; }
    /// <summary>For each subject, the last log position whose signal was counted (<see cref="AlertSignal.Position"/>).</summary>
    [Id(7)] public Dictionary<string, long> CountedUpTo { get; set; } = new();
}

/// <summary>
/// One alert's lifecycle: pending → firing → acknowledged → resolved, or suppressed while silenced or inhibited. Each
/// change is written before it is announced (an alert survives a restart), gets version + 1 and a timeline line, and goes
/// to the board, which numbers and pushes it. What happens by time (group wait over, escalation, ack timeout, a missed
/// dispatch deadline, the keep-firing window) is checked by a grain timer that runs only while something is due.
/// </summary>
[GrainType("alert")]
public sealed class AlertGrain(
    [PersistentState("state")] IPersistentState<AlertGrainState> state,
    IOptions<AlertsOptions> options, [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Warning.Silo.Time.WarningClock.Business)] TimeProvider time, AreaHierarchy hierarchy, ILogger<AlertGrain> logger) : Grain, IAlertGrain
{
    private const string System = "system";
    private IGrainTimer? _timer;
    /// <summary>The latest version written: what <see cref="Current"/> answers while a change may be under way.</summary>
    private Alert? _written;
    private AlertsOptions Options => options.Value;
    private AlertGrainState S => state.State;
    private IAlertBoardGrain Board => GrainFactory.GetGrain<IAlertBoardGrain>(IAlertBoardGrain.Key);

    public async Task<Alert> Raise(AlertSignal signal, AlertRoute route)
    {
        // A restart after kill -9 replays the log from the checkpoint. A case whose state went with the crash applies
        // those entries again and raises again; this alert, written at once, has already counted them (and a replayed
        // old entry must not reopen an alert resolved since). Positions of one case only grow: it is in one partition.
        if (signal.Position is { } position)
        {
            if (S.Alert is { } known && S.CountedUpTo.TryGetValue(signal.Subject.Id, out var counted) && position <= counted)
            {
                // Counted already. The board lists an alert for good only once a checkpoint passes the entry that raised it,
                // so an alert new since the checkpoint may be missing from its list after the same crash: it learns the alert
                // again as it stands (a no-op when it knows this version).
                try { await Board.Record(known, null); }
                catch (Exception ex) { logger.LogError(ex, "Alert {AlertId} version {Version} not recorded on the board", known.Id, known.Version); }
                ArmTimer();
                return known;
            }
            S.CountedUpTo[signal.Subject.Id] = position;
        }
        var now = time.GetUtcNow();
        var before = S.Alert;
        string? lifecycle = null;
        S.Active.Add(signal.Subject.Id);
        S.ClearedAt = null;
        if (before is null || before.State == AlertState.Resolved)
        {
            var suppressed = route.SilencedBy is not null || route.InhibitedBy is not null;
            var fireNow = Options.GroupWait <= TimeSpan.Zero;
            var next = new Alert(this.GetPrimaryKeyString(), signal.Key, signal.Rule, signal.Severity,
                suppressed ? AlertState.Suppressed : fireNow ? AlertState.Firing : AlertState.Pending,
                (before?.Version ?? 0) + 1, signal.AreaId, AreaPath(signal.AreaId), signal.Subject, signal.Title, signal.Detail,
                before?.FirstSeenAt ?? now, now, (before?.Count ?? 0) + 1, 0)
            {
                Subjects = [signal.Subject.Id],
                Category = signal.Category,
                SilencedBy = route.SilencedBy,
                InhibitedBy = route.InhibitedBy,
                FiredAt = fireNow && !suppressed ? now : null,
            };
            S.Active = new HashSet<string>([signal.Subject.Id], StringComparer.Ordinal);
            S.PendingSince = now;
            S.LevelSince = now;
            S.DeadlineMissed = false;
            if (next.State == AlertState.Firing) lifecycle = "raised";
            await ChangeAsync(next, new AlertTimelineEntry(now, before is null ? "opened" : "reopened", System, before?.State, next.State,
                Detail: $"{signal.Subject.Kind} {signal.Subject.Id}"), lifecycle);
            return S.Alert!;
        }

        var subjects = before.Subjects.Contains(signal.Subject.Id) ? before.Subjects : [.. before.Subjects, signal.Subject.Id];
        var severity = signal.Severity > before.Severity ? signal.Severity : before.Severity;
        var updated = before with
        {
            Version = before.Version + 1, LastSeenAt = now, Count = before.Count + 1, Severity = severity, Subjects = subjects,
            Title = subjects.Count > 1 ? Grouped(signal.Title, subjects.Count) : signal.Title,
            Detail = subjects.Count > 1 ? before.Detail : signal.Detail,
        };
        // A repeat updates count and last seen; only a new subject or a higher severity is worth a timeline line.
        var entry = subjects.Count != before.Subjects.Count || severity != before.Severity
            ? new AlertTimelineEntry(now, subjects.Count != before.Subjects.Count ? "grouped" : "severity_raised", System, before.State, updated.State,
                Detail: $"{signal.Subject.Kind} {signal.Subject.Id} ({signal.Severity.ToString().ToLowerInvariant()})")
            : null;
        await ChangeAsync(updated, entry, null);
        return S.Alert!;
    }

    public async Task Clear(string subjectId)
    {
        if (S.Alert is not { IsOpen: true } alert || !S.Active.Remove(subjectId)) return;
        if (S.Active.Count > 0)
        {
            await state.WriteStateAsync();
            return;
        }
        S.ClearedAt = time.GetUtcNow();
        await ChangeAsync(alert with { Version = alert.Version + 1 },
            new AlertTimelineEntry(S.ClearedAt.Value, "condition_cleared", System, alert.State, alert.State, Detail: $"resolves after {Options.KeepFiring} unless seen again"), null);
    }

    public async Task<AlertCommandResult> Command(AlertCommand c)
    {
        if (S.Alert is not { } alert) return new(AlertCommandOutcome.NotFound, null, "id", "no such alert");
        var comment = string.IsNullOrWhiteSpace(c.Comment) ? null : c.Comment.Trim();
        if (comment is null && c.Kind is AlertCommandKind.Ack or AlertCommandKind.Resolve or AlertCommandKind.Comment)
            return new(AlertCommandOutcome.Invalid, alert, "comment", $"a comment is required to {c.Kind.ToString().ToLowerInvariant()} an alert");
        if (c.Kind == AlertCommandKind.Assign)
        {
            if (string.IsNullOrWhiteSpace(c.Assignment?.Department)) return new(AlertCommandOutcome.Invalid, alert, "department", "the department to dispatch to is required");
            if (c.Assignment.Deadline <= time.GetUtcNow()) return new(AlertCommandOutcome.Invalid, alert, "deadline", "the response deadline must be in the future");
        }
        if (c.Version != alert.Version) return new(AlertCommandOutcome.Stale, alert, "version", $"the alert is at version {alert.Version}, not {c.Version}");
        var allowed = c.Kind switch
        {
            AlertCommandKind.Ack => alert.State is AlertState.Pending or AlertState.Firing or AlertState.Suppressed,
            AlertCommandKind.Unack => alert.State == AlertState.Acknowledged,
            AlertCommandKind.Assign or AlertCommandKind.Resolve => alert.IsOpen,
            _ => true,
        };
        if (!allowed) return new(AlertCommandOutcome.Invalid, alert, "state", $"a {alert.State.ToString().ToLowerInvariant()} alert cannot take {c.Kind.ToString().ToLowerInvariant()}");

        var now = time.GetUtcNow();
        string? lifecycle = null;
        var next = alert with { Version = alert.Version + 1 };
        switch (c.Kind)
        {
            case AlertCommandKind.Ack:
                next = next with { State = AlertState.Acknowledged, AcknowledgedBy = c.Actor, AcknowledgedUnit = c.Unit, AcknowledgedAt = now };
                lifecycle = "acknowledged";
                break;
            case AlertCommandKind.Unack:
                next = next with { State = Unsuppressed(alert), AcknowledgedBy = null, AcknowledgedUnit = null, AcknowledgedAt = null, FiredAt = alert.FiredAt ?? now };
                S.LevelSince = now;
                break;
            case AlertCommandKind.Assign:
                next = next with { AssignedTo = c.Assignment };
                S.DeadlineMissed = false;
                break;
            case AlertCommandKind.Resolve:
                next = next with { State = AlertState.Resolved, ResolvedAt = now };
                lifecycle = "resolved";
                break;
        }
        var detail = c.Kind == AlertCommandKind.Assign ? $"{c.Assignment!.Department} by {c.Assignment.Deadline:O}" : null;
        await ChangeAsync(next, new AlertTimelineEntry(now, c.Kind.ToString().ToLowerInvariant(), c.Actor, alert.State, next.State, comment, detail)
        {
            Unit = c.Unit, VersionBefore = alert.Version, VersionAfter = next.Version,
        }, lifecycle);
        return new(AlertCommandOutcome.Done, S.Alert);
    }

    public async Task Suppress(string? silenceId, string? inhibitedBy)
    {
        if (S.Alert is not { IsOpen: true } alert || (alert.SilencedBy == silenceId && alert.InhibitedBy == inhibitedBy)) return;
        var now = time.GetUtcNow();
        var next = alert with { Version = alert.Version + 1, SilencedBy = silenceId, InhibitedBy = inhibitedBy };
        string? lifecycle = null;
        if (alert.State != AlertState.Acknowledged)
        {
            next = next with { State = silenceId is not null || inhibitedBy is not null ? AlertState.Suppressed : Unsuppressed(next) };
            if (next.State == AlertState.Firing && alert.FiredAt is null)
            {
                next = next with { FiredAt = now };
                lifecycle = "raised";
            }
            if (next.State == AlertState.Firing) S.LevelSince = now;
        }
        var why = silenceId is not null ? $"silence {silenceId}" : inhibitedBy is not null ? $"inhibited by {inhibitedBy}" : "no longer silenced or inhibited";
        await ChangeAsync(next, new AlertTimelineEntry(now, silenceId is null && inhibitedBy is null ? "unsuppressed" : "suppressed", System, alert.State, next.State, Detail: why), lifecycle);
    }

    public async Task Note(AlertTimelineEntry entry)
    {
        S.Timeline.Add(entry);
        await state.WriteStateAsync();
    }

    public Task<AlertDetail?> Get() => Task.FromResult(S.Alert is { } a ? new AlertDetail(a, S.Timeline.ToArray()) : null);

    public Task<Alert?> Current() => Task.FromResult(_written);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _written = S.Alert;
        ArmTimer();
        return Task.CompletedTask;
    }

    /// <summary>Pending (or suppressed that is no longer) becomes firing once the group wait is over; else what it was.</summary>
    private AlertState Unsuppressed(Alert a) =>
        a.SilencedBy is not null || a.InhibitedBy is not null ? AlertState.Suppressed
        : a.FiredAt is null && S.PendingSince is { } since && time.GetUtcNow() < since + Options.GroupWait ? AlertState.Pending
        : AlertState.Firing;

    /// <summary>What falls due next, by the injected clock: a test's fake clock moves it.</summary>
    private DateTimeOffset? DueAt(Alert a)
    {
        DateTimeOffset? due = null;
        void Consider(DateTimeOffset? at)
        {
            if (at is { } t && (due is null || t < due)) due = t;
        }
        if (!a.IsOpen) return null;
        if (a.State == AlertState.Pending) Consider(S.PendingSince + Options.GroupWait);
        if (a.Severity == AlertSeverity.Info)
        {
            if (a.State is AlertState.Firing or AlertState.Acknowledged) Consider(a.FiredAt + Options.InfoLifetime);
            return due;
        }
        if (a.State == AlertState.Firing && a.EscalationLevel < Options.EscalationDelays.Count) Consider(S.LevelSince + Options.EscalationDelays[a.EscalationLevel]);
        if (a.State == AlertState.Acknowledged) Consider(a.AcknowledgedAt + Options.AckTimeout);
        if (a.AssignedTo is { } assigned && !S.DeadlineMissed) Consider(assigned.Deadline);
        if (S.ClearedAt is { } cleared) Consider(cleared + Options.KeepFiring);
        return due;
    }

    private async Task TickAsync()
    {
        // One step per pass, each its own version and timeline line, until nothing more is due now.
        for (var step = 0; step < 16 && S.Alert is { } a && DueAt(a) is { } due && due <= time.GetUtcNow(); step++)
        {
            var now = time.GetUtcNow();
            var next = a with { Version = a.Version + 1 };
            AlertTimelineEntry entry;
            string? lifecycle = null;
            if (S.ClearedAt is { } cleared && cleared + Options.KeepFiring <= now)
            {
                next = next with { State = AlertState.Resolved, ResolvedAt = now };
                entry = new(now, "auto_resolved", System, a.State, next.State, Detail: "the condition stayed clear through the keep-firing window");
                lifecycle = "resolved";
                S.ClearedAt = null;
            }
            else if (a.Severity == AlertSeverity.Info && a.State is AlertState.Firing or AlertState.Acknowledged)
            {
                next = next with { State = AlertState.Resolved, ResolvedAt = now };
                entry = new(now, "expired", System, a.State, next.State, Detail: $"an info notice, {Options.InfoLifetime} after it fired");
                lifecycle = "resolved";
            }
            else if (a.State == AlertState.Pending)
            {
                next = next with { State = AlertState.Firing, FiredAt = now };
                S.LevelSince = now;
                entry = new(now, "fired", System, a.State, next.State, Detail: $"group wait {Options.GroupWait} over with {a.Subjects.Count} subject(s)");
                lifecycle = "raised";
            }
            else if (a.State == AlertState.Acknowledged && a.AcknowledgedAt + Options.AckTimeout <= now)
            {
                next = next with { State = AlertState.Firing, AcknowledgedBy = null, AcknowledgedUnit = null, AcknowledgedAt = null };
                S.LevelSince = now;
                entry = new(now, "ack_timeout", System, a.State, next.State, Detail: $"acknowledged {Options.AckTimeout} ago and not resolved: firing again");
                lifecycle = "raised";
            }
            else if (a.AssignedTo is { } assigned && !S.DeadlineMissed && assigned.Deadline <= now)
            {
                S.DeadlineMissed = true;
                next = Escalated(next, now);
                entry = new(now, "dispatch_overdue", System, a.State, next.State, Detail: $"{assigned.Department} did not answer by {assigned.Deadline:O}: escalated to level {next.EscalationLevel}");
                lifecycle = "escalated";
            }
            else
            {
                next = Escalated(next, now);
                entry = new(now, "escalated", System, a.State, next.State, Detail: $"not acknowledged: escalated to level {next.EscalationLevel}");
                lifecycle = "escalated";
            }
            await ChangeAsync(next, entry with { VersionBefore = a.Version, VersionAfter = next.Version }, lifecycle);
        }
    }

    private Alert Escalated(Alert a, DateTimeOffset now)
    {
        S.LevelSince = now;
        // A missed dispatch deadline escalates even an acknowledged alert; it goes back to firing so the next level acts on it.
        return a with { EscalationLevel = Math.Min(a.EscalationLevel + 1, Options.EscalationDelays.Count), State = a.State == AlertState.Acknowledged ? AlertState.Firing : a.State };
    }

    private async Task ChangeAsync(Alert next, AlertTimelineEntry? entry, string? lifecycle)
    {
        next = next with { DueAt = null };
        S.Alert = next;
        S.Alert = next with { DueAt = DueAt(next) };
        if (entry is not null) S.Timeline.Add(entry.VersionAfter is null ? entry with { VersionBefore = next.Version - 1, VersionAfter = next.Version } : entry);
        await state.WriteStateAsync();
        _written = S.Alert;
        try
        {
            await Board.Record(S.Alert, lifecycle);
        }
        catch (Exception ex)
        {
            // The alert itself is written; the list catches up with its next change.
            logger.LogError(ex, "Alert {AlertId} version {Version} not recorded on the board", next.Id, next.Version);
        }
        ArmTimer();
    }

    private void ArmTimer()
    {
        var due = S.Alert is { } a ? DueAt(a) : null;
        if (due is null)
        {
            _timer?.Dispose();
            _timer = null;
            return;
        }
        _timer ??= this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(Options.TickInterval, Options.TickInterval) { KeepAlive = true });
    }

    private IReadOnlyList<string> AreaPath(string areaId) =>
        hierarchy.TryGet(areaId, out _) ? hierarchy.PathToRoot(areaId).Reverse().Select(a => a.Name).ToArray() : [];

    private static AlertText Grouped(AlertText title, int subjects) => new($"{title.Zh}（共{subjects}项）", $"{title.En} ({subjects} in all)");
}
