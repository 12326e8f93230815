using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Warning.Silo.Ingest;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Risk;

/// <summary>The production path: retraining from what this service has accepted, labels from the harm incidents linked later.</summary>
public sealed class TrainFromLogTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly WarningAppFactory _factory = new();

    private WebApplicationFactory<Program>? _app;

    // The history is simulated back from the service's "now": a clock that starts at a fixed moment makes it the same
    // history on every date CI runs (test AUC 0.60–0.70 across a year of start dates otherwise).
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 3, 0, 0, TimeSpan.Zero);

    private WebApplicationFactory<Program> App => _app ??= _factory.WithWebHostBuilder(b =>
    {
        b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(new RunningFrom(Start)));
        b.UseSetting("Risk:TrainingSource", "ingest-log");
        b.UseSetting("Risk:BoostingRounds", "40");
        b.UseSetting("Risk:TrainingCaseSample", "1");
        b.UseSetting("Risk:RetrainCron", "");
        b.UseSetting("Risk:RescoreCron", "");
    });

    [Fact]
    public async Task Too_little_history_fails_the_job_saying_why_and_keeps_the_points_score()
    {
        var client = App.CreateClient();
        var status = await Retraining.RunAsync(client, Warning.Web.Risk.RiskEndpoints.MinHistoryDays);
        Assert.Equal("failed", (string?)status["state"]);
        Assert.Contains("harms", (string?)status["error"]);
        Assert.Equal("points", (string?)(await Reports.GetAsync(client, "/api/v1/risk/model"))["model"]);
    }

    [Fact]
    public async Task A_model_trains_on_the_logged_history_and_says_so()
    {
        var client = App.CreateClient();
        var hierarchy = App.Services.GetRequiredService<AreaHierarchy>();
        var intake = App.Services.GetRequiredService<Intake>();
        var now = App.Services.GetRequiredService<Warning.Silo.Time.WarningClock>().Now;
        var sim = new DisputeSimulator(hierarchy, new SimulatorOptions { Seed = 21, CasesPerVillagePerDay = 3 });
        await intake.AcceptAsync(sim.KeyIndividuals.Cast<object>().ToList());
        var batch = new List<object>(2000);
        foreach (var e in sim.Run(now.AddDays(-240), now.AddMinutes(-1)))
        {
            batch.Add(e switch
            {
                SimulatedReport { Report: var r } => r.CaseId is null ? r with { CaseId = CaseIds.FromOpeningReport(r.ReportId) } : r,
                SimulatedIncident { Incident: var i } => i,
                _ => throw new InvalidOperationException(),
            });
            if (batch.Count == 2000) { await intake.AcceptAsync(batch); batch.Clear(); }
        }
        await intake.AcceptAsync(batch);

        var status = await Retraining.RunAsync(client, 240);
        Assert.Equal("succeeded", (string?)status["state"]);
        var steps = status["steps"]!.AsArray().Select(x => (string)x!).ToArray();
        Assert.Contains(steps, s => s.Contains("logged events", StringComparison.Ordinal));
        Assert.Contains(steps, s => s.Contains("nightly scans", StringComparison.Ordinal));
        var live = await Reports.GetAsync(client, "/api/v1/risk/model");
        output.WriteLine(live["info"]!.ToJsonString());
        Assert.Equal((string?)status["modelVersion"], (string?)live["model"]);
        Assert.Equal("ingest log", (string?)live["info"]!["source"]);
        // Harm is predictable from what the log holds: better than chance on the held-out last period.
        Assert.True((double)live["info"]!["testMetrics"]!["auc"]! > 0.6, $"test AUC {live["info"]!["testMetrics"]!["auc"]}");
    }

    public void Dispose() => _factory.Dispose();

    /// <summary>Starts at <paramref name="start"/> and runs on from there at the wall clock's pace (timers stay real).</summary>
    private sealed class RunningFrom(DateTimeOffset start) : TimeProvider
    {
        private readonly TimeSpan _shift = start - System.GetUtcNow();

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + _shift;
    }
}
