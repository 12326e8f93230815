namespace Warning.Web.Ingest;

public sealed class IngestOptions
{
    public const string Section = "Ingest";

    /// <summary>
    /// CONTRACTS.md: event times are not earlier than this. A year-1600 report once overflowed the time series'
    /// nanosecond timestamps and a year-1 report broke scoring; no dispute this service follows is that old.
    /// </summary>
    public DateTimeOffset EarliestEventTime { get; set; } = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Longest an append may wait for the log's store before intake answers 503 (with <see cref="RetryAfterSeconds"/>)
    /// instead of holding the request: the cluster's PostgreSQL away, or a disk that stopped answering.
    /// </summary>
    public TimeSpan AppendTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The <c>Retry-After</c> of that 503.</summary>
    public int RetryAfterSeconds { get; set; } = 5;
}
