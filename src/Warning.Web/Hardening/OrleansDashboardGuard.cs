using Orleans.Dashboard;
using Orleans.Runtime;
using Warning.Silo;
using Warning.Web.Accounts;

namespace Warning.Web.Hardening;

/// <summary>
/// The Orleans dashboard at <c>/orleans</c>, behind the operator policy, with the silo addresses in its paths checked
/// first. The dashboard makes a grain of whatever address it is given, and a malformed one threw from the grain's
/// constructor (500); one that parses but names no silo of this cluster would wait on a call to nowhere. Either is
/// now 404 problem+json before the dashboard sees it. The live log stream is off unless Orleans:DashboardTrace.
/// </summary>
public static class OrleansDashboardGuard
{
    public const string Prefix = "/orleans";

    /// <summary>The dashboard's endpoints whose last segment is a silo address, and the route value that holds it.</summary>
    private static readonly (string Segment, string RouteValue)[] SiloAddressRoutes =
    [
        ("HistoricalStats", "path"), ("SiloProperties", "address"), ("SiloStats", "address"), ("SiloCounters", "address"), ("SiloMetadata", "address"),
    ];

    public static void MapWarningOrleansDashboard(this WebApplication app, IConfiguration config)
    {
        if (!(config.GetSection(SiloOptions.Section).Get<SiloOptions>()?.Dashboard ?? true)) return;
        app.MapOrleansDashboard(routePrefix: Prefix)
            .RequireAuthorization(Policies.Operator)
            .AddEndpointFilter(async (context, next) =>
            {
                var http = context.HttpContext;
                foreach (var (segment, routeValue) in SiloAddressRoutes)
                {
                    if (!http.Request.Path.StartsWithSegments($"{Prefix}/{segment}")) continue;
                    if (!IsMember(http.RequestServices, http.Request.RouteValues[routeValue] as string))
                        return Problems.NotFound(routeValue, "no silo of this cluster has that address");
                }
                return await next(context);
            });
    }

    private static bool IsMember(IServiceProvider services, string? address)
    {
        if (string.IsNullOrEmpty(address) || address.Length > 200) return false;
        var members = services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members;
        return members.Values.Any(m => m.Status == SiloStatus.Active && m.SiloAddress.ToParsableString() == address);
    }
}
