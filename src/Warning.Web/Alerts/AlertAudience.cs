using System.Security.Claims;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Alerts;
using Warning.Silo.Ingest;
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

    /// <summary>The alert as a caller in <paramref name="scope"/> may see it, or null when they may not.</summary>
    public static Alert? View(ClaimsPrincipal user, RegionScope scope, Alert alert, AreaHierarchy hierarchy, KnownIds known) =>
        !Sees(user, alert) ? null : scope.Allows(hierarchy, alert.RegionId) ? alert : ForGrid(alert, scope.RegionId, hierarchy, known);

    /// <summary>
    /// A grid's share of its village's alert, or null. Case and grid alerts belong to the village (they group by area and
    /// rule), so a grid supervisor, whose region is one grid, would otherwise see none of the alerts about their own
    /// grid. They see the village's case and grid alerts listing only their grid's subjects. Not key individuals: person
    /// data is not their role's.
    /// </summary>
    public static Alert? ForGrid(Alert alert, string? gridId, AreaHierarchy hierarchy, KnownIds known)
    {
        if (gridId is null || !hierarchy.TryGet(gridId, out var grid) || grid.Level != AreaLevel.Grid || hierarchy.VillageOf(gridId)?.Id != alert.RegionId) return null;
        var mine = SubjectsOf(alert).Where(id => GridOf(alert.Subject.Kind, id, known) == gridId).ToArray();
        if (mine.Length == 0) return null;
        return alert with { Subject = mine.Contains(alert.Subject.Id) ? alert.Subject : alert.Subject with { Id = mine[0] }, Subjects = mine };
    }

    /// <summary>The detail as a grid sees it: its share of the alert, and no timeline line naming another grid's subject.</summary>
    public static AlertDetail? ForGrid(AlertDetail detail, string? gridId, AreaHierarchy hierarchy, KnownIds known) =>
        ForGrid(detail.Alert, gridId, hierarchy, known) is not { } alert ? null
            : new AlertDetail(alert, detail.Timeline.Where(e => e.Kind != "grouped" || alert.Subjects.Any(id => e.Detail?.Contains(id, StringComparison.Ordinal) == true)).ToArray());

    /// <summary>The grids an alert's subjects are in, for pushing each its share.</summary>
    public static IReadOnlyList<string> GridsOf(Alert alert, KnownIds known) =>
        SubjectsOf(alert).Select(id => GridOf(alert.Subject.Kind, id, known)).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();

    private static IEnumerable<string> SubjectsOf(Alert alert) => alert.Subjects.Prepend(alert.Subject.Id).Distinct(StringComparer.Ordinal);

    private static string? GridOf(string kind, string id, KnownIds known) => kind switch
    {
        "case" => known.GridOfCase(id),
        "grid" => id,
        _ => null,
    };
}
