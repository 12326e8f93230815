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
    public void Spring_festival_table_agrees_with_the_lunisolar_calendar_used_for_other_years()
    {
        var lunar = new System.Globalization.ChineseLunisolarCalendar();
        foreach (var festival in Seasonality.SpringFestivals)
            Assert.Equal(festival, DateOnly.FromDateTime(lunar.ToDateTime(festival.Year, 1, 1, 0, 0, 0, 0)));
        Assert.Equal(new DateOnly(1970, 2, 6), Seasonality.SpringFestival(1970));
        Assert.Equal(new DateOnly(2020, 1, 25), Seasonality.SpringFestival(2020));
        Assert.Equal(new DateOnly(1600, 2, 5), Seasonality.SpringFestival(1600)); // before the calendar: near the average
    }

    /// <summary>A report dated 0001 made scoring throw here (the festival before it would have been in year 0).</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(1600)]
    [InlineData(1970)]
    [InlineData(9999)]
    public void Every_day_of_any_year_has_its_distance_to_spring_festival_and_its_factors(int year)
    {
        for (var date = new DateOnly(year, 1, 1); date.Year == year; date = date.AddDays(1))
        {
            var (before, after) = Seasonality.RelativeToSpringFestival(date);
            Assert.InRange(before, 0, 400);
            Assert.InRange(after, 0, 400);
            Assert.Equal(before == 0, after == 0);
            foreach (var category in Enum.GetValues<DisputeCategory>())
                Assert.InRange(Seasonality.Factor(category, date), 0.1, 5);
            Assert.InRange(Seasonality.WeekdayFactor(date), 0.5, 1.5);
            if (date == DateOnly.MaxValue) break;
        }
        Assert.Equal(0, Seasonality.RelativeToSpringFestival(Seasonality.SpringFestival(year)).DaysBefore);
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
    public void Planted_spikes_are_front_loaded_clusters_of_one_category_within_the_size_range()
    {
        var from = Cities.Jan2025;
        var to = from.AddDays(120);
        var options = new SimulatorOptions { Seed = 4, SpikesPerMonth = 10, KeepTruth = false };
        var withSpikes = new DisputeSimulator(Cities.Dingxi, options);
        var spiked = Openings(withSpikes, from, to);
        var spikes = withSpikes.PlantedSpikes.Where(s => s.To <= to).ToList(); // spikes cut off by the run's end would undercount
        Assert.InRange(spikes.Count, 20, 70);
        Assert.All(spikes, s =>
        {
            Assert.InRange(s.ExpectedExtraCases, options.SpikeExtraCasesMin, options.SpikeExtraCasesMax);
            Assert.InRange((s.To - s.From).TotalDays, 2, 7);
            Assert.True(Cities.Dingxi.Contains(s.VillageId));
            Assert.Equal(s.ExpectedExtraCases, Enumerable.Range(0, s.Days).Sum(s.ExpectedExtraOn), 6);
        });
        // The causes pick their categories: a wage-arrears cluster is wage claims, a property company's is property management.
        Assert.All(spikes.Where(s => s.Cause == SpikeCause.WageArrears), s => Assert.Equal(DisputeCategory.LaborWage, s.Category));
        Assert.All(spikes.Where(s => s.Cause == SpikeCause.PropertyCompany), s => Assert.Equal(DisputeCategory.PropertyMgmt, s.Category));
        Assert.True(spikes.Select(s => s.Category).Distinct().Count() >= 3, "clusters come from several causes");

        // The same city and seed without spikes gives the normal count for the same villages, categories and days.
        var baseline = Openings(new DisputeSimulator(Cities.Dingxi, options with { PlantSpikes = false }), from, to);
        int Count(List<(string Village, DisputeCategory Category, DateTimeOffset At)> cases, PlantedSpike s, int firstDay, int lastDay) =>
            cases.Count(c => c.Village == s.VillageId && c.Category == s.Category && c.At >= s.From.AddDays(firstDay) && c.At < s.From.AddDays(lastDay + 1) && c.At < s.To);
        var observed = spikes.Sum(s => Count(spiked, s, 0, 6));
        var normal = spikes.Sum(s => Count(baseline, s, 0, 6));
        var planted = spikes.Sum(s => s.ExpectedExtraCases);
        Assert.True(observed > 5 * Math.Max(normal, 1), $"{observed} cases of the spikes' categories during them against {normal} without");
        Assert.InRange(observed - normal, 0.8 * planted, 1.2 * planted);

        // Front-loaded: in spikes long enough to have a tail, most extra cases come in the first three days.
        var longSpikes = spikes.Where(s => s.Days >= 5).ToList();
        Assert.NotEmpty(longSpikes);
        var early = longSpikes.Sum(s => Count(spiked, s, 0, 2) - Count(baseline, s, 0, 2));
        var later = longSpikes.Sum(s => Count(spiked, s, 3, 6) - Count(baseline, s, 3, 6));
        Assert.True(early > 2 * later, $"extra cases on days 0–2: {early}, after: {later}");
    }

    private static List<(string Village, DisputeCategory Category, DateTimeOffset At)> Openings(DisputeSimulator sim, DateTimeOffset from, DateTimeOffset to) =>
        sim.Run(from, to).OfType<SimulatedReport>().Select(r => r.Report).Where(r => r.CaseId is null)
            .Select(r => (Cities.VillageOf(Cities.Dingxi, r.GridId), r.Category, r.ReportedAt)).ToList();
}
