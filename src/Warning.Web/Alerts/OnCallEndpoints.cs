using Microsoft.Extensions.Options;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Alerts;
using Warning.Silo.Time;
using Warning.Web.Accounts;

namespace Warning.Web.Alerts;

/// <param name="Chain">Level 0 is the area's township duty officer, 1 its county command center, 2 the city: where an unacknowledged alert climbs.</param>
public sealed record OnCallAnswer(string RegionId, DateTimeOffset At, IReadOnlyList<OnCallLevel> Chain, IReadOnlyList<double> EscalationDelaysSeconds);

public static class OnCallEndpoints
{
    public static RouteGroupBuilder MapOnCall(this RouteGroupBuilder api)
    {
        api.MapGet("/oncall", (string? regionId, string? at, HttpContext http, AreaHierarchy hierarchy, IOptions<AlertsOptions> options, WarningClock clock, [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Warning.Silo.Time.WarningClock.Business)] TimeProvider time) =>
        {
            var scope = RegionScope.Of(http);
            var region = regionId ?? scope.DefaultRegion(hierarchy);
            if (!scope.Allows(hierarchy, region)) return Problems.NotFound("regionId", $"region '{region}' is not in the loaded hierarchy");
            var moment = time.GetUtcNow();
            if (at is not null && !DateTimeOffset.TryParse(at, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out moment))
                return AlertEndpoints.Invalid("at", "at must be an ISO-8601 time with offset");
            return Results.Ok(new OnCallAnswer(region, moment, OnCall.At(hierarchy, options.Value.OnCall, region, moment, clock.UtcOffset),
                options.Value.EscalationDelays.Select(d => d.TotalSeconds).ToArray()));
        }).RequireAuthorization(Policies.AlertsDesk).WithTags("Alerts");
        return api;
    }
}
