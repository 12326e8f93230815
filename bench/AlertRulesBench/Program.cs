// Rule evaluation cost per applied report: the same simulated reports and incidents applied through the real case,
// area and person grains with the alert rules off and on (Alerts:Enabled), alternately, in a fresh silo each run.
// The difference per report is what the rules cost: evaluation on every report, plus routing, raising and writing
// the alerts the few reports that fire one. Beside it, the rules' decision alone (no grain call) per evaluation.
// Usage: dotnet run --project bench/AlertRulesBench -c Release -- [casesPerVillagePerDay=0.35] [historyDays=14] [rounds=2]
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans;
using Orleans.Hosting;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Risk;
using Warning.Analytics.Simulation;
using Warning.Silo;
using Warning.Silo.Alerts;
using Warning.Silo.Areas;
using Warning.Silo.Cases;
using Warning.Silo.Ingest;
using Warning.Silo.Persons;
using Warning.Silo.Risk;
using Warning.Silo.Storage;
using Warning.Silo.Time;

var rate = double.Parse(args.ElementAtOrDefault(0) ?? "0.35", CultureInfo.InvariantCulture);
var historyDays = int.Parse(args.ElementAtOrDefault(1) ?? "14", CultureInfo.InvariantCulture);
var rounds = int.Parse(args.ElementAtOrDefault(2) ?? "3", CultureInfo.InvariantCulture);
var city = CityGenerator.Generate(CityShape.Dingxi, 7);
var end = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.FromHours(8));
var events = new DisputeSimulator(city, new SimulatorOptions { Seed = 5, CasesPerVillagePerDay = rate, CorrectionsCheckIns = false, KeepTruth = false })
    is var sim ? (sim.KeyIndividuals.ToArray(), sim.Run(end.AddDays(-historyDays), end).ToArray()) : default;
var reports = events.Item2.Count(e => e is SimulatedReport);
var incidents = events.Item2.Count(e => e is SimulatedIncident { Incident.CaseId: not null });

Console.WriteLine($"Alert rule cost: Dingxi ({city.AtLevel(AreaLevel.Village).Count():N0} villages), {historyDays} days at {rate} new cases per village per day: {reports:N0} reports, {incidents:N0} linked incidents; {Environment.ProcessorCount} cores, points score");
Console.WriteLine();
Console.WriteLine("| round | rules | applied (s) | per report or incident (µs) | alerts open after | alert changes |");
Console.WriteLine("| ---: | --- | ---: | ---: | ---: | ---: |");
// A first run warms the JIT and the disk cache; it is not counted. Then off and on alternate, so a change in the
// machine's load (other work on it) falls on both; the cost is the median of the rounds' differences.
await RunAsync(true);
var differences = new List<double>();
var offs = new List<double>();
for (var round = 1; round <= rounds; round++)
{
    var pair = new double[2];
    foreach (var rules in round % 2 == 1 ? new[] { false, true } : new[] { true, false })
    {
        var (seconds, open, changes) = await RunAsync(rules);
        var perEvent = seconds * 1e6 / (reports + incidents);
        pair[rules ? 1 : 0] = perEvent;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {round} | {(rules ? "on" : "off")} | {seconds:F2} | {perEvent:F0} | {open:N0} | {changes:N0} |"));
    }
    differences.Add(pair[1] - pair[0]);
    offs.Add(pair[0]);
}
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Rule cost per applied report or incident (median of the rounds' on − off): {Median(differences):F0} µs, against {Median(offs):F0} µs with the rules off; differences {string.Join(", ", differences.Select(d => d.ToString("F0", CultureInfo.InvariantCulture)))} µs"));

// The decision alone: what every report pays when nothing fires (a level comparison and the deadline stage).
var score = new RiskScore(0.1, RiskLevel.Medium, "points", end, []);
var decisions = 5_000_000;
var watch = Stopwatch.StartNew();
var fired = 0;
for (var i = 0; i < decisions; i++)
{
    var current = i % 7 == 0 ? score with { Level = RiskLevel.High } : score;
    if (current.Level >= RiskLevel.High && score.Level < current.Level) fired++;
    fired += CaseAlerts.OverdueStage(CaseStatus.Screened, TimeSpan.FromDays(i % 40), 3, 15, 30) > 2 ? 1 : 0;
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Rule decision alone (risk level and deadline stage, no grain call): {watch.Elapsed.TotalNanoseconds / decisions:F1} ns per report ({fired:N0} decisions to raise in {decisions:N0})"));

static double Median(IEnumerable<double> xs)
{
    var a = xs.Order().ToArray();
    return a.Length == 0 ? 0 : a.Length % 2 == 1 ? a[a.Length / 2] : (a[a.Length / 2 - 1] + a[a.Length / 2]) / 2;
}

async Task<(double Seconds, int Open, long Changes)> RunAsync(bool rules)
{
    var scratch = Path.Combine(Path.GetTempPath(), "warning-alert-bench-" + Guid.NewGuid().ToString("N"));
    Directory.CreateDirectory(scratch);
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.SetMinimumLevel(LogLevel.Error);
    builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort: FreePort(), gatewayPort: 0)
        .AddSqliteGrainStorageAsDefault(o => { o.DatabasePath = Path.Combine(scratch, "state.db"); o.Synchronous = "OFF"; }));
    // The service's dev setting for tests and benches: no group wait.
    builder.Services.AddGrainDependencies(city, scratch, new RiskModelRegistry(Path.Combine(scratch, "no-models"), NullLogger<RiskModelRegistry>.Instance),
        o => { o.Enabled = rules; o.GroupWait = TimeSpan.Zero; });
    using var host = builder.Build();
    await host.StartAsync();
    var grains = host.Services.GetRequiredService<IGrainFactory>();
    long seq = 0;
    foreach (var person in events.Item1) await grains.GetGrain<IPersonGrain>(person.PersonId).Register(++seq, person);
    var watch = Stopwatch.StartNew();
    foreach (var e in events.Item2)
    {
        seq++;
        switch (e)
        {
            case SimulatedReport { Report: var r }:
                var report = r.CaseId is null ? r with { CaseId = CaseIds.FromOpeningReport(r.ReportId) } : r;
                var change = await grains.GetGrain<ICaseGrain>(report.CaseId!).ApplyReport(seq, report);
                if (change is not null) await Task.WhenAll(city.PathToRoot(change.GridId).Select(a => grains.For(a).ApplyCaseChange(seq, change)));
                break;
            case SimulatedIncident { Incident: { CaseId: { } caseId } i }:
                var risk = await grains.GetGrain<ICaseGrain>(caseId).LinkIncident(seq, i);
                if (risk is not null) await Task.WhenAll(city.PathToRoot(risk.GridId).Select(a => grains.For(a).ApplyCaseRisk(seq, risk)));
                break;
        }
    }
    var seconds = watch.Elapsed.TotalSeconds;
    var board = grains.GetGrain<IAlertBoardGrain>(IAlertBoardGrain.Key);
    var open = (await board.List()).Count(a => a.IsOpen);
    var changes = (await board.Since(long.MaxValue)).LastSeq;
    await host.StopAsync();
    Directory.Delete(scratch, recursive: true);
    return (seconds, open, changes);
}

static int FreePort()
{
    using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    l.Start();
    return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
}
