using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Warning.Silo.TimeSeries;
using Warning.Web.Tests.Support;
using Xunit.Abstractions;

namespace Warning.Web.Tests.TimeSeries;

/// <summary>
/// kill -9 while points sit in the writer's memory and the grains' checkpoint is already past them: after a restart
/// every accepted report is in InfluxDB, once. And kill -9 before late points had their rollups redone: after a restart
/// they are. Every wait is on a condition, with room for a loaded two-core machine.
/// </summary>
public sealed class HardKillTests(InfluxServer server, ITestOutputHelper output) : IClassFixture<InfluxServer>
{
    private const string Database = "hardkill";
    private const string LateDatabase = "latekill";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Points_still_in_the_writers_memory_at_kill_9_reach_influxdb_exactly_once_after_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "warning-hardkill-" + Guid.NewGuid().ToString("N"));
        var grids = CityGenerator.Generate(CityShape.Small, 7).AtLevel(AreaLevel.Grid).Select(a => a.Id).ToArray();
        using var influx = new HttpClient { BaseAddress = new Uri(server.Url) };
        var posted = 0;

        async Task PostAsync(ServiceProcess service, int count, DateTimeOffset? reportedAt = null)
        {
            using var http = new HttpClient { BaseAddress = new Uri(service.BaseUrl) };
            for (var offset = 0; offset < count; offset += 100)
            {
                var batch = new JsonArray(Enumerable.Range(0, Math.Min(100, count - offset)).Select(i => (JsonNode)Reports.Valid(grids[(posted + offset + i) % grids.Length])).ToArray());
                if (reportedAt is { } at) foreach (var report in batch) report!["reportedAt"] = at.ToString("O");
                var (status, body, _) = await Reports.PostAsync(http, "/api/v1/reports", batch);
                Assert.Equal(202, status);
                Assert.Equal(batch.Count, body!["accepted"]!.GetValue<int>());
            }
            posted += count;
        }

        try
        {
            // 1. Sent and acknowledged; a graceful stop saves the watermark past them.
            await using var first = await ServiceProcess.StartAsync(data, Settings(flush: "00:00:00.100", batch: 250));
            await PostAsync(first, 200);
            await WaitForAsync(async () => await PointSeqsAsync(influx, Database) is { Count: 200 }, "the first 200 points in InfluxDB", first);
            await first.StopAsync();
            Assert.Equal(200, Checkpoint(data, TimeSeriesFeed.CheckpointName));

            // 2. Never sent: the writer holds them for an hour, while the grains checkpoint past them. Then kill -9.
            await using var second = await ServiceProcess.StartAsync(data, Settings(flush: "01:00:00", batch: 100_000));
            await PostAsync(second, 300);
            // Then two reports from days ago, one at a time: a watermark tick saves the rollups each owes, which shows
            // that a whole tick (the watermark read included) ran after the 300 were handed to the writer.
            await PostAsync(second, 1, DateTimeOffset.UtcNow.AddDays(-3));
            await WaitForAsync(() => Task.FromResult(Checkpoint(data, RollupRepair.CheckpointName) != 0), "a watermark tick after the first late report", second);
            var owed = Checkpoint(data, RollupRepair.CheckpointName);
            await PostAsync(second, 1, DateTimeOffset.UtcNow.AddDays(-4));
            await WaitForAsync(() => Task.FromResult(Checkpoint(data, RollupRepair.CheckpointName) != owed), "a watermark tick after the second late report", second);
            await WaitForAsync(() => Task.FromResult(Checkpoint(data, "ingest") >= 502), "the grains' checkpoint at 502", second);
            Assert.Equal(200, Checkpoint(data, TimeSeriesFeed.CheckpointName)); // it must not move past points that are only in memory
            Assert.Equal(200, (await PointSeqsAsync(influx, Database)).Count);
            second.Kill();
            output.WriteLine(second.Output.Length > 4000 ? second.Output[^4000..] : second.Output);

            // 3. The restart rewrites 201..502 from the ingest log; the first 200 are not doubled.
            await using var third = await ServiceProcess.StartAsync(data, Settings(flush: "00:00:00.100", batch: 250));
            var expected = ReportSeqs(data);
            Assert.Equal(posted, expected.Count);
            // The watermark at the last entry: every point up to it is written (the rewrite goes in seq order, so
            // anything written twice would be in by now too).
            await WaitForAsync(() => Task.FromResult(Checkpoint(data, TimeSeriesFeed.CheckpointName) == expected[^1]), $"the watermark saved at {expected[^1]}", third);
            await WaitForAsync(async () => (await PointSeqsAsync(influx, Database)).Count >= expected.Count, $"{expected.Count} points in InfluxDB", third);
            var seqs = await PointSeqsAsync(influx, Database);
            Assert.Equal(expected.Count, seqs.Count); // one point per report: nothing doubled
            Assert.Equal(expected.Select(s => s % 1_000_000).Order(), seqs.Order()); // each report's own point: nothing lost
            var reports = await QueryAsync(influx, Database, "SELECT count(\"count\") FROM \"reports\"");
            Assert.Equal(posted, reports[0]!["values"]![0]![1]!.GetValue<long>());
        }
        finally
        {
            try { Directory.Delete(data, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    [Fact]
    public async Task Rollups_owed_by_late_points_at_kill_9_are_redone_after_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "warning-latekill-" + Guid.NewGuid().ToString("N"));
        var city = CityGenerator.Generate(CityShape.Small, 7);
        var grids = city.AtLevel(AreaLevel.Grid).Select(a => a.Id).ToArray();
        using var influx = new HttpClient { BaseAddress = new Uri(server.Url) };
        const int count = 60;
        try
        {
            // 1. History from six to four days ago (as the demo writes its 30 days): in InfluxDB and behind the saved
            // watermark, so a restart does not rewrite it, but not yet repaired (the repair waits an hour). Then kill -9.
            await using var first = await ServiceProcess.StartAsync(data, [.. Settings("00:00:00.100", 250, LateDatabase), "--Influx:RollupRepairInterval=01:00:00"]);
            using (var http = new HttpClient { BaseAddress = new Uri(first.BaseUrl) })
            {
                var from = DateTimeOffset.UtcNow.AddDays(-6);
                var batch = new JsonArray(Enumerable.Range(0, count).Select(i =>
                {
                    var report = Reports.Valid(grids[i % grids.Length]);
                    report["category"] = "neighbor";
                    report["reportedAt"] = from.AddMinutes(i * 48).ToString("O");
                    return (JsonNode)report;
                }).ToArray());
                Assert.Equal(202, (await Reports.PostAsync(http, "/api/v1/reports", batch)).Status);
            }
            var last = ReportSeqs(data)[^1];
            await WaitForAsync(() => Task.FromResult(Checkpoint(data, TimeSeriesFeed.CheckpointName) >= last), "the watermark past the late reports", first);
            Assert.Equal(count, await SumAsync(influx, "raw"));
            Assert.Equal(0, await SumAsync(influx, "hourly")); // too old for the continuous queries
            first.Kill();

            // 2. The restart redoes their rollups, so trends past the 90 days of raw points (read from the daily rollup) show them.
            await using var second = await ServiceProcess.StartAsync(data, [.. Settings("00:00:00.100", 250, LateDatabase), "--Influx:RollupRepairInterval=00:00:01"]);
            await WaitForAsync(async () => await SumAsync(influx, "hourly") == count, "the hourly rollups of the late reports", second);
            await WaitForAsync(async () => await SumAsync(influx, "daily") == count, "the daily rollups of the late reports", second);
            using (var http = new HttpClient { BaseAddress = new Uri(second.BaseUrl) })
            {
                foreach (var days in new[] { 90, 91, 400 })
                {
                    var trend = await Reports.GetAsync(http, $"/api/v1/regions/{city.Roots[0].Id}/trends?days={days}");
                    Assert.Equal(count, trend["series"]!.AsArray().Sum(s => s!["total"]!.GetValue<long>()));
                }
            }
            await WaitForAsync(() => Task.FromResult(Checkpoint(data, RollupRepair.CheckpointName) == 0), "nothing owed any more", second);
        }
        finally
        {
            try { Directory.Delete(data, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static async Task<long> SumAsync(HttpClient influx, string policy)
    {
        var series = await QueryAsync(influx, LateDatabase, $"SELECT sum(\"count\") FROM \"{policy}\".\"reports\"");
        return series.Count == 0 ? 0 : series[0]!["values"]![0]![1]!.GetValue<long>();
    }

    [Fact]
    public async Task The_watermark_never_passes_lines_still_in_memory_and_reaches_everything_a_stop_spills()
    {
        // Nothing is ever sent: a flush interval of an hour, and no InfluxDB behind the URL.
        var options = server.Options("watermark", o => { o.Url = "http://127.0.0.1:9"; o.BatchSize = 10; o.QueueCapacity = 5; o.FlushInterval = TimeSpan.FromHours(1); });
        var (_, _, writer) = server.Create(options);
        var at = DateTimeOffset.UtcNow;
        void Entry(long seq, int points)
        {
            writer.Write(Enumerable.Range(0, points).Select(i => new Warning.Analytics.TimeSeries.LinePoint("ticks").Field("n", (long)i).Timestamp(at.AddMilliseconds(seq), i)), seq);
            writer.HandedThrough(seq);
        }

        writer.HandedThrough(3); // the saved watermark of an earlier run
        Assert.Equal(3, writer.WrittenThrough);
        Entry(4, 2);
        Entry(5, 0); // an entry without points (a person)
        Entry(6, 3); // the queue (5 lines) is full
        await writer.StartAsync(CancellationToken.None);
        // Wait until the writer has taken the queue into its batch (a fixed delay lost that race on a loaded machine).
        var deadline = DateTime.UtcNow + Patience;
        while (writer.Stats.Queued > 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(0, writer.Stats.Queued);
        Assert.Equal(3, writer.WrittenThrough); // taken into the writer's batch: still only in memory
        Entry(7, 2);
        Entry(8, 4); // the last line overflows into the open spill file, unless the writer took entry 7 off the queue first
        Assert.InRange(writer.Stats.Spilled, 0, 1);
        Assert.Equal(3, writer.WrittenThrough);

        await writer.StopAsync(CancellationToken.None); // spills batch and queue (fsync) and seals the open file
        Assert.Equal(8, writer.WrittenThrough);
        Assert.Equal(11, writer.Stats.Spilled);
        writer.Dispose();
    }

    private string[] Settings(string flush, int batch, string database = Database) =>
    [
        "--Influx:Enabled=true", $"--Influx:Url={server.Url}", $"--Influx:Database={database}", $"--Influx:FlushInterval={flush}",
        $"--Influx:BatchSize={batch}", "--Influx:WatermarkInterval=00:00:00.100", "--Applier:CheckpointInterval=00:00:00.200",
        "--Storage:Synchronous=NORMAL",
    ];

    /// <summary>The sub-millisecond part of every <c>grid_reports</c> timestamp: the report's ingest seq (EventPoints.Tiebreak).</summary>
    private static async Task<List<long>> PointSeqsAsync(HttpClient influx, string database)
    {
        var series = await QueryAsync(influx, database, "SELECT \"count\" FROM \"grid_reports\"");
        return series.SelectMany(s => s!["values"]!.AsArray()).Select(v => v![0]!.GetValue<long>() % 1_000_000).ToList();
    }

    private static async Task<JsonArray> QueryAsync(HttpClient influx, string database, string query)
    {
        var text = await influx.GetStringAsync($"/query?db={database}&epoch=ns&q={Uri.EscapeDataString(query)}");
        var result = JsonNode.Parse(text)!["results"]![0]!;
        return result["series"]?.AsArray() ?? [];
    }

    private static long Checkpoint(string data, string name)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(data, "state.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq FROM checkpoints WHERE name = $name";
        command.Parameters.AddWithValue("$name", name);
        return command.ExecuteScalar() is long seq ? seq : 0;
    }

    private static List<long> ReportSeqs(string data)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(data, "warning.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq FROM ingest_log WHERE kind = 'Report' ORDER BY seq";
        using var reader = command.ExecuteReader();
        var seqs = new List<long>();
        while (reader.Read()) seqs.Add(reader.GetInt64(0));
        return seqs;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what, ServiceProcess? service = null)
    {
        var until = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"timed out waiting for {what}\n{service?.Output}");
            await Task.Delay(100);
        }
    }
}
