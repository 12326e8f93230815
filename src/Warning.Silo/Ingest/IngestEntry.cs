namespace Warning.Silo.Ingest;

public enum IngestKind { Report, Incident, Person }

/// <summary>One accepted item, as durably appended to the ingest log. <see cref="Payload"/> is the normalised JSON record.</summary>
public sealed record IngestEntry(long Seq, IngestKind Kind, string ItemId, string? CaseId, DateTimeOffset ReceivedAt, string Payload);

/// <summary>An item ready to append; <see cref="CaseId"/> is the case it opened or updated, if any.</summary>
public sealed record PendingItem(IngestKind Kind, string ItemId, string? CaseId, string Payload);

/// <summary>What happened to one appended item: stored now, or already stored earlier (then the earlier case id).</summary>
public readonly record struct AppendResult(bool Duplicate, long Seq, string? CaseId);
