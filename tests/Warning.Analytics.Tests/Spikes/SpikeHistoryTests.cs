using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Warning.Analytics.Spikes;

namespace Warning.Analytics.Tests.Spikes;

public sealed class SpikeHistoryTests
{
    private static readonly DateOnly First = new(2025, 2, 1);

    [Fact]
    public void Nightly_scans_in_chunks_match_one_scan_per_day_and_find_the_planted_clusters()
    {
        var city = CityGenerator.Generate(CityShape.Dingxi, 42);
        var options = new SpikeOptions();
        var sim = new DisputeSimulator(city, new SimulatorOptions { Seed = 5, SpikesPerMonth = 20, CorrectionsCheckIns = false, KeepTruth = false });
        var start = new DateTimeOffset(First.ToDateTime(TimeOnly.MinValue), DisputeSimulator.ChinaOffset);
        const int days = 200;
        var openings = sim.Run(start, start.AddDays(days)).OfType<SimulatedReport>().Select(e => e.Report).Where(r => r.CaseId is null)
            .Select(r => new Opening(DateOnly.FromDateTime(r.ReportedAt.ToOffset(DisputeSimulator.ChinaOffset).DateTime), r.GridId, r.Category)).ToList();
        var firstScan = First.AddDays(options.HistoryDays);
        var last = First.AddDays(days - 1);

        // Chunks of 25 days: several chunk edges fall inside the range, each must see the same look-back.
        var history = SpikeHistory.Scan(city, openings, firstScan, last, options, chunkDays: 25);
        Assert.Equal(last.DayNumber - firstScan.DayNumber + 1, history.DaysScanned);

        // Reference: one matrix over everything, every day scanned in it, as the spike evaluation does.
        var villages = city.AtLevel(AreaLevel.Village).Select(v => v.Id).Order(StringComparer.Ordinal).ToArray();
        var grids = city.AtLevel(AreaLevel.Grid).Select(g => g.Id).Order(StringComparer.Ordinal).ToArray();
        var vIndex = villages.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        var gIndex = grids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        var vCounts = new DailyCountMatrix(villages, First, days);
        var gCounts = new DailyCountMatrix(grids, First, days);
        foreach (var o in openings)
        {
            vCounts.Add(vIndex[city[o.GridId].ParentId!], o.Category, vCounts.IndexOf(o.Day));
            gCounts.Add(gIndex[o.GridId], o.Category, gCounts.IndexOf(o.Day));
        }
        var vDetector = new SpikeDetector(options);
        var gDetector = new SpikeDetector(options.ForGrids());
        var signals = 0;
        for (var day = firstScan; day <= last; day = day.AddDays(1))
        {
            var found = vDetector.Scan(vCounts, day).Findings.Select(f => (f.UnitId, f.Category))
                .Concat(gDetector.Scan(gCounts, day).Findings.Select(f => (city[f.UnitId].ParentId!, f.Category))).ToList();
            signals += found.Count;
            foreach (var (village, category) in found)
                Assert.True(history.IsSpikingFor(village, category ?? DisputeCategory.Other, day), $"{village} {category} on {day}");
        }
        Assert.Equal(signals, history.Signals);
        Assert.True(signals > 0);

        // What the scans said is what the spike evaluation scores: planted clusters show within two days.
        var scored = sim.PlantedSpikes.Where(s => DateOnly.FromDateTime(s.From.DateTime) >= firstScan && DateOnly.FromDateTime(s.From.DateTime).AddDays(2) <= last).ToList();
        Assert.True(scored.Count >= 50, $"{scored.Count} spikes");
        var found2 = scored.Count(s => Enumerable.Range(0, 3).Any(d => history.IsSpikingFor(s.VillageId, s.Category, DateOnly.FromDateTime(s.From.DateTime).AddDays(d))));
        Assert.True(found2 >= 0.9 * scored.Count, $"{found2} of {scored.Count} planted clusters in the nightly scans within 2 days");
    }
}
