using Microsoft.Extensions.Options;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Warning.Silo.Health;
using Warning.Silo.Ingest;
using Warning.Silo.Risk;
using Warning.Silo.Time;
using Warning.Web.Risk;
using Warning.Web.Spikes;

namespace Warning.Web.Simulator;

/// <summary>
/// Live demo data: registers the simulated key individuals, fast-forwards some history into an empty store, then
/// feeds simulated reports and incidents in (accelerated) real time through the same durable intake as HTTP.
/// </summary>
public sealed class DemoFeed(IOptions<DemoFeedOptions> options, AreaHierarchy hierarchy, Intake intake, IngestLog log, IngestApplier applier,
    SpikeScanService spikes, RiskModelRegistry models, RiskRetrainer retrainer, WarningClock clock, TimeProvider time, BackgroundLoops loops, ILogger<DemoFeed> logger)
    : BackgroundService
{
    /// <summary>The live feed's name on <c>/readyz</c>.</summary>
    public const string LoopName = "demoFeed";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled) return;
        await applier.CaughtUp.WaitAsync(stoppingToken);

        var now = time.GetUtcNow();
        var simulator = new DisputeSimulator(hierarchy, new SimulatorOptions { Seed = o.Seed, SpikesPerMonth = o.SpikesPerMonth });
        if (log.LastSeq == 0)
        {
            await intake.AcceptAsync(simulator.KeyIndividuals.Cast<object>().ToList(), stoppingToken);
            var from = now.AddDays(-o.HistoryDays);
            var batch = new List<object>(1000);
            long written = 0;
            var started = System.Diagnostics.Stopwatch.StartNew();
            foreach (var e in simulator.Run(from, now))
            {
                batch.Add(Record(e));
                if (batch.Count == 1000)
                {
                    await intake.AcceptAsync(batch, stoppingToken);
                    written += batch.Count;
                    batch.Clear();
                }
            }
            if (batch.Count > 0) await intake.AcceptAsync(batch, stoppingToken);
            written += batch.Count;
            logger.LogInformation("Demo history: {Events} events over {Days} days written in {Elapsed:F1}s", written, o.HistoryDays, started.Elapsed.TotalSeconds);
            // The start-up spike scan ran on an empty store; scan yesterday again now that the history is in the grains,
            // so the demo shows the simulator's planted spikes instead of waiting for midnight.
            await applier.WaitForAppliedAsync(log.LastSeq, stoppingToken);
            await spikes.ScanAsync(clock.Today.AddDays(-1), apply: true, stoppingToken);
            // The history's cases were scored as of their last event, some weeks ago; bring them to today.
            await log.AppendAsync([OpenCaseRescore.Tick(clock.Now, "demo history")], stoppingToken);
            // Likewise the nightly retraining: train a first model now (in the background, the live feed goes on) so the
            // demo's scores come from the model rather than the points score.
            if (models.Live is null && retrainer.Running is null)
            {
                var job = retrainer.Queue("demo_start", DemoTrainingDays);
                _ = Task.Run(() => retrainer.RunAsync(job.JobId, stoppingToken), stoppingToken);
            }
        }
        else
        {
            logger.LogInformation("Demo feed: store already holds {Entries} entries; skipping history", log.LastSeq);
        }

        // A fresh seed per start: ids of the live run must not collide with history or an earlier run's ids.
        var live = new DisputeSimulator(hierarchy, new SimulatorOptions { Seed = o.Seed + 1 + (int)(now.ToUnixTimeSeconds() / 60 % 1_000_000), SpikesPerMonth = o.SpikesPerMonth });
        await intake.AcceptAsync(live.KeyIndividuals.Cast<object>().ToList(), stoppingToken);
        logger.LogInformation("Demo feed live at {Speed}x", o.Speed);
        loops.Register(LoopName);
        await foreach (var e in live.RunRealTime(now, o.Speed, stoppingToken))
        {
            // A timeout is an OperationCanceledException too: only the host's stop ends the feed.
            await loops.RunStepAsync(LoopName, ct => intake.AcceptAsync([Record(e)], ct), logger, stoppingToken);
        }
    }

    /// <summary>A year of simulated history trains in seconds and covers every season once.</summary>
    private const int DemoTrainingDays = 365;

    private static object Record(SimulatedEvent e) => e switch
    {
        SimulatedReport r => r.Report.CaseId is null ? r.Report with { CaseId = Warning.Analytics.Disputes.CaseIds.FromOpeningReport(r.Report.ReportId) } : r.Report,
        SimulatedIncident i => i.Incident,
        _ => throw new InvalidOperationException(e.GetType().Name),
    };
}
