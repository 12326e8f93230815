using Orleans;
using Orleans.Concurrency;

namespace Warning.Silo.Alerts;

/// <summary>One alert, keyed by its id (<c>rule:subjectId</c> of its first subject): its state, timeline and clocks.</summary>
[Alias("IAlertGrain")]
public interface IAlertGrain : IGrainWithStringKey
{
    /// <summary>A rule saw its condition (again): opens, re-opens or updates the alert.</summary>
    [Alias("Raise")]
    Task<Alert> Raise(AlertSignal signal, AlertRoute route);

    /// <summary>The condition no longer holds for <paramref name="subjectId"/>; with no subject left, the alert resolves after the keep-firing window.</summary>
    [Alias("Clear")]
    Task Clear(string subjectId);

    [Alias("Command")]
    Task<AlertCommandResult> Command(AlertCommand command);

    /// <summary>A silence or an inhibiting alert started or ended: null for none.</summary>
    [Alias("Suppress")]
    Task Suppress(string? silenceId, string? inhibitedBy);

    /// <summary>A notification attempt (push, webhook) for the timeline.</summary>
    [Alias("Note")]
    Task Note(AlertTimelineEntry entry);

    [Alias("Get")]
    Task<AlertDetail?> Get();

    /// <summary>
    /// The alert as it stands, null if none was written: what the board reads back when it activates. It may interleave
    /// with a change under way (it only reads), so the board reading an alert that is waiting on the board cannot deadlock.
    /// </summary>
    [AlwaysInterleave, Alias("Current")]
    Task<Alert?> Current();
}

/// <summary>Where the board sent a signal: the alert that takes it, and what suppresses it now.</summary>
[GenerateSerializer, Immutable, Alias("AlertRoute")]
public sealed record AlertRoute([property: Id(0)] string AlertId, [property: Id(1)] string? SilencedBy, [property: Id(2)] string? InhibitedBy);
