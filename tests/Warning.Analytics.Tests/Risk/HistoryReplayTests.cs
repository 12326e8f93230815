using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Risk;
using Warning.Analytics.Simulation;

namespace Warning.Analytics.Tests.Risk;

public sealed class HistoryReplayTests
{
    private static readonly DateTimeOffset From = new(2025, 1, 1, 0, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public void The_ingest_log_replays_to_the_rows_the_simulator_gives_with_harm_incidents_as_labels()
    {
        var city = CityGenerator.Generate(CityShape.Small, 9);
        var options = new SimulatorOptions { Seed = 9, CasesPerVillagePerDay = 1.5 };
        var to = From.AddDays(150);
        var fromSimulator = HistoryReplay.Build(city, options, From, to);

        // What the service's log would hold for the same history: opening reports carry their derived case id, and the
        // records come in a different order (a feed's backlog), which the replay must put back in time order.
        var sim = new DisputeSimulator(city, options);
        var logged = new List<object>(sim.KeyIndividuals);
        foreach (var e in sim.Run(From, to))
        {
            logged.Add(e switch
            {
                SimulatedReport { Report: var r } => r.CaseId is null ? r with { CaseId = CaseIds.FromOpeningReport(r.ReportId) } : r,
                SimulatedIncident { Incident: var i } => i,
                _ => throw new InvalidOperationException(),
            });
        }
        var rng = new Random(1);
        for (var i = logged.Count - 1; i > 0; i -= 7)
        {
            var j = Math.Max(0, i - rng.Next(1, 4));
            // Swap only records with different times, so ties keep the simulator's order.
            if (At(logged[i]) != At(logged[j])) (logged[i], logged[j]) = (logged[j], logged[i]);
        }
        var fromLog = HistoryReplay.Build(city, logged, From, to);

        // The log has no harm after its end, so it keeps only rows whose 30-day label window it holds in full; the
        // simulator's truth labels every row. On the rows both have, everything agrees.
        var known = Enumerable.Range(0, fromSimulator.Count).Where(i => fromSimulator.Rows[i].At.AddDays(30) <= to).ToArray();
        Assert.True(known.Length > 2_000, $"{known.Length} rows");
        Assert.True(known.Count(i => fromSimulator.Rows[i].HarmWithin30Days) > 50);
        Assert.Equal(known.Length, fromLog.Count);
        for (var k = 0; k < known.Length; k++)
        {
            var (a, b) = (fromSimulator.Rows[known[k]], fromLog.Rows[k]);
            Assert.Equal((a.CaseId, a.At, a.HarmWithin30Days, a.CountyId), (b.CaseId, b.At, b.HarmWithin30Days, b.CountyId));
            Assert.True(fromSimulator.RowOf(known[k]).SequenceEqual(fromLog.RowOf(k)), $"features of {a.CaseId} at {a.At}");
        }
        // The log knows no simulator truth: no oracle inputs.
        Assert.All(fromLog.Rows, r => Assert.Null(r.Setup));
    }

    [Fact]
    public void Village_spike_feature_is_last_nights_scan_and_follows_the_planted_clusters()
    {
        var city = CityGenerator.Generate(CityShape.Dingxi, 42);
        var options = new SimulatorOptions { Seed = 4, SpikesPerMonth = 20 };
        var to = From.AddDays(150);
        var set = HistoryReplay.Build(city, options, From, to, new ReplayOptions { CaseSampleRate = 0.3 });
        var sim = new DisputeSimulator(city, options);
        foreach (var _ in sim.Run(From, to)) { }
        var column = RiskFeatures.All.Select(f => f.Name).ToList().IndexOf("village_spiking");

        // A row is "in a cluster" when its village had a planted cluster of its category from the day before last night
        // on (the scan that the row reads covers last night's day): the detector sees most, and rarely anything else.
        var gridOf = sim.Truths.ToDictionary(t => t.CaseId, t => t.GridId);
        bool InCluster(ScoringRow r)
        {
            var village = city[gridOf[r.CaseId]].ParentId;
            var lastNight = r.At.ToOffset(DisputeSimulator.ChinaOffset).Date.AddDays(-1);
            return sim.PlantedSpikes.Any(s => s.VillageId == village && s.Category == r.Category
                && s.From.Date <= lastNight && lastNight < s.To.Date.AddDays(2));
        }
        var late = Enumerable.Range(0, set.Count).Where(i => set.Rows[i].At >= From.AddDays(70)).ToArray();
        var inside = late.Where(i => InCluster(set.Rows[i])).ToArray();
        var outside = late.Where(i => !InCluster(set.Rows[i])).ToArray();
        double Share(int[] rows) => rows.Count(i => set.RowOf(i)[column] > 0) / (double)Math.Max(1, rows.Length);
        Assert.True(inside.Length >= 50, $"{inside.Length} rows in planted clusters");
        Assert.True(Share(inside) > 0.5, $"spiking in clusters {Share(inside):P1}");
        Assert.True(Share(outside) < 0.02, $"spiking elsewhere {Share(outside):P2}");
    }

    private static DateTimeOffset At(object record) => record switch
    {
        ScreeningReport r => r.ReportedAt,
        Incident i => i.OccurredAt,
        _ => DateTimeOffset.MinValue,
    };
}
