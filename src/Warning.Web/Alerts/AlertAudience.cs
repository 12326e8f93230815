using System.Security.Claims;
using Warning.Silo.Alerts;
using Warning.Web.Accounts;

namespace Warning.Web.Alerts;

/// <summary>
/// Who sees which alerts. The duty desk (<see cref="Policies.AlertsDesk"/>) sees every alert of its region. Analysts see
/// only the notices meant for them (a meeting pack is ready), which name an area and a period and hold no case and no
/// person: their role keeps them from case text (issue 13).
/// </summary>
public static class AlertAudience
{
    public static readonly IReadOnlySet<string> AnalystRules = new HashSet<string>(StringComparer.Ordinal) { AlertRules.PackReady };

    public static bool IsDesk(ClaimsPrincipal user) => Policies.RolesOf[Policies.AlertsDesk].Any(user.IsInRole);

    public static bool Sees(ClaimsPrincipal user, Alert alert) => IsDesk(user) || AnalystRules.Contains(alert.Rule);

    /// <summary>The hub group of the caller: the desk's of their region, or the analysts' notices of it.</summary>
    public static string GroupOf(ClaimsPrincipal user, string? regionId) => IsDesk(user) ? AlertFeed.GroupOf(regionId) : NoticeGroupOf(regionId);

    public static string NoticeGroupOf(string? regionId) => regionId is null ? "notices:*" : "notices:" + regionId;
}
