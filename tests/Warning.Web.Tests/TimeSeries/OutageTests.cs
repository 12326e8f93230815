using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Warning.Silo.Health;
using Warning.Silo.Storage;
using Warning.Silo.TimeSeries;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.TimeSeries;

/// <summary>InfluxDB goes away while reports keep arriving at the service, comes back, and every point is there once.</summary>
public sealed class OutageTests(InfluxServer server) : IClassFixture<InfluxServer>
{
    [Fact]
    public async Task Reports_accepted_during_an_outage_reach_influxdb_exactly_once()
    {
        using var app = new WarningAppFactory();
        using var factory = InfluxAppFactory.Create(app, server, "outage");
        using var http = factory.CreateClient();
        var grids = app.GridIds;
        var sent = 0;

        async Task PostReportsAsync(int count)
        {
            for (var offset = 0; offset < count; offset += 200)
            {
                var batch = new JsonArray(Enumerable.Range(0, Math.Min(200, count - offset)).Select(i => (JsonNode)Reports.Valid(grids[(sent + offset + i) % grids.Count])).ToArray());
                var (status, body, _) = await Reports.PostAsync(http, "/api/v1/reports", batch);
                Assert.Equal(202, status);
                Assert.Equal(batch.Count, body!["accepted"]!.GetValue<int>());
            }
            sent += count;
            await factory.SettleAsync();
        }

        await PostReportsAsync(300);
        Assert.True(await factory.Writer().FlushAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);

        await server.StopAsync();
        await PostReportsAsync(1200); // more than the in-memory queue holds: the rest overflows to disk
        var down = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.DoesNotContain("\"influxdb\":\"ok\"", await down.Content.ReadAsStringAsync());
        var until = DateTime.UtcNow.AddSeconds(20);
        while (factory.Writer().Stats.Spilled == 0 && DateTime.UtcNow < until) await Task.Delay(Poll.Interval);
        Assert.True(factory.Writer().Stats.Spilled > 0, "points spill to disk while InfluxDB is down");

        await server.StartAsync();
        await PostReportsAsync(500);
        Assert.True(await factory.Writer().FlushAsync(TimeSpan.FromSeconds(60)), $"writer drained: {factory.Writer().Stats}");
        Assert.Equal(0, factory.Writer().Stats.Spilled);
        Assert.Equal(0, factory.Writer().Stats.Rejected);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);

