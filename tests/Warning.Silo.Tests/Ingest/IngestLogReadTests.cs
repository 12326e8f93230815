using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Warning.Analytics.Disputes;
using Warning.Silo.Ingest;
using Warning.Silo.Storage;

namespace Warning.Silo.Tests.Ingest;

/// <summary>
/// Reading the whole log back (meeting packs, retraining) parses batches side by side and reads screening rounds by hand
/// into marks: neither may change what comes out, or in which order.
/// </summary>
public sealed class IngestLogReadTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "warning-logread-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Records_come_back_in_log_order_across_batches_with_rounds_as_marks_of_their_grid_and_moment()
    {
        var storage = Options.Create(new StorageOptions { DataDirectory = _dir, Synchronous = "OFF" });
        await using var log = new IngestLog(new SqliteLogStore(new WarningDatabase(storage), storage), NullLogger<IngestLog>.Instance);
        var start = new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.FromHours(8));
        var expected = new List<(string Kind, string Id, DateTimeOffset At, string Grid)>();
        var items = new List<PendingItem>();
        // More than two parse batches (8,192 rows each), kinds interleaved, so an out-of-order batch would show.
        for (var i = 0; i < 20_000; i++)
        {
            var at = start.AddMinutes(i);
            var grid = $"g-{i % 37}";
            if (i % 3 == 0)
            {
                // Properties in another order than the contract writes them, one escaped character in a skipped field.
                var payload = $$"""{"reporterId":"w\u002d{{i}}","findings":"none","screenedAt":"{{at:O}}","reportIds":["r-1"],"householdsVisited":3,"gridId":"{{grid}}","screeningId":"s-{{i}}"}""";
                items.Add(new PendingItem(IngestKind.Screening, $"s-{i}", null, payload));
                expected.Add(("mark", grid, at, grid));
            }
            else
            {
                var report = new ScreeningReport($"r-{i}", grid, at, "w-1", $"case-{i / 2}", DisputeCategory.Land, CaseStatus.Screened, 2, 2, null, 0, [], [], "土地边界");
                items.Add(new PendingItem(IngestKind.Report, report.ReportId, report.CaseId, JsonSerializer.Serialize(report, WarningJson.Options)));
                expected.Add(("report", report.ReportId, at, grid));
            }
        }
        foreach (var chunk in items.Chunk(5000)) await log.AppendAsync(chunk);

        var read = log.ReadRecords().Select(r => r switch
        {
            ScreeningMark m => ("mark", m.GridId, m.ScreenedAt, m.GridId),
            ScreeningReport report => ("report", report.ReportId, report.ReportedAt, report.GridId),
            var other => throw new InvalidOperationException($"unexpected {other.GetType().Name}"),
        }).ToList();

        Assert.Equal(expected, read);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
