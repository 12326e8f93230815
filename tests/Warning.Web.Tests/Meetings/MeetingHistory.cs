using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Warning.Analytics.Disputes;
using Warning.Analytics.Simulation;
using Warning.Silo.Ingest;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Meetings;

/// <summary>
/// The small city with 400 days of simulated history in its ingest log (reports, incidents, screening rounds, planted
/// spikes), on a clock fixed to a known moment so the same history lands on the same dates every run.
/// </summary>
public sealed class MeetingHistory : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 3, 0, 0, TimeSpan.Zero);
    public const int HistoryDays = 400;

    private readonly WarningAppFactory _factory = new();

    public WebApplicationFactory<Program> App { get; private set; } = null!;

    public WarningAppFactory Factory => _factory;

    /// <summary>Everything accepted into the log, as accepted.</summary>
    public List<object> Records { get; } = new();

    public IReadOnlyList<KeyIndividual> KeyIndividuals { get; private set; } = [];

    public IReadOnlyList<PlantedSpike> PlantedSpikes { get; private set; } = [];

    public async Task InitializeAsync()
    {
        App = _factory.WithWebHostBuilder(b =>
        {
            b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(new FixedStart(Start)));
            b.UseSetting("Risk:RetrainCron", "");
            b.UseSetting("Risk:RescoreCron", "");
            // Every case in the model check, so a county's month has enough scored rows to test on.
            b.UseSetting("Meetings:ModelCheckCaseSample", "1");
        });
        _ = App.CreateClient();
        var intake = App.Services.GetRequiredService<Intake>();
        var now = App.Services.GetRequiredService<Warning.Silo.Time.WarningClock>().Now;
        var sim = new DisputeSimulator(_factory.Hierarchy, new SimulatorOptions { Seed = 16, CasesPerVillagePerDay = 0.5, ScreeningRounds = true, RegistryAsOf = now.AddDays(-HistoryDays) });
        KeyIndividuals = sim.KeyIndividuals;
        await intake.AcceptAsync(sim.KeyIndividuals.Cast<object>().ToList());
        var batch = new List<object>(2000);
        foreach (var e in sim.Run(now.AddDays(-HistoryDays), now.AddMinutes(-1)))
        {
            object record = e switch
            {
                SimulatedReport { Report: var r } => r.CaseId is null ? r with { CaseId = CaseIds.FromOpeningReport(r.ReportId) } : r,
                SimulatedIncident { Incident: var i } => i,
                SimulatedScreening { Round: var s } => s,
                _ => throw new InvalidOperationException(),
            };
            batch.Add(record);
            Records.Add(record);
            if (batch.Count == 2000) { await intake.AcceptAsync(batch); batch.Clear(); }
        }
        await intake.AcceptAsync(batch);
        PlantedSpikes = sim.PlantedSpikes;
    }

    public Task DisposeAsync()
    {
        App.Dispose();
        _factory.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Starts at <paramref name="start"/> and runs on at the wall clock's pace (timers stay real).</summary>
    private sealed class FixedStart(DateTimeOffset start) : TimeProvider
    {
        private readonly TimeSpan _shift = start - System.GetUtcNow();

        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + _shift;
    }
}
