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

            // The grids know each open case's category, opening and score: the list asks only the cases it shows, so a
            // county of thousands of open cases does not wake thousands of case grains (after a restart, each a read).
            var grids = area.Level == AreaLevel.Grid ? [area] : hierarchy.Descendants(area.Id, AreaLevel.Grid).ToArray();
            var entries = (await Task.WhenAll(grids.Select(g => grains.GetGrain<IGridGrain>(g.Id).GetOpenCaseEntries()))).SelectMany(x => x).ToList();
            // A case the grid learnt of before it kept entries (an older store) answers for itself.
            var unknown = entries.Where(e => e.Category is null).Select(e => e.CaseId).ToArray();
            if (unknown.Length > 0)
            {
                var answered = new Dictionary<string, OpenCaseEntry>(StringComparer.Ordinal);
                foreach (var chunk in unknown.Chunk(256))
                    foreach (var v in (await Task.WhenAll(chunk.Select(id => grains.GetGrain<ICaseGrain>(id).GetView()))).OfType<CaseView>())
                        answered[v.CaseId] = new OpenCaseEntry(v.CaseId, v.Category, v.OpenedAt,
                            v.Score is { } sc ? CaseRiskChange.ToBasisPoints(sc.Probability) : null, v.Score?.Level);
                entries = entries.Select(e => answered.GetValueOrDefault(e.CaseId) ?? e).Where(e => e.Category is not null).ToList();
            }

            var matching = entries
                .Where(e => only is null || e.Category == only)
                .Where(e => level is null || (e.Level ?? RiskLevel.Low) >= level)
                .OrderByDescending(e => e.BasisPoints ?? -1).ThenBy(e => e.OpenedAt).ThenBy(e => e.CaseId, StringComparer.Ordinal)
                .ToList();
            var shown = (await Task.WhenAll(matching.Take(take).Select(e => grains.GetGrain<ICaseGrain>(e.CaseId).GetView()))).OfType<CaseView>()
                // The case itself is the truth: ordered again by what it says, should the grid's entry lag a moment behind.
                .OrderByDescending(v => v.Score?.Probability ?? -1).ThenBy(v => v.OpenedAt).ThenBy(v => v.CaseId, StringComparer.Ordinal)
                .ToList();
            return Results.Ok(new OpenCaseList(area.Id, entries.Count, matching.Count, shown.Select(v =>
            {
                var village = hierarchy.VillageOf(v.GridId);
                return new OpenCase(v.CaseId, v.GridId, village?.Id ?? "", village?.Name ?? "", v.Category, v.Status, v.OpenedAt, v.UpdatedAt,
                    v.PeopleInvolved, v.MediationAttempts, v.Score);
            }).ToArray()));
        });
        return api;
    }
}
