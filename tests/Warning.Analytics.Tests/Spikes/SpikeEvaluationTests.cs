using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Warning.Analytics.Spikes;
using Xunit.Abstractions;

namespace Warning.Analytics.Tests.Spikes;

public sealed class SpikeEvaluationTests(ITestOutputHelper output)
{
    [Fact]
    public void Planted_spikes_over_150_days_of_Dingxi_are_found_at_a_low_false_alarm_rate()
    {
        // Dingxi, because the FDR budget (about q alarms a day citywide) is set for a city of ~2,000 villages, over a
        // shorter run with five times the spikes so the rates rest on ~100 of them; seed 3 is not the bench's tuning seed (7).
        var city = CityGenerator.Generate(CityShape.Dingxi, 42);
        var options = new SpikeOptions();
        var warmup = options.BaselineDays + options.LagDays + 1;
        var data = SpikeEvaluation.Simulate(city, new SimulatorOptions { Seed = 3, SpikesPerMonth = 20 }, new DateOnly(2025, 2, 1), warmup + 150, withGrids: true);
        // Grids scanned as in the live service: their signals count for their village, false alarms included.
        var report = SpikeEvaluation.Evaluate(data, new SpikeDetector(options), DetectorSet.Production | DetectorSet.EarsClassic, warmup,
            new SpikeDetector(options.ForGrids()));
        output.WriteLine(SpikeEvaluation.Format(report));

        var combined = report.Detectors.Single(d => d.Method == SpikeEvaluation.Combined);
        Assert.True(combined.Spikes >= 80, $"{combined.Spikes} spikes scored");
        Assert.True(combined.FalseAlarmsPer1000VillageDays < 1.0, $"{combined.FalseAlarmsPer1000VillageDays:F3} false alarms per 1,000 village-days");
        // Far below the 90% aim, and not for lack of tuning: most planted spikes add fewer cases in their first
        // three days than a quiet village sees by chance (README.md in Spikes/). The bounds hold the measured level
        // (16% overall, 47% for strong all-category spikes on this seed) with some slack, so a regression shows.
        Assert.True(combined.DetectionRate >= 0.10, $"detection {combined.DetectionRate:P1}");
        var strong = report.Strata.Single(s => s.Stratum == "all-category, multiplier ≥ 5");
        Assert.True(strong.DetectionRate >= 0.35, $"strong all-category spikes: {strong.DetectionRate:P1}");
        // The classic Gaussian C2 "finds" spikes only by alarming on a large share of all village-days.
        var classic = report.Detectors.Single(d => d.Method == SpikeMethods.EarsC2);
        Assert.True(classic.FalseAlarmsPer1000VillageDays > 50 * Math.Max(combined.FalseAlarmsPer1000VillageDays, 0.1));
    }
}
