using System.Globalization;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Risk;
using Warning.Silo.Areas;
using Warning.Silo.Cases;
using Orleans;
using Warning.Silo.Ingest;
using Warning.Web.Accounts;

namespace Warning.Web.Cases;

/// <summary>An open case in a region's list: where, what, how far along, and its score with the reasons. No people.</summary>
public sealed record OpenCase(
    string CaseId, string GridId, string VillageId, string VillageName, DisputeCategory Category, CaseStatus Status,
    DateTimeOffset OpenedAt, DateTimeOffset UpdatedAt, int PeopleInvolved, int MediationAttempts, RiskScore? Score);

public sealed record OpenCaseList(string RegionId, int OpenCases, int Matching, IReadOnlyList<OpenCase> Cases);

public static class CaseEndpoints
{
    public const int MaxLimit = 500;

    public static RouteGroupBuilder MapCases(this RouteGroupBuilder api)
    {
        // Key individuals appear only as a count: who they are is for the supervising department, by role and audited.
        var cases = api.MapGroup("/cases").RequireAuthorization(Policies.Cases).WithTags("Cases");
        cases.MapGet("/{id}", async (string id, HttpContext http, KnownIds known, AreaHierarchy hierarchy, IGrainFactory grains) =>
            known.IsCase(id) && known.GridOfCase(id) is { } grid && RegionScope.Of(http).Allows(hierarchy, grid)
                && await grains.GetGrain<ICaseGrain>(id).GetView() is { } view
                ? Results.Ok(view)
                : Problems.NotFound("id", $"case '{id}' does not exist"));

        // The duty officer's list: a region's open cases, highest escalation risk first, with the reasons in words. It
        // informs a person deciding what to look at; nothing here acts on anyone.
        cases.MapGet("/", async (string? regionId, string? minLevel, string? category, string? limit, HttpContext http, AreaHierarchy hierarchy, IGrainFactory grains) =>
        {
            var scope = RegionScope.Of(http);
            var region = regionId ?? scope.DefaultRegion(hierarchy);
            if (!scope.Allows(hierarchy, region) || !hierarchy.TryGet(region, out var area))
                return Problems.NotFound("regionId", $"region '{region}' is not in the loaded hierarchy");
            RiskLevel? level = null;
            if (minLevel is not null)
            {
                if (!DisputeVocabulary.TryParse<RiskLevel>(minLevel, out var parsed))
                    return Problems.Field(StatusCodes.Status400BadRequest, "Invalid query", "minLevel", "vocabulary",
                        $"minLevel must be one of {string.Join(", ", DisputeVocabulary.WireNames<RiskLevel>())}");
                level = parsed;
            }
            DisputeCategory? only = null;
            if (category is not null)
            {
                if (!DisputeVocabulary.TryParse<DisputeCategory>(category, out var parsed))
                    return Problems.Field(StatusCodes.Status400BadRequest, "Invalid query", "category", "vocabulary",
                        $"category must be one of {string.Join(", ", DisputeVocabulary.WireNames<DisputeCategory>())}");
                only = parsed;
            }
            var take = 50;
            if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take is < 1 or > MaxLimit))
                return Problems.Field(StatusCodes.Status400BadRequest, "Invalid query", "limit", "range", $"limit must be a whole number from 1 to {MaxLimit}");

            var grids = area.Level == AreaLevel.Grid ? [area] : hierarchy.Descendants(area.Id, AreaLevel.Grid).ToArray();
            var ids = (await Task.WhenAll(grids.Select(g => grains.GetGrain<IGridGrain>(g.Id).GetOpenCases()))).SelectMany(x => x).ToArray();
            var views = new List<CaseView>(ids.Length);
            foreach (var chunk in ids.Chunk(256))
                views.AddRange((await Task.WhenAll(chunk.Select(id => grains.GetGrain<ICaseGrain>(id).GetView()))).OfType<CaseView>());

            var matching = views
                .Where(v => only is null || v.Category == only)
                .Where(v => level is null || (v.Score?.Level ?? RiskLevel.Low) >= level)
                .OrderByDescending(v => v.Score?.Probability ?? -1).ThenBy(v => v.OpenedAt).ThenBy(v => v.CaseId, StringComparer.Ordinal)
                .ToList();
            return Results.Ok(new OpenCaseList(area.Id, views.Count, matching.Count, matching.Take(take).Select(v =>
            {
                var village = hierarchy.VillageOf(v.GridId);
                return new OpenCase(v.CaseId, v.GridId, village?.Id ?? "", village?.Name ?? "", v.Category, v.Status, v.OpenedAt, v.UpdatedAt,
                    v.PeopleInvolved, v.MediationAttempts, v.Score);
            }).ToArray()));
        });
        return api;
    }
}
