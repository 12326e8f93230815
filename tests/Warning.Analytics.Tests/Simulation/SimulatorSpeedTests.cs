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
        var cpuBefore = ThreadCpuTime();
        long reports = 0, incidents = 0, cases = 0;
        foreach (var e in sim.Run(Cities.Jan2025, Cities.Jan2025.AddYears(2)))
        {
            if (e is SimulatedReport r) { reports++; if (r.Report.CaseId is null) cases++; }
            else incidents++;
        }
        watch.Stop();
        // The simulator runs on this thread alone: its CPU time is the speed, whatever else the machine is doing (on a
        // busy 2-core machine the wall clock measured the queue for a core: 85 s once, for 35 s of work).
        var cpu = ThreadCpuTime() - cpuBefore ?? watch.Elapsed;
        output.WriteLine($"2 years of Dingxi: {cpu.TotalSeconds:F1} s of CPU ({watch.Elapsed.TotalSeconds:F1} s elapsed), {cases} cases, {reports} reports, {incidents} incidents, {sim.PlantedSpikes.Count} spikes");
        Assert.True(cpu < TimeSpan.FromSeconds(60), cpu.ToString());
        Assert.InRange(cases, 400_000, 600_000);
    }

    /// <summary>CPU time (user and system) of the calling thread, from Linux's /proc/thread-self/stat; null elsewhere.</summary>
    private static TimeSpan? ThreadCpuTime()
    {
        if (!File.Exists("/proc/thread-self/stat")) return null;
        var stat = File.ReadAllText("/proc/thread-self/stat");
        // Fields after the command name (which is in parentheses and may hold spaces): utime and stime are the 12th and 13th.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        // USER_HZ is 100 on Linux.
        return TimeSpan.FromMilliseconds(ticks * 10);
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
