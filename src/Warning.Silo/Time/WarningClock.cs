namespace Warning.Silo.Time;

public sealed class ClockOptions
{
    /// <summary>Offset of the deployment's civil time; days ("today", daily counts) are cut in it. China has no DST.</summary>
    public TimeSpan UtcOffset { get; set; } = TimeSpan.FromHours(8);

    /// <summary>
    /// The civil time as a zone, for the recurring jobs' cron (a fixed offset: no DST to follow). Job stores keep the
    /// zone by id, so the id carries the sign: -03:00 and +03:00 must not share one.
    /// </summary>
    public TimeZoneInfo Zone => TimeZoneInfo.CreateCustomTimeZone(ZoneId, UtcOffset, $"Warning civil time ({ZoneId[8..]})", "Warning civil time");

    public string ZoneId => $"Warning/UTC{(UtcOffset < TimeSpan.Zero ? '-' : '+')}{UtcOffset:hh\\:mm}";
}

/// <summary>Now, and the civil day a moment falls on. Tests swap in a fixed clock through <see cref="TimeProvider"/>.</summary>
public sealed class WarningClock(TimeProvider time, Microsoft.Extensions.Options.IOptions<ClockOptions> options)
{
    public TimeSpan UtcOffset { get; } = options.Value.UtcOffset;

    public DateTimeOffset Now => time.GetUtcNow().ToOffset(UtcOffset);

    public DateOnly Today => DayOf(time.GetUtcNow());

    public DateOnly DayOf(DateTimeOffset moment) => DateOnly.FromDateTime(moment.ToOffset(UtcOffset).DateTime);
}
