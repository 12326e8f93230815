// Re-score ticks: how long one tick holds the applier while it scores every open case again, through the real case
// and area grains, with the points score and with a model; beside it, the same cases scored straight by the scorer
// (no grains), so the grains' share shows. Also the duty officer's list read: every open case's view, sorted.
// Usage: dotnet run --project bench/RescoreBench -c Release -- [casesPerVillagePerDay=0.35,1.4] [historyDays=30]
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Risk;
using Warning.Analytics.Simulation;
using Warning.Silo;
using Warning.Silo.Areas;
using Warning.Silo.Cases;
using Orleans;
using Orleans.Hosting;
using Microsoft.Extensions.Hosting;
using Warning.Silo.Ingest;
using Warning.Silo.Storage;
using Warning.Silo.Persons;
using Warning.Silo.Risk;
using Warning.Silo.Time;

var rates = (args.ElementAtOrDefault(0) ?? "0.35,1.4").Split(',').Select(r => double.Parse(r, CultureInfo.InvariantCulture)).ToArray();
var historyDays = int.Parse(args.ElementAtOrDefault(1) ?? "30", CultureInfo.InvariantCulture);
var city = CityGenerator.Generate(CityShape.Dingxi, 7);
var models = Path.Combine(Path.GetTempPath(), "warning-rescore-bench-" + Guid.NewGuid().ToString("N"));

// A model like the service's: a year of the simulated city's history, a 30 % case sample.
var end = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.FromHours(8));
var watch = Stopwatch.StartNew();
var set = HistoryReplay.Build(city, new SimulatorOptions { Seed = 3 }, end.AddDays(-365), end, new ReplayOptions { CaseSampleRate = 0.3 });
using var model = RiskTrainer.Train(set, new TrainingOptions(), "bench", "simulator seed 3").Model;
Console.Error.WriteLine($"model trained in {watch.Elapsed.TotalSeconds:F1}s on {set.Count:N0} rows");

Console.WriteLine($"Re-score benchmark: Dingxi ({city.AtLevel(AreaLevel.Village).Count():N0} villages), {historyDays} days of history applied through the grains, {Environment.ProcessorCount} cores");
Console.WriteLine();
Console.WriteLine("| new cases per village per day | open cases | scorer | tick, whole city (s) | per open case (µs) | scorer alone, per case (µs) | grains' share | list read, whole city (ms) |");
Console.WriteLine("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |");

