using System.Globalization;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Areas;
using Orleans;
using Warning.Silo.Time;
using Warning.Web.Accounts;

namespace Warning.Web.Spikes;

public sealed record VillageSpikes(string VillageId, string Name, DateOnly? AsOf, IReadOnlyList<SpikeSignal> Active);

public sealed record SpikesView(string RegionId, DateOnly? Date, bool Live, IReadOnlyList<VillageSpikes> Villages);

public static class SpikeEndpoints
{
    /// <summary>
    /// GET /api/v1/spikes?regionId=…&amp;date=yyyy-MM-dd: villages under the region with active signals. Without a date,
    /// the state the last scan left on the village grains; with one, that day scanned on demand (nothing stored).
    /// </summary>
    public static RouteGroupBuilder MapSpikes(this RouteGroupBuilder api)
    {
        api.MapGet("/spikes", async (string? regionId, string? date, HttpContext http, AreaHierarchy hierarchy, IGrainFactory grains, SpikeScanService scans, WarningClock clock, CancellationToken ct) =>
        {
            var scope = RegionScope.Of(http);
            var region = regionId ?? scope.DefaultRegion(hierarchy);
            if (!scope.Allows(hierarchy, region) || !hierarchy.TryGet(region, out var area))
                return Problems.NotFound("regionId", $"region '{region}' is not in the loaded hierarchy");
            var villages = area.Level == AreaLevel.Village ? [area] : hierarchy.Descendants(area.Id, AreaLevel.Village).ToArray();

            if (date is null)
            {
                var states = await Task.WhenAll(villages.Select(async v => (v, State: await grains.GetGrain<IVillageGrain>(v.Id).GetSpikeState())));
                return Results.Ok(new SpikesView(area.Id, states.Select(s => s.State.AsOf).Max(), true, states
                    .Where(s => s.State.IsSpiking).OrderBy(s => s.v.Id, StringComparer.Ordinal)
                    .Select(s => new VillageSpikes(s.v.Id, s.v.Name, s.State.AsOf, s.State.Active)).ToArray()));
            }

            if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                return Problems.Field(StatusCodes.Status400BadRequest, "Invalid query", "date", "format", "date must be a calendar day, yyyy-MM-dd");
            if (day > clock.Today)
                return Problems.Field(StatusCodes.Status400BadRequest, "Invalid query", "date", "not_future", $"date {date} is after today ({clock.Today:yyyy-MM-dd})");
            if (day < clock.Today.AddDays(-AreaTally.DaysKept))
                return Problems.Field(StatusCodes.Status400BadRequest, "Invalid query", "date", "too_old", $"daily counts are kept for {AreaTally.DaysKept} days");

            var scan = await scans.ScanAsync(day, apply: false, ct);
            return Results.Ok(new SpikesView(area.Id, day, false, villages
                .Where(v => scan.States.ContainsKey(v.Id)).OrderBy(v => v.Id, StringComparer.Ordinal)
                .Select(v => new VillageSpikes(v.Id, v.Name, day, scan.States[v.Id].Active)).ToArray()));
        }).RequireAuthorization(Policies.Aggregates).WithTags("Spikes");
        return api;
    }
}
