using Warning.Analytics.Disputes;
using Warning.Analytics.Simulation;

namespace Warning.Analytics.Tests.Simulation;

public class SeasonalityAndSpikeTests
{
    [Fact]
    public void Spring_festival_table_covers_2023_to_2030()
    {
        Assert.Equal(new DateOnly(2025, 1, 29), Seasonality.SpringFestival(2025));
        Assert.Equal(new DateOnly(2026, 2, 17), Seasonality.SpringFestival(2026));
        for (var year = 2023; year <= 2030; year++) Assert.Contains(Seasonality.SpringFestivals, d => d.Year == year);
        Assert.Equal(1, Seasonality.RelativeToSpringFestival(new DateOnly(2026, 2, 16)).DaysBefore);
        Assert.Equal(2, Seasonality.RelativeToSpringFestival(new DateOnly(2025, 1, 31)).DaysAfter);
    }

    [Fact]
    public void Wage_claims_peak_in_the_six_weeks_before_spring_festival()
    {
        var from = Cities.Jan2025;
        var to = new DateTimeOffset(2029, 1, 1, 0, 0, 0, TimeSpan.FromHours(8));
        var sim = new DisputeSimulator(Cities.Small, new SimulatorOptions { Seed = 21, PlantSpikes = false });
        var wageOpenings = sim.Run(from, to).OfType<SimulatedReport>().Select(r => r.Report)
            .Where(r => r.CaseId is null && r.Category == DisputeCategory.LaborWage)
            .Select(r => DateOnly.FromDateTime(r.ReportedAt.DateTime))
            .ToList();

        var windows = new[] { 2026, 2027, 2028 }.Select(y => Seasonality.SpringFestival(y)).Select(sf => (From: sf.AddDays(-42), To: sf)).ToList();
        var inWindows = wageOpenings.Count(d => windows.Any(w => d >= w.From && d < w.To));
        var windowRate = inWindows / (42.0 * windows.Count);
        var yearlyRate = wageOpenings.Count / (to - from).TotalDays;
        Assert.True(windowRate > 1.5 * yearlyRate, $"before the festival {windowRate:F3}/day, all year {yearlyRate:F3}/day");
    }

    [Fact]
    public void Land_disputes_rise_at_spring_planting()
    {
        var sim = new DisputeSimulator(Cities.Dingxi, new SimulatorOptions { PlantSpikes = false, CorrectionsCheckIns = false, KeepTruth = false });
        var land = sim.Run(Cities.Jan2025, Cities.Jan2025.AddYears(1)).OfType<SimulatedReport>().Select(r => r.Report)
            .Where(r => r.CaseId is null && r.Category == DisputeCategory.Land).GroupBy(r => r.ReportedAt.Month).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(land[4] > 1.5 * land[12], $"April {land[4]}, December {land[12]}");
    }

    [Fact]
    public void Planted_spikes_raise_the_village_counts_while_they_last()
    {
        var from = Cities.Jan2025;
        var to = from.AddDays(120);
        var withSpikes = new DisputeSimulator(Cities.Dingxi, new SimulatorOptions { Seed = 4, SpikesPerMonth = 10, KeepTruth = false });
        var spiked = Openings(withSpikes, from, to);
        var spikes = withSpikes.PlantedSpikes;
        Assert.InRange(spikes.Count, 20, 70);
        Assert.All(spikes, s =>
        {
            Assert.InRange(s.Multiplier, 3, 8);
            Assert.InRange((s.To - s.From).TotalDays, 2, 7);
            Assert.True(Cities.Dingxi.Contains(s.VillageId));
        });
        Assert.Contains(spikes, s => s.Category is null);
        Assert.Contains(spikes, s => s.Category is not null);

        // The same city and seed without spikes gives the baseline for the same villages, categories and days.
        var baseline = Openings(new DisputeSimulator(Cities.Dingxi, new SimulatorOptions { Seed = 4, PlantSpikes = false, KeepTruth = false }), from, to);
        int During(List<(string Village, DisputeCategory Category, DateTimeOffset At)> cases) =>
            spikes.Sum(s => cases.Count(c => c.Village == s.VillageId && (s.Category is null || s.Category == c.Category) && c.At >= s.From && c.At < s.To));

        var observed = During(spiked);
        var expected = During(baseline);
        Assert.True(observed > 2.5 * Math.Max(expected, 1), $"{observed} cases during spikes against {expected} without");
    }

    private static List<(string Village, DisputeCategory Category, DateTimeOffset At)> Openings(DisputeSimulator sim, DateTimeOffset from, DateTimeOffset to) =>
        sim.Run(from, to).OfType<SimulatedReport>().Select(r => r.Report).Where(r => r.CaseId is null)
            .Select(r => (Cities.VillageOf(Cities.Dingxi, r.GridId), r.Category, r.ReportedAt)).ToList();
}
