using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orleans;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Alerts;
using Warning.Silo.Ingest;
using Warning.Web.Accounts;
using Warning.Web.Audit;

namespace Warning.Web.Alerts;

/// <summary>A command's body (CONTRACTS.md "Alerts"): the version the officer saw, a comment, and for assign the dispatch.</summary>
public sealed record AlertCommandBody(int? Version, string? Comment, string? Department, DateTimeOffset? Deadline);

public sealed record AlertPage(IReadOnlyList<Alert> Alerts, int Matching, string? NextCursor);

public static class AlertEndpoints
{
    public const int MaxLimit = 500;
    public const int MaxComment = 2000;

    public static RouteGroupBuilder MapAlerts(this RouteGroupBuilder api)
    {
        var alerts = api.MapGroup("/alerts").RequireAuthorization(Policies.AlertsRead).WithTags("Alerts");
        alerts.MapGet("/", ListAsync);
        alerts.MapGet("/{id}", async (string id, HttpContext http, AreaHierarchy hierarchy, IGrainFactory grains, KnownIds known) =>
            await DetailAsync(id, http, hierarchy, grains, known) is { } detail
                ? Results.Json(WithTimeline(detail), Json)
                : Problems.NotFound("id", $"alert '{id}' does not exist"));
        foreach (var kind in Enum.GetValues<AlertCommandKind>())
            alerts.MapPost($"/{{id}}/{kind.ToString().ToLowerInvariant()}", (string id, AlertCommandBody? body, HttpContext http, AreaHierarchy hierarchy,
                    IGrainFactory grains, KnownIds known, AuditLog audit, ILogger<AlertCommandBody> logger) => CommandAsync(kind, id, body, http, hierarchy, grains, known, audit, logger))
                .RequireAuthorization(Policies.AlertsAct);
        return api;
    }

