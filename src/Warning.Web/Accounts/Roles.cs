using System.Security.Claims;

namespace Warning.Web.Accounts;

/// <summary>The roles of issue 13: each user has exactly one, and one region (the subtree they may see).</summary>
public static class Roles
{
    public const string Commander = "commander";
    public const string DutyOfficer = "duty_officer";
    public const string Analyst = "analyst";
    public const string GridSupervisor = "grid_supervisor";
    public const string Auditor = "auditor";
    public const string Operator = "operator";
    public const string Admin = "admin";
    public const string Screen = "screen";

    /// <summary>Not a user role: what an API key's principal carries, so no human policy ever admits a machine.</summary>
    public const string Feed = "feed";

    public static readonly string[] All = [Commander, DutyOfficer, Analyst, GridSupervisor, Auditor, Operator, Admin, Screen];

    public static bool IsRole(string? role) => role is not null && All.Contains(role, StringComparer.Ordinal);
}

/// <summary>Ingest kinds an API key may be scoped to (CONTRACTS.md "Authentication").</summary>
public static class IngestKinds
{
    public const string Report = "report";
    public const string Incident = "incident";
    public const string Screening = "screening";
    public const string Person = "person";

    public static readonly string[] All = [Report, Incident, Screening, Person];
}

/// <summary>Claim types Warning adds to its principals.</summary>
public static class WarningClaims
{
    /// <summary>The area id whose subtree the caller may see; absent on a principal that is not region-limited.</summary>
    public const string Region = "warning:region";

    /// <summary>An ingest kind an API key may post.</summary>
    public const string Kind = "warning:kind";

    public const string ApiKeyId = "warning:apikey";

    public const string ScreenTokenId = "warning:screen";

    /// <summary>
    /// A sign-in that may do nothing but finish itself: <c>change_password</c> (first sign-in with a one-time password)
    /// or <c>enrol_totp</c> (a role in Auth:TotpRoles without an authenticator yet). Only <see cref="Policies.Session"/> admits it.
    /// </summary>
    public const string Stage = "warning:stage";

    public static string? RegionOf(ClaimsPrincipal user) => user.FindFirst(Region)?.Value;
}
