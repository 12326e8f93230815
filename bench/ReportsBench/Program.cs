// Meeting packs: time and peak memory to make a Dingxi city quarterly pack (HTML, then PDF) and a county monthly pack,
// from a real SQLite ingest log holding the simulated city's history, through the service's own code path
// (IngestLog.ReadRecords → CaseLedger → Briefing → BriefingHtml/BriefingCsv → PackPrinter with Debian's Chromium).
// Usage: dotnet run --project bench/ReportsBench -c Release -- seed <dir> [days=460] [casesPerVillagePerDay=0.35] [screeningRounds=true]
//        dotnet run --project bench/ReportsBench -c Release -- run <dir> <city-quarter-html|city-quarter-pdf|county-month-pdf>
// One scenario per process, so its peak working set is its own.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Reports;
using Warning.Analytics.Risk;
using Warning.Analytics.Simulation;
using Warning.Analytics.Spikes;
using Warning.Silo.Ingest;
using Warning.Silo.Storage;
using Warning.Web.Meetings;

var mode = args.ElementAtOrDefault(0) ?? throw new ArgumentException("seed or run");
var dir = Path.GetFullPath(args.ElementAtOrDefault(1) ?? throw new ArgumentException("data folder"));
var city = CityGenerator.Generate(CityShape.Dingxi, 7);
// The bench's "now": the day after a quarter ends, when the quarterly pack is due.
var now = new DateTimeOffset(2026, 10, 1, 2, 0, 0, TimeSpan.FromHours(8));
var storage = Options.Create(new StorageOptions { DataDirectory = dir, Synchronous = "OFF" });
var store = new SqliteLogStore(new WarningDatabase(storage), storage);
await using var log = new IngestLog(store, NullLogger<IngestLog>.Instance);

if (mode == "seed")
{
    var days = int.Parse(args.ElementAtOrDefault(2) ?? "460", CultureInfo.InvariantCulture);
    var rate = double.Parse(args.ElementAtOrDefault(3) ?? "0.35", CultureInfo.InvariantCulture);
    var rounds = bool.Parse(args.ElementAtOrDefault(4) ?? "true");
    var sim = new DisputeSimulator(city, new SimulatorOptions { Seed = 11, CasesPerVillagePerDay = rate, ScreeningRounds = rounds, KeepTruth = false, RegistryAsOf = now.AddDays(-days) });
    var batch = new List<PendingItem>(5000);
    long n = 0;
    var watch = Stopwatch.StartNew();
    foreach (var e in sim.Run(now.AddDays(-days), now))
    {
        batch.Add(e switch
        {
            SimulatedReport { Report: var r } when (r.CaseId is null ? r with { CaseId = CaseIds.FromOpeningReport(r.ReportId) } : r) is var x =>
                new PendingItem(IngestKind.Report, x.ReportId, x.CaseId, JsonSerializer.Serialize(x, WarningJson.Options)),
            SimulatedIncident { Incident: var i } => new PendingItem(IngestKind.Incident, i.IncidentId, i.CaseId, JsonSerializer.Serialize(i, WarningJson.Options)),
            SimulatedScreening { Round: var s } => new PendingItem(IngestKind.Screening, s.ScreeningId, null, JsonSerializer.Serialize(s, WarningJson.Options)),
            _ => throw new InvalidOperationException(),
        });
        if (batch.Count == 5000) { await log.AppendAsync(batch); n += batch.Count; batch = new(5000); }
    }
    await log.AppendAsync(batch);
    n += batch.Count;
    Console.WriteLine($"seeded {n:N0} log entries ({days} days, {rate} cases per village per day, screening rounds {rounds}) in {watch.Elapsed.TotalSeconds:F0} s");
    return;
}

var scenario = args.ElementAtOrDefault(2) ?? "city-quarter-pdf";
var (areaId, from, to, pdf) = scenario switch
{
    "city-quarter-html" => (city.Roots[0].Id, new DateOnly(2026, 7, 1), new DateOnly(2026, 9, 30), false),
    "city-quarter-pdf" => (city.Roots[0].Id, new DateOnly(2026, 7, 1), new DateOnly(2026, 9, 30), true),
    "county-month-pdf" => (city.ChildrenOf(city.Roots[0].Id).OrderBy(a => a.Id, StringComparer.Ordinal).First().Id, new DateOnly(2026, 9, 1), new DateOnly(2026, 9, 30), true),
    _ => throw new ArgumentException($"unknown scenario {scenario}"),
};
var total = Stopwatch.StartNew();
var records = log.ReadRecords().ToList();
var readOnly = total.Elapsed;
Console.Error.WriteLine($"read: {records.Count:N0} records in {readOnly.TotalSeconds:F1} s, GC pauses {GC.GetTotalPauseDuration().TotalSeconds:F1} s, gen0/1/2 {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, CPU {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F1} s");
var ledger = CaseLedger.From(records);
var read = total.Elapsed;
var period = new BriefingPeriod(from, to, TimeSpan.FromHours(8));
// The model check as the service runs it with no trained model: the points score over the replayed rows.
var thresholds = new RiskThresholds();
var health = ModelHealthCheck.Evaluate(PointsScore.ModelName, null, null, city, records, ledger, areaId, period, now,
    new ReplayOptions { CaseSampleRate = new MeetingsOptions().ModelCheckCaseSample },
    (rows, count) => Enumerable.Range(0, count).Select(i => PointsScore.Score(rows[(i * RiskFeatures.Count)..((i + 1) * RiskFeatures.Count)], now, thresholds, 0).Probability).ToArray());
records = null!;
var checkedModel = total.Elapsed;
var inputs = new BriefingInputs(city, ledger, new DeadlineOptions(), TimeSpan.FromDays(1), new SpikeOptions(), now) { Model = health };
var pack = Briefing.Compute(inputs, areaId, period);
var computed = total.Elapsed;
var html = BriefingHtml.Render(pack, ReportWords.Chinese);
var csv = BriefingCsv.Zip(pack, ReportWords.Chinese, city);
var rendered = total.Elapsed;
var pdfBytes = 0;
if (pdf)
{
    var wwwroot = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src/Warning.Web/wwwroot"));
    var printer = new PackPrinter(Options.Create(new MeetingsOptions()), new BenchEnvironment(wwwroot), NullLogger<PackPrinter>.Instance);
    pdfBytes = (await printer.PrintAsync(html, CancellationToken.None)).Length;
}
var printed = total.Elapsed;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"| {scenario} | {city[areaId].Name} {from:yyyy-MM-dd}..{to:yyyy-MM-dd} | {ledger.Cases.Count:N0} | {readOnly.TotalSeconds:F1} | {(read - readOnly).TotalSeconds:F1} | {(checkedModel - read).TotalSeconds:F1} | {(computed - checkedModel).TotalSeconds:F1} | {(rendered - computed).TotalSeconds:F2} | {(pdf ? (printed - rendered).TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) : "—")} | {printed.TotalSeconds:F1} | {html.Length / 1024:N0} KiB / {csv.Length / 1024:N0} KiB / {(pdf ? $"{pdfBytes / 1024:N0} KiB" : "—")} | {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576:N0} |"));

internal sealed class BenchEnvironment(string webRoot) : IWebHostEnvironment
{
    public string WebRootPath { get; set; } = webRoot;
    public IFileProvider WebRootFileProvider { get; set; } = new PhysicalFileProvider(webRoot);
    public string ApplicationName { get; set; } = "bench";
    public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    public string ContentRootPath { get; set; } = "";
    public string EnvironmentName { get; set; } = "Production";
}
