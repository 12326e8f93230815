using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Warning.Web.Accounts;

/// <summary>
/// Every endpoint, hub and page names one of these (or AllowAnonymous); the matrix test fails on any that names none.
/// Who each admits is the table of issue 13, kept here in one place.
/// </summary>
public static class Policies
{
    /// <summary>Regions, boundaries, spikes, trends, the live hub and the big screen: counts, never cases or people.</summary>
    public const string Aggregates = "aggregates";

    /// <summary>Case lists and case views (no person data).</summary>
    public const string Cases = "cases";

    /// <summary>The risk model's identity and training history.</summary>
    public const string Models = "models";

    /// <summary>Retraining and the operators' pages (/orleans, /jobs): the operator role, or loopback while Auth:LoopbackIsOperator.</summary>
    public const string Operator = "operator";

    /// <summary>/readyz and /metrics: operators, or a probe on loopback.</summary>
    public const string Health = "health";

    public const string Audit = "audit";

    /// <summary>Meeting packs and bulletins (研判会材料, 专报): analysts, commanders and admins.</summary>
    public const string Meetings = "meetings";

    /// <summary>
    /// The alert list, an alert with its timeline and the alert hub: the duty desk (<see cref="AlertsDesk"/>) sees every
    /// alert of its region; analysts only the notices meant for them (a meeting pack is ready), see <c>AlertAudience</c>.
    /// </summary>
    public const string AlertsRead = "alerts-read";

    /// <summary>
    /// Silences and on-call, and every alert of the region: the duty officers and commanders who act on alerts, grid
    /// supervisors for the alerts of their own area, and admins (who set up schedules and webhooks).
    /// </summary>
    public const string AlertsDesk = "alerts-desk";

    /// <summary>Acknowledge, dispatch, resolve, comment, silence: the people on duty for the area (duty officers, commanders).</summary>
    public const string AlertsAct = "alerts-act";

    /// <summary>Users, API keys, screen tokens.</summary>
    public const string Admin = "admin";

    /// <summary>Key-individual records, only through endpoints that audit first.</summary>
    public const string PersonData = "person-data";

    /// <summary>Any signed-in person, even one whose sign-in is not finished (password change, TOTP enrolment).</summary>
    public const string Session = "session";

    /// <summary>Any person with a finished sign-in: the console page.</summary>
    public const string SignedIn = "signed-in";

    public static string Ingest(string kind) => "ingest:" + kind;

    /// <summary>The roles each human policy admits (issue 13).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> RolesOf = new Dictionary<string, string[]>
    {
        [Aggregates] = [Roles.Commander, Roles.DutyOfficer, Roles.Analyst, Roles.GridSupervisor, Roles.Screen],
        [Cases] = [Roles.Commander, Roles.DutyOfficer, Roles.GridSupervisor],
        [Models] = [Roles.Commander, Roles.Analyst, Roles.Operator],
        [Operator] = [Roles.Operator],
        [Health] = [Roles.Operator],
        [Audit] = [Roles.Auditor],
        [Meetings] = [Roles.Analyst, Roles.Commander, Roles.Admin],
        [Admin] = [Roles.Admin],
        [AlertsRead] = [Roles.Commander, Roles.DutyOfficer, Roles.GridSupervisor, Roles.Admin, Roles.Analyst],
        [AlertsDesk] = [Roles.Commander, Roles.DutyOfficer, Roles.GridSupervisor, Roles.Admin],
        [AlertsAct] = [Roles.Commander, Roles.DutyOfficer],
        [PersonData] = [Roles.Commander, Roles.Admin],
        [SignedIn] = Roles.All.Where(r => r != Roles.Screen).ToArray(),
    };

    public static void Add(AuthorizationOptions options, bool loopbackIsOperator)
    {
        foreach (var (name, roles) in RolesOf)
            options.AddPolicy(name, p =>
            {
                if (loopbackIsOperator && name is Operator or Health)
                    p.RequireAssertion(c => IsLoopback(c.Resource) || (FullSession(c.User) && roles.Any(c.User.IsInRole)));
                else p.RequireAuthenticatedUser().RequireRole(roles).RequireAssertion(c => FullSession(c.User));
            });
        options.AddPolicy(Session, p => p.RequireAuthenticatedUser().RequireAssertion(c => !c.User.IsInRole(Roles.Feed)));
        foreach (var kind in IngestKinds.All)
            options.AddPolicy(Ingest(kind), p => p.RequireAuthenticatedUser().RequireClaim(WarningClaims.Kind, kind));
        // An endpoint that forgot its policy still admits no one unauthenticated (the matrix test also fails on it).
        options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
    }

    private static bool FullSession(System.Security.Claims.ClaimsPrincipal user) => !user.HasClaim(c => c.Type == WarningClaims.Stage);

    /// <summary>A direct connection from this machine (a reverse proxy on it would be loopback too: turn Auth:LoopbackIsOperator off there).</summary>
    private static bool IsLoopback(object? resource) =>
        resource is HttpContext { Connection.RemoteIpAddress: { } ip } && IPAddress.IsLoopback(ip)
        || resource is Microsoft.AspNetCore.SignalR.HubInvocationContext { Context: { } hub } && hub.GetHttpContext()?.Connection.RemoteIpAddress is { } h && IPAddress.IsLoopback(h);
}