    private static async Task<IResult> CommandAsync(AlertCommandKind kind, string id, AlertCommandBody? body, HttpContext http, AreaHierarchy hierarchy,
        IGrainFactory grains, KnownIds known, AuditLog audit, ILogger logger)
    {
        if (await DetailAsync(id, http, hierarchy, grains, known) is not { } detail) return Problems.NotFound("id", $"alert '{id}' does not exist");
        if (body?.Version is not { } version) return Invalid("version", "version (the alert's version you acted on) is required");
        if (body.Comment is { Length: > MaxComment }) return Invalid("comment", $"comment must be at most {MaxComment} characters");
        if (body.Department is { Length: > 100 }) return Invalid("department", "department must be at most 100 characters");
        if (kind == AlertCommandKind.Assign && body.Deadline is null) return Invalid("deadline", "deadline (when the department must answer) is required");
        var actor = AuditLog.ActorOf(http.User);
        var unit = UnitOf(http, hierarchy);
        var result = await grains.GetGrain<IAlertGrain>(id).Command(new AlertCommand(kind, version, actor, unit, body.Comment,
            kind == AlertCommandKind.Assign ? new AlertAssignment(body.Department ?? "", body.Deadline!.Value) : null));
        switch (result.Outcome)
        {
            case AlertCommandOutcome.Done:
                var after = result.Alert!;
                await audit.AppendAsync(actor, "alert." + kind.ToString().ToLowerInvariant(), "alert:" + id, body.Comment?.Trim() ?? "",
                    $"v{detail.Alert.Version} {Wire(detail.Alert.State)} → v{after.Version} {Wire(after.State)}"
                    + (after.AssignedTo is { } a && kind == AlertCommandKind.Assign ? $"; {a.Department} by {a.Deadline:O}" : ""));
                logger.LogInformation("Alert {AlertId} {Command} by {Actor}: version {Before} → {After}", id, kind, actor, detail.Alert.Version, after.Version);
                return Results.Json(after, Json);
            case AlertCommandOutcome.Stale:
            case AlertCommandOutcome.Invalid when result.Field == "state":
                // Someone else acted first (or the alert moved on): the current alert, so the console shows what it now is.
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The alert changed", detail: $"{result.Field}: {result.Message}",
                    extensions: new Dictionary<string, object?>
                    {
                        ["errors"] = new[] { new Ingest.IngestError(result.Field!, result.Outcome == AlertCommandOutcome.Stale ? "stale" : "state", result.Message!) },
                        ["alert"] = JsonSerializer.SerializeToElement(result.Alert, Json),
                    });
            case AlertCommandOutcome.Invalid:
                return Invalid(result.Field!, result.Message!);
            default:
                return Problems.NotFound("id", $"alert '{id}' does not exist");
        }
    }

    /// <summary>The caller's unit: the name of their region (what the big screen shows as 已签收 by), or the command center.</summary>
    public static string UnitOf(HttpContext http, AreaHierarchy hierarchy) =>
        RegionScope.Of(http).RegionId is { } r && hierarchy.TryGet(r, out var area) ? area.Name : "指挥中心";

    private static string Wire(AlertState s) => JsonNamingPolicy.SnakeCaseLower.ConvertName(s.ToString());

    private static readonly JsonSerializerOptions Json = WarningJson.Create();

    private static async Task<AlertDetail?> DetailAsync(string id, HttpContext http, AreaHierarchy hierarchy, IGrainFactory grains, KnownIds known)
    {
        if (id.Length is 0 or > 200 || await grains.GetGrain<IAlertGrain>(id).Get() is not { } detail || !AlertAudience.Sees(http.User, detail.Alert)) return null;
        var scope = RegionScope.Of(http);
        return scope.Allows(hierarchy, detail.Alert.RegionId) ? detail
            : AlertAudience.ForGrid(detail, scope.RegionId, hierarchy, known);
    }

    private static JsonObject WithTimeline(AlertDetail detail)
    {
        var node = JsonSerializer.SerializeToNode(detail.Alert, Json)!.AsObject();
        node["timeline"] = JsonSerializer.SerializeToNode(detail.Timeline, Json);
        return node;
    }

    private static async Task<IResult> ListAsync(string? state, string? regionId, string? rule, string? minSeverity, string? limit, string? cursor,
        HttpContext http, AreaHierarchy hierarchy, IGrainFactory grains, KnownIds known)
    {
        var scope = RegionScope.Of(http);
        if (regionId is not null && !scope.Allows(hierarchy, regionId)) return Problems.NotFound("regionId", $"region '{regionId}' is not in the loaded hierarchy");
        AlertState? only = null;
        var openOnly = state == "open";
        if (state is not null && !openOnly)
        {
            if (!TryParse<AlertState>(state, out var s)) return Invalid("state", $"state must be one of open, {Names<AlertState>()}");
            only = s;
        }
        if (rule is not null && !AlertRules.All.Contains(rule)) return Invalid("rule", $"rule must be one of {string.Join(", ", AlertRules.All)}");
        var floor = AlertSeverity.Info;
        if (minSeverity is not null && !TryParse(minSeverity, out floor)) return Invalid("minSeverity", $"minSeverity must be one of {Names<AlertSeverity>()}");
        var take = 100;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take is < 1 or > MaxLimit))
            return Invalid("limit", $"limit must be a whole number from 1 to {MaxLimit}");
        var skip = 0;
        if (cursor is not null && (!int.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out skip) || skip < 0))
            return Invalid("cursor", "cursor must be a value a previous page returned as nextCursor");

        var all = await grains.GetGrain<IAlertBoardGrain>(IAlertBoardGrain.Key).List();
        // A grid (the caller's, or asked for) sees its share of its village's alerts (AlertAudience.ForGrid).
        Alert? Visible(Alert a) =>
            AlertAudience.View(http.User, scope, a, hierarchy, known) is not { } v ? null
            : regionId is null || (scope with { RegionId = regionId }).Allows(hierarchy, v.RegionId) ? v
            : AlertAudience.ForGrid(v, regionId, hierarchy, known);
        var matching = all
            .Select(Visible).OfType<Alert>()
            .Where(a => only is null ? !openOnly || a.IsOpen : a.State == only)
            .Where(a => rule is null || a.Rule == rule)
            .Where(a => a.Severity >= floor)
            // The most severe first, newest first within a severity; the id breaks ties so pages never overlap.
            .OrderByDescending(a => a.Severity).ThenByDescending(a => a.LastSeenAt).ThenBy(a => a.Id, StringComparer.Ordinal)
            .ToList();
        var page = matching.Skip(skip).Take(take).ToArray();
        var next = skip + page.Length < matching.Count ? (skip + page.Length).ToString(CultureInfo.InvariantCulture) : null;
        return Results.Json(new AlertPage(page, matching.Count, next), Json);
    }

    internal static IResult Invalid(string field, string message) => Problems.Field(StatusCodes.Status400BadRequest, "Invalid request", field, "invalid", message);

    internal static bool TryParse<TEnum>(string text, out TEnum value) where TEnum : struct, Enum =>
        Enum.TryParse(text.Replace("_", ""), ignoreCase: true, out value) && Enum.IsDefined(value) && !int.TryParse(text, out _);

    internal static string Names<TEnum>() where TEnum : struct, Enum => string.Join(", ", Enum.GetNames<TEnum>().Select(n => JsonNamingPolicy.SnakeCaseLower.ConvertName(n)));
}
