using Orleans;
using Orleans.Concurrency;

namespace Warning.Silo.Alerts;

/// <summary>
/// Every alert's latest version in one place (key <see cref="Key"/>): the list the API filters, the groups signals join,
/// the silences, and the numbered changes a reconnecting client resumes from.
/// </summary>
[Alias("IAlertBoardGrain")]
public interface IAlertBoardGrain : IGrainWithStringKey
{
    public const string Key = "all";

    /// <summary>The alert a signal belongs to: an open alert of its rule and area if any, else its own key.</summary>
    [Alias("Route")]
    Task<AlertRoute> Route(AlertSignal signal);

    /// <summary>The open alert holding the subject of <paramref name="signalKey"/>, if any.</summary>
    [Alias("Holder")]
    Task<string?> Holder(string signalKey);

    /// <summary>
    /// Numbers an alert's new version and pushes it; <paramref name="lifecycle"/> names the step for the time series. A new
    /// alert's id is written first; calls interleave so that the ids of alerts raised together share one write.
    /// </summary>
    [AlwaysInterleave, Alias("Record")]
    Task<long> Record(Alert alert, string? lifecycle);

    [Alias("List")]
    Task<IReadOnlyList<Alert>> List();

    /// <summary>The changes after <paramref name="lastSeq"/>, or null when some are no longer kept (the client refetches the list).</summary>
    [Alias("Since")]
    Task<AlertResume> Since(long lastSeq);

    [Alias("AddSilence")]
    Task<Silence> AddSilence(Silence silence);

    [Alias("RemoveSilence")]
    Task<Silence?> RemoveSilence(string id, string actor, DateTimeOffset at);

    [Alias("Silences")]
    Task<IReadOnlyList<Silence>> Silences();

    /// <summary>Writes what changed now: the applier's checkpoint calls it before recording a position past the entries that raised alerts.</summary>
    [Alias("Flush")]
    Task Flush();
}

/// <param name="Epoch">The board's numbering: numbers of another epoch mean nothing here.</param>
/// <param name="Complete">False when changes after the number asked for are no longer kept: refetch the list.</param>
[GenerateSerializer, Immutable, Alias("AlertResume")]
public sealed record AlertResume([property: Id(0)] long Epoch, [property: Id(1)] long LastSeq, [property: Id(2)] bool Complete, [property: Id(3)] IReadOnlyList<AlertChange> Changes);

/// <summary>A silence: alerts matching every matcher given are suppressed (still listed, as suppressed) until it ends.</summary>
[GenerateSerializer, Immutable, Alias("Silence")]
public sealed record Silence(
    [property: Id(0)] string Id,
    [property: Id(1)] SilenceMatchers Matchers,
    [property: Id(2)] string CreatedBy,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset EndsAt,
    [property: Id(5)] string Reason)
{
    [Id(6)] public DateTimeOffset? RemovedAt { get; init; }
    [Id(7)] public string? RemovedBy { get; init; }

    public bool ActiveAt(DateTimeOffset now) => RemovedAt is null && now < EndsAt;
}

/// <param name="RegionId">Matches alerts in this area or under it.</param>
[GenerateSerializer, Immutable, Alias("SilenceMatchers")]
public sealed record SilenceMatchers([property: Id(0)] string? RegionId, [property: Id(1)] string? Rule, [property: Id(2)] string? Category);
