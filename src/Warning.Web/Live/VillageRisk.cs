using Orleans;
using Warning.Silo.Areas;

namespace Warning.Web.Live;

/// <summary>
/// A village as the map colours it: area risk is the share of its open cases at high or critical risk (DESIGN.md: a
/// roll-up, not a separate guess). Counts only, never a case or a person.
/// </summary>
/// <param name="Share">HighRisk ÷ Open, null with no open case (drawn as "nothing open", not as safe).</param>
public sealed record VillageRisk(string Id, int Open, int HighRisk, double? Share)
{
    public static VillageRisk Of(string id, AreaCounts counts)
    {
        var high = counts.Risk.HighRiskOpenCases;
        return new(id, counts.Open, high, counts.Open == 0 ? null : Math.Round((double)high / counts.Open, 4));
    }

    /// <summary>Reads the villages' grains side by side, in bounded batches: a province's 16,000 at once would flood the silo's queue.</summary>
    public static async Task<IReadOnlyList<VillageRisk>> ReadAsync(IGrainFactory grains, IReadOnlyCollection<string> villageIds)
    {
        var read = new List<VillageRisk>(villageIds.Count);
        foreach (var batch in villageIds.Chunk(1000))
            read.AddRange(await Task.WhenAll(batch.Select(async id => Of(id, await grains.GetGrain<IVillageGrain>(id).GetCounts()))));
        return read;
    }
}
