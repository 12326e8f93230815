using Orleans;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Alerts;
using Warning.Web.Accounts;
using Warning.Web.Audit;

namespace Warning.Web.Alerts;

public sealed record SilenceBody(SilenceMatchers? Matchers, DateTimeOffset? EndsAt, string? Reason);

/// <summary>A silence as listed: with its age, since active silences are listed oldest first and the console shows how long each has held.</summary>
public sealed record SilenceView(string Id, SilenceMatchers Matchers, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset EndsAt, string Reason,
    bool Active, double AgeSeconds, DateTimeOffset? RemovedAt, string? RemovedBy);

public static class SilenceEndpoints
{
    public static readonly TimeSpan Longest = TimeSpan.FromDays(30);

    public static RouteGroupBuilder MapSilences(this RouteGroupBuilder api)
    {
        var silences = api.MapGroup("/silences").RequireAuthorization(Policies.AlertsDesk).WithTags("Alerts");
        silences.MapGet("/", async (HttpContext http, AreaHierarchy hierarchy, IGrainFactory grains, [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Warning.Silo.Time.WarningClock.Business)] TimeProvider time) =>
        {
            var now = time.GetUtcNow();
            var scope = RegionScope.Of(http);
            var all = await Board(grains).Silences();
            return Results.Ok(all.Where(s => Visible(scope, hierarchy, s)).OrderByDescending(s => s.ActiveAt(now)).ThenBy(s => s.CreatedAt)
                .Select(s => View(s, now)).ToArray());
        });
        silences.MapPost("/", async (SilenceBody? body, HttpContext http, AreaHierarchy hierarchy, IGrainFactory grains, AuditLog audit, [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Warning.Silo.Time.WarningClock.Business)] TimeProvider time) =>
        {
            var now = time.GetUtcNow();
            var scope = RegionScope.Of(http);
            var m = body?.Matchers;
            if (m is null || (m.RegionId is null && m.Rule is null && m.Category is null))
                return AlertEndpoints.Invalid("matchers", "matchers must name at least one of regionId, rule, category");
            if (m.RegionId is null && !scope.IsUnlimited)
                return AlertEndpoints.Invalid("matchers.regionId", "matchers.regionId is required: a silence may only cover your own region");
            if (m.RegionId is not null && !scope.Allows(hierarchy, m.RegionId))
                return Problems.NotFound("matchers.regionId", $"region '{m.RegionId}' is not in the loaded hierarchy");
            if (m.Rule is not null && !AlertRules.All.Contains(m.Rule)) return AlertEndpoints.Invalid("matchers.rule", $"rule must be one of {string.Join(", ", AlertRules.All)}");
            if (m.Category is not null && !DisputeVocabulary.TryParse<DisputeCategory>(m.Category, out _))
                return AlertEndpoints.Invalid("matchers.category", $"category must be one of {string.Join(", ", DisputeVocabulary.WireNames<DisputeCategory>())}");
            if (string.IsNullOrWhiteSpace(body!.Reason)) return AlertEndpoints.Invalid("reason", "a silence needs a reason");
            if (body.Reason.Length > AlertEndpoints.MaxComment) return AlertEndpoints.Invalid("reason", $"reason must be at most {AlertEndpoints.MaxComment} characters");
            if (body.EndsAt is not { } ends || ends <= now || ends > now + Longest)
                return AlertEndpoints.Invalid("endsAt", $"endsAt must be in the future and at most {Longest.TotalDays:0} days away");
            var actor = AuditLog.ActorOf(http.User);
            var silence = await Board(grains).AddSilence(new Silence("silence-" + Guid.NewGuid().ToString("N")[..16], m, actor, now, ends, body.Reason.Trim()));
            await audit.AppendAsync(actor, "silence.create", "silence:" + silence.Id, silence.Reason,
                $"matchers region={m.RegionId ?? "*"} rule={m.Rule ?? "*"} category={m.Category ?? "*"} until {ends:O}");
            return Results.Created($"/api/v1/silences/{silence.Id}", View(silence, now));
        }).RequireAuthorization(Policies.AlertsAct);
        silences.MapDelete("/{id}", async (string id, HttpContext http, AreaHierarchy hierarchy, IGrainFactory grains, AuditLog audit, [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Warning.Silo.Time.WarningClock.Business)] TimeProvider time) =>
        {
            var now = time.GetUtcNow();
            var existing = (await Board(grains).Silences()).FirstOrDefault(s => s.Id == id);
            if (existing is null || !Visible(RegionScope.Of(http), hierarchy, existing)) return Problems.NotFound("id", $"silence '{id}' does not exist");
            var actor = AuditLog.ActorOf(http.User);
            var removed = await Board(grains).RemoveSilence(id, actor, now);
            await audit.AppendAsync(actor, "silence.delete", "silence:" + id, existing.Reason, $"active until {existing.EndsAt:O} → removed");
            return Results.Ok(View(removed!, now));
        }).RequireAuthorization(Policies.AlertsAct);
        return api;
    }

    private static IAlertBoardGrain Board(IGrainFactory grains) => grains.GetGrain<IAlertBoardGrain>(IAlertBoardGrain.Key);

    private static bool Visible(RegionScope scope, AreaHierarchy hierarchy, Silence s) =>
        scope.IsUnlimited || (s.Matchers.RegionId is { } r && scope.Allows(hierarchy, r));

    private static SilenceView View(Silence s, DateTimeOffset now) => new(s.Id, s.Matchers, s.CreatedBy, s.CreatedAt, s.EndsAt, s.Reason, s.ActiveAt(now),
        Math.Round((now - s.CreatedAt).TotalSeconds), s.RemovedAt, s.RemovedBy);
}
