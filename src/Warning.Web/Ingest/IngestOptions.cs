namespace Warning.Web.Ingest;

public sealed class IngestOptions
{
    public const string Section = "Ingest";

    /// <summary>
    /// CONTRACTS.md: event times are not earlier than this. A year-1600 report once overflowed the time series'
    /// nanosecond timestamps and a year-1 report broke scoring; no dispute this service follows is that old.
    /// </summary>
    public DateTimeOffset EarliestEventTime { get; set; } = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
}
