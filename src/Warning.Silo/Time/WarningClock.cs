using Microsoft.Extensions.DependencyInjection;

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

/// <summary>Now, and the civil day a moment falls on, in business time (<see cref="Business"/>).</summary>
public sealed class WarningClock([Microsoft.Extensions.DependencyInjection.FromKeyedServices(WarningClock.Business)] TimeProvider time,
    Microsoft.Extensions.Options.IOptions<ClockOptions> options)
{
    /// <summary>
    /// The key of business time: "today", deadlines, alert clocks, a basis's expiry. By default the host's clock; a test
    /// that moves time by hours or days moves only this one (keyed <see cref="TimeProvider"/>). Orleans reads the host's
    /// unkeyed clock for its membership heartbeats, and seeing its own heartbeat hours late, a silo declares itself dead
    /// and stops the process.
    /// </summary>
    public const string Business = "business";

    public TimeSpan UtcOffset { get; } = options.Value.UtcOffset;

    public DateTimeOffset Now => time.GetUtcNow().ToOffset(UtcOffset);

    public DateOnly Today => DayOf(time.GetUtcNow());

    public DateOnly DayOf(DateTimeOffset moment) => DateOnly.FromDateTime(moment.ToOffset(UtcOffset).DateTime);
}

public static class WarningClockServiceCollectionExtensions
{
    /// <summary>The clock, and business time defaulting to the host's <see cref="TimeProvider"/>.</summary>
    public static IServiceCollection AddWarningClock(this IServiceCollection services)
    {
        services.AddKeyedSingleton<TimeProvider>(WarningClock.Business, (sp, _) => sp.GetRequiredService<TimeProvider>());
        return services.AddSingleton<WarningClock>();
    }
}
