namespace Warning.Silo.Ingest;

/// <summary>
/// What a log entry is: an accepted record, or a <see cref="Rescore"/> tick (time passing is a state change too, and it
/// goes through the log so it is applied once and in order, see <c>Risk/OpenCaseRescore</c>).
/// </summary>
public enum IngestKind { Report, Incident, Person, Rescore, Screening }

/// <summary>
/// One accepted item, as durably appended to the ingest log. <see cref="Payload"/> is the normalised JSON record;
/// <see cref="Record"/> is the same record still in memory when the entry comes straight from intake (not a replay).
/// </summary>
public sealed record IngestEntry(long Seq, IngestKind Kind, string ItemId, string? CaseId, DateTimeOffset ReceivedAt, string Payload, object? Record = null)
{
    /// <summary>The partition whose owner applies it (<see cref="IngestPartitions"/>); always 0 in embedded mode.</summary>
    public int Partition { get; init; }

    /// <summary>What the grains are given as the entry's seq: unique across partitions (<see cref="LogPosition"/>).</summary>
    public long Position => LogPosition.Of(Partition, Seq);
}

/// <summary>An item ready to append; <see cref="CaseId"/> is the case it opened or updated, if any.</summary>
public sealed record PendingItem(IngestKind Kind, string ItemId, string? CaseId, string Payload, object? Record = null)
{
    public int Partition { get; init; }
}

/// <summary>
/// What happened to one appended item: stored now, or already stored earlier (then the earlier case id). An item stored
/// earlier with other content is a conflict: <see cref="ConflictingFields"/> names what differs, and the first version stands.
/// </summary>
public readonly record struct AppendResult(bool Duplicate, long Seq, string? CaseId, IReadOnlyList<string>? ConflictingFields = null)
{
    public bool Conflict => ConflictingFields is { Count: > 0 };
}
