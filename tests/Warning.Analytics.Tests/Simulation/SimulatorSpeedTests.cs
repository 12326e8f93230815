using System.Diagnostics;
using Warning.Analytics.Simulation;
using Xunit.Abstractions;

namespace Warning.Analytics.Tests.Simulation;

public class SimulatorSpeedTests(ITestOutputHelper output)
{
    [Fact]
    public void Two_years_of_dingxi_run_well_under_a_minute()
    {
        var sim = new DisputeSimulator(Cities.Dingxi, new SimulatorOptions());
        var watch = Stopwatch.StartNew();
        long reports = 0, incidents = 0, cases = 0;
        foreach (var e in sim.Run(Cities.Jan2025, Cities.Jan2025.AddYears(2)))
        {
            if (e is SimulatedReport r) { reports++; if (r.Report.CaseId is null) cases++; }
            else incidents++;
        }
        watch.Stop();
        output.WriteLine($"2 years of Dingxi: {watch.Elapsed.TotalSeconds:F1} s, {cases} cases, {reports} reports, {incidents} incidents, {sim.PlantedSpikes.Count} spikes");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), watch.Elapsed.ToString());
        Assert.InRange(cases, 400_000, 600_000);
    }
}

public class RealTimeTests
{
    [Fact]
    public async Task Real_time_replay_is_paced_and_stamped_with_now()
    {
        var sim = new DisputeSimulator(Cities.Small, new SimulatorOptions());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var started = DateTimeOffset.UtcNow;
        var events = new List<SimulatedEvent>();
        // 100,000× : a simulated day passes in under a second.
        await foreach (var e in sim.RunRealTime(Cities.Jan2025, 100_000, cts.Token))
        {
            events.Add(e);
            if (events.Count == 30) break;
        }
        var finished = DateTimeOffset.UtcNow;

        Assert.Equal(30, events.Count);
        for (var i = 1; i < events.Count; i++) Assert.True(events[i].At >= events[i - 1].At);
        Assert.All(events, e => Assert.InRange(e.At, started.AddSeconds(-1), finished.AddSeconds(1)));
        var report = events.OfType<SimulatedReport>().First();
        Assert.Equal(report.At, report.Report.ReportedAt);
    }

    [Fact]
    public async Task Cancelling_ends_the_replay()
    {
        var sim = new DisputeSimulator(Cities.Small, new SimulatorOptions());
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var count = 0;
        // 1×: nothing is due for hours, so only cancellation can end this.
        await foreach (var _ in sim.RunRealTime(Cities.Jan2025, 1, cts.Token)) count++;
        Assert.Equal(0, count);
    }
}