        var client = factory.Services.GetRequiredService<InfluxClient>();
        foreach (var measurement in new[] { "reports", "grid_reports" })
        {
            var series = Assert.Single(await client.QueryAsync($"SELECT count(\"count\"), sum(\"count\") FROM \"{measurement}\""));
            Assert.Equal(sent, series.Values[0][1].GetInt64());
            Assert.Equal(sent, series.Values[0][2].GetInt64());
        }
        // Every report is one point of its own: as many distinct timestamps per grid as reports posted to it.
        var perGrid = await client.QueryAsync("SELECT count(\"count\") FROM \"grid_reports\" GROUP BY \"grid\"");
        Assert.Equal(sent, perGrid.Sum(s => s.Values[0][1].GetInt64()));
        Assert.Equal(Math.Min(sent, grids.Count), perGrid.Count);
    }

    [Fact]
    public async Task The_writer_outlives_a_spill_it_cannot_write_shows_failing_and_sends_the_batch_once_it_can()
    {
        var options = server.Options("writer-broken-spill", o => o.MaxRetries = 1);
        var client = new InfluxClient(Microsoft.Extensions.Options.Options.Create(options));
        var logs = new LogCapture();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var loops = new BackgroundLoops(TimeProvider.System);
        var writer = new InfluxWriter(client, new InfluxSchema(client, Microsoft.Extensions.Options.Options.Create(options), loggers.CreateLogger<InfluxSchema>()),
            Microsoft.Extensions.Options.Options.Create(options), Microsoft.Extensions.Options.Options.Create(new StorageOptions { DataDirectory = server.Directory }),
            loggers.CreateLogger<InfluxWriter>(), loops);
        // InfluxDB down, and where the spill folder was, a file: the batch can neither be sent nor parked.
        await server.StopAsync();
        Directory.Delete(options.SpillDirectory, recursive: true);
        await File.WriteAllTextAsync(options.SpillDirectory, "not a folder");
        try
        {
            await writer.StartAsync(CancellationToken.None);
            var start = DateTimeOffset.UtcNow.AddMinutes(-5);
            for (var i = 0; i < 50; i++)
                writer.Write(new Warning.Analytics.TimeSeries.LinePoint("ticks").Field("n", (long)i).Timestamp(start.AddMilliseconds(i)));

            var until = DateTime.UtcNow.AddSeconds(120);
            while (logs.Entries.Count(e => Equals(e.Properties.GetValueOrDefault("Loop"), InfluxWriter.LoopName)) < 2 && DateTime.UtcNow < until) await Task.Delay(Poll.Interval);
            var failures = logs.Entries.Where(e => Equals(e.Properties.GetValueOrDefault("Loop"), InfluxWriter.LoopName)).ToList();
            Assert.True(failures.Count >= 2, "the writer tried again after the first failure");
            Assert.All(failures, f => Assert.Equal(LogLevel.Error, f.Level));
            Assert.All(failures, f => Assert.IsAssignableFrom<IOException>(f.Exception));
            var status = loops.Current[InfluxWriter.LoopName];
            Assert.True(status.Failing);
            Assert.StartsWith("failing since ", status.ToString());
        }
        finally
        {
            File.Delete(options.SpillDirectory);
            Directory.CreateDirectory(options.SpillDirectory);
            await server.StartAsync();
        }

        Assert.True(await writer.FlushAsync(TimeSpan.FromSeconds(120)), $"{writer.Stats}");
        Assert.False(loops.Current[InfluxWriter.LoopName].Failing);
        var series = Assert.Single(await client.QueryAsync("SELECT count(\"n\"), sum(\"n\") FROM \"ticks\""));
        Assert.Equal(50, series.Values[0][1].GetInt64());
        Assert.Equal(50 * 49 / 2, series.Values[0][2].GetInt64());
        await writer.StopAsync(CancellationToken.None);
        writer.Dispose();
        client.Dispose();
    }

    [Fact]
    public async Task The_writer_alone_spills_in_order_and_replays_after_a_restart_of_the_service()
    {
        var options = server.Options("writer-outage", o => { o.BatchSize = 100; o.QueueCapacity = 150; o.Gzip = true; });
        var (client, _, writer) = server.Create(options);
        await writer.StartAsync(CancellationToken.None);
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        var written = 0;
        void Write(int n)
        {
            for (var i = 0; i < n; i++, written++)
                writer.Write(new Warning.Analytics.TimeSeries.LinePoint("ticks").Tag("k", (written % 7).ToString()).Field("n", (long)written).Timestamp(start.AddMilliseconds(written)));
        }

        Write(500);
        Assert.True(await writer.FlushAsync(TimeSpan.FromSeconds(30)));
        await server.StopAsync();
        Write(1000);
        await Task.Delay(1500);
        // The service stops during the outage: what is in memory goes to disk, and a new writer replays it.
        await writer.StopAsync(CancellationToken.None);
        writer.Dispose();
        Assert.NotEmpty(Directory.EnumerateFiles(options.SpillDirectory, "*.lp"));

        await server.StartAsync();
        var (_, _, second) = server.Create(options);
        Assert.Equal(1000, second.Stats.Spilled);
        await second.StartAsync(CancellationToken.None);
        Write2(second, 300);
        Assert.True(await second.FlushAsync(TimeSpan.FromSeconds(60)), $"{second.Stats}");
        var series = Assert.Single(await client.QueryAsync("SELECT count(\"n\"), sum(\"n\") FROM \"ticks\""));
        Assert.Equal(written, series.Values[0][1].GetInt64());
        Assert.Equal((long)written * (written - 1) / 2, series.Values[0][2].GetInt64());
        Assert.Empty(Directory.EnumerateFiles(options.SpillDirectory, "*.lp"));
        await second.StopAsync(CancellationToken.None);

        void Write2(InfluxWriter w, int n)
        {
            for (var i = 0; i < n; i++, written++)
                w.Write(new Warning.Analytics.TimeSeries.LinePoint("ticks").Tag("k", (written % 7).ToString()).Field("n", (long)written).Timestamp(start.AddMilliseconds(written)));
        }
    }
}
