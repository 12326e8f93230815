using Hangfire;
using Warning.Silo.Time;

namespace Warning.Web.Jobs;

/// <summary>
/// Hangfire keeps a recurring job's zone as an id and looks it up when it computes the next occurrence (on whichever
/// node runs the scheduler). The deployment's civil time (<c>Clock:UtcOffset</c>) is a custom fixed-offset zone that no
/// system lookup knows, so it is resolved here; any other id goes to the system's zones.
/// </summary>
internal sealed class CivilTimeZoneResolver(TimeZoneInfo civil) : ITimeZoneResolver
{
    private readonly DefaultTimeZoneResolver _system = new();

    public TimeZoneInfo Civil => civil;

    public TimeZoneInfo GetTimeZoneById(string timeZoneId) =>
        string.Equals(timeZoneId, civil.Id, StringComparison.Ordinal) ? civil : _system.GetTimeZoneById(timeZoneId);

    public static CivilTimeZoneResolver From(ClockOptions clock) => new(clock.Zone);
}
