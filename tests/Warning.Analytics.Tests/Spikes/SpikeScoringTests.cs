using Warning.Analytics.Disputes;
using Warning.Analytics.Simulation;
using Warning.Analytics.Spikes;

namespace Warning.Analytics.Tests.Spikes;

/// <summary>The evaluation's bookkeeping on a hand-made city: what counts as found, missed and a false alarm.</summary>
public sealed class SpikeScoringTests
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    [Fact]
    public void Found_missed_and_false_alarms_are_counted_as_defined()
    {
        var counts = SyntheticSeries.Flat(units: 600, days: 110, ratePerDay: 0.3, seed: 2);
        DateTimeOffset At(int day) => new(counts.DayAt(day).ToDateTime(TimeOnly.MinValue), China);

        // Unit 10: a planted neighbour spike from day 90 for 4 days, with an obvious surge on its second day → found, 1 day.
        counts.Add(10, DisputeCategory.Neighbor, 91, 9);
        // Unit 20: a planted land spike from day 95, but nothing extra happens → missed.
        // Unit 30: an unplanted surge on day 100 → a false alarm (and the days after, while its window holds it).
        counts.Add(30, DisputeCategory.Debt, 100, 9);
        // Unit 40: a planted debt spike whose surge shows in land: the land series does not match, but the village's
        // overall series fires too, and an overall signal counts for a one-category spike → found, same day.
        counts.Add(40, DisputeCategory.Land, 80, 9);
        var spikes = new[]
        {
            new PlantedSpike(counts.Units[10], DisputeCategory.Neighbor, At(90), At(94), 12),
            new PlantedSpike(counts.Units[20], DisputeCategory.Land, At(95), At(98), 10, SpikeCause.LandRequisition),
            new PlantedSpike(counts.Units[40], DisputeCategory.Debt, At(80), At(82), 10),
        };
        // Windows only (the CUSUM kept silent), and a strict FDR level so background noise stays near zero in a small city.
        var options = new SpikeOptions { CusumThreshold = 50, FalseDiscoveryRate = 0.05 };
        var report = SpikeEvaluation.Evaluate(new SimulatedCounts(counts, spikes), new SpikeDetector(options), DetectorSet.Production, warmupDays: 70);

        var combined = report.Detectors.Single(d => d.Method == SpikeEvaluation.Combined);
        Assert.Equal(3, combined.Spikes);
        Assert.Equal(2, combined.Detected);
        Assert.Equal(0.5, combined.MedianDaysToDetect); // lags 1 (unit 10) and 0 (unit 40)
        Assert.Equal(600L * 40, combined.VillageDays);
        // Unit 30 signals on days 100–102 (the 3-day window still holds the surge); unit 40's signals on 80–82 lie inside
        // its spike's grace window, so they are not false alarms. Background noise may add a few more anywhere, but
        // never fewer than unit 30's three.
        Assert.InRange(combined.FalseAlarms, 3, 3 + 5);
        Assert.Equal(2.0 / 3, combined.DetectionRate, 6);
        // The land-only view: no land or overall signal at unit 20 during its spike, so it stays missed.
        Assert.DoesNotContain(Enumerable.Range(95, 3), d => new SpikeDetector(options).Scan(counts, d).Findings.Any(f => f.Unit == 20));
    }
}
