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
        // The aim is 90% within 2 days; the planted clusters (8–40 extra cases) clear it with room (99–100% on
        // the bench's seeds), so a regression in the detector or the plants shows. Clusters with at least 8 expected
        // extra cases in the 2-day target's three days are past the limit of detection: all of them must be found.
        Assert.True(combined.DetectionRate >= 0.9, $"detection {combined.DetectionRate:P1}");
        string[] past = ["expected extra cases days 0–2 8–12", "expected extra cases days 0–2 12–20", "expected extra cases days 0–2 ≥ 20"];
        var strong = report.Strata.Where(s => past.Contains(s.Stratum)).ToList();
        Assert.NotEmpty(strong);
        Assert.True(strong.Sum(s => s.Detected) >= 0.97 * strong.Sum(s => s.Spikes), string.Join("; ", strong));
        // The classic Gaussian C2 "finds" spikes only by alarming on a large share of all village-days.
        var classic = report.Detectors.Single(d => d.Method == SpikeMethods.EarsC2);
        Assert.True(classic.FalseAlarmsPer1000VillageDays > 50 * Math.Max(combined.FalseAlarmsPer1000VillageDays, 0.1));
    }
}