foreach (var rate in rates)
foreach (var withModel in new[] { false, true })
{
    var registry = new RiskModelRegistry(Path.Combine(models, Guid.NewGuid().ToString("N")), NullLogger<RiskModelRegistry>.Instance);
    if (withModel) registry.Swap(model);
    // One silo in process with the service's own grain storage, in a scratch folder without fsync: the grains' cost,
    // not the disk's. (Orleans' memory storage keeps state in grains of its own, which stop before these grains write.)
    var scratch = Path.Combine(Path.GetTempPath(), "warning-rescore-" + Guid.NewGuid().ToString("N"));
    Directory.CreateDirectory(scratch);
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.SetMinimumLevel(LogLevel.Error);
    builder.UseOrleans(silo => silo.UseLocalhostClustering(siloPort: FreePort(), gatewayPort: 0)
        .AddSqliteGrainStorageAsDefault(o => { o.DatabasePath = Path.Combine(scratch, "state.db"); o.Synchronous = "OFF"; }));
    builder.Services.AddGrainDependencies(city, scratch, registry);
    using var host = builder.Build();
    await host.StartAsync();
    var services = host.Services;
    var grains = services.GetRequiredService<IGrainFactory>();
    var logger = services.GetRequiredService<ILogger<Program>>();

    // The applier's fan-out, for reports and linked incidents (key individuals registered first).
    var sim = new DisputeSimulator(city, new SimulatorOptions { Seed = 5, CasesPerVillagePerDay = rate, CorrectionsCheckIns = false, KeepTruth = false });
    long seq = 0;
    foreach (var person in sim.KeyIndividuals) await grains.GetGrain<IPersonGrain>(person.PersonId).Register(++seq, person);
    var from = end.AddDays(-historyDays);
    foreach (var e in sim.Run(from, end))
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

    // Three nightly ticks; the first is the one that moves most scores (days open since the last event).
    var ticks = new List<double>();
    var open = 0;
    for (var night = 1; night <= 3; night++)
    {
        var t = Stopwatch.StartNew();
        var summary = await OpenCaseRescore.ApplyAsync(grains, city, ++seq, new RescoreTick(end.AddDays(night).AddMinutes(30), "bench"), logger);
        ticks.Add(t.Elapsed.TotalSeconds);
        open = summary.OpenCases;
    }

    // The same open cases scored straight by the scorer, no grain turns, from their views.
    var scorer = services.GetRequiredService<CaseRiskScorer>();
    var ids = (await Task.WhenAll(city.AtLevel(AreaLevel.Grid).Select(g => grains.GetGrain<IGridGrain>(g.Id).GetOpenCases()))).SelectMany(x => x).ToArray();
    var snapshots = new List<(CaseSnapshot Snapshot, DateTimeOffset At)>();
    foreach (var id in ids)
    {
        var v = (await grains.GetGrain<ICaseGrain>(id).GetView())!;
        snapshots.Add((new CaseSnapshot(v.Category, v.OpenedAt,
            v.History.Select(h => new SnapshotReport(h.ReportedAt, h.Status, h.Category, h.PartiesCount, h.PeopleInvolved, h.AmountInDispute, h.MediationAttempts, h.Flags)).ToArray(),
            v.Incidents.Select(i => new SnapshotIncident(i.OccurredAt, i.Type)).ToArray(), [], false), end.AddDays(4)));
    }
    var direct = Stopwatch.StartNew();
    foreach (var (snapshot, at) in snapshots) scorer.Score(snapshot, at);
    var directPerCase = direct.Elapsed.TotalMicroseconds / Math.Max(1, snapshots.Count);

    // The list read (GET /api/v1/cases without the HTTP): every grid's open cases, every view, sorted by probability.
    var reads = new List<double>();
    for (var r = 0; r < 5; r++)
    {
        var t = Stopwatch.StartNew();
        var all = (await Task.WhenAll(city.AtLevel(AreaLevel.Grid).Select(g => grains.GetGrain<IGridGrain>(g.Id).GetOpenCases()))).SelectMany(x => x).ToArray();
        var views = new List<CaseView>(all.Length);
        foreach (var chunk in all.Chunk(256)) views.AddRange((await Task.WhenAll(chunk.Select(id => grains.GetGrain<ICaseGrain>(id).GetView()))).OfType<CaseView>());
        _ = views.OrderByDescending(v => v.Score?.Probability ?? -1).Take(50).ToList();
        reads.Add(t.Elapsed.TotalMilliseconds);
    }

    var tick = ticks.Order().ElementAt(1);
    var perCase = tick * 1e6 / Math.Max(1, open);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {rate:0.##} | {open:N0} | {(withModel ? $"model ({model.Trees.Kind}) + contributions" : "points")} | {tick:F2} | {perCase:F0} | {directPerCase:F0} | {1 - directPerCase / perCase:P0} | {reads.Order().ElementAt(2):F0} |"));
    await host.StopAsync();
    Directory.Delete(scratch, recursive: true);
}
Console.WriteLine();
Console.WriteLine("tick: median of three nightly ticks over every open case (case turns in chunks of 256, then one roll-up call per area); list read: median of five.");
try { Directory.Delete(models, recursive: true); } catch (IOException) { }

static int FreePort()
{
    using var socket = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    socket.Start();
    return ((System.Net.IPEndPoint)socket.LocalEndpoint).Port;
}
