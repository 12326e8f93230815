using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Warning.Silo.TimeSeries;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.TimeSeries;

/// <summary>The whole service on its own InfluxDB behind an <see cref="InfluxProxy"/>, repairing rollups every half second.</summary>
public sealed class ProxiedInfluxService : IAsyncLifetime
{
    public InfluxServer Server { get; } = new();
    public InfluxProxy Proxy { get; private set; } = null!;
    public WarningAppFactory App { get; } = new();
    public LogCapture Logs { get; } = new();
    public WebApplicationFactory<Program> Factory { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Server.InitializeAsync();
        Proxy = new InfluxProxy(Server.Url);
        Factory = InfluxAppFactory.Create(App, Server, "repairloop").WithWebHostBuilder(b =>
        {
            b.UseSetting("Influx:Url", Proxy.Url);
            b.UseSetting("Influx:RequestTimeout", "00:00:02");
            b.UseSetting("Influx:RollupRepairInterval", "00:00:00.500");
            b.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(Logs));
        });
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        App.Dispose();
        await Proxy.DisposeAsync();
        await Server.DisposeAsync();
    }
}

public sealed class RollupRepairLoopTests(ProxiedInfluxService service) : IClassFixture<ProxiedInfluxService>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_repair_that_times_out_keeps_its_loop_alive_logs_shows_on_readyz_and_succeeds_once_influxdb_answers()
    {
        using var http = service.Factory.CreateClient();
        // Only the repair's backfill hangs (SELECT … INTO with a time range): writes, pings and trend reads still answer.
        service.Proxy.Hang = q => q.StartsWith("SELECT", StringComparison.Ordinal) && q.Contains(" INTO ", StringComparison.Ordinal);
        try
        {
            await PostLateReportsAsync(http, "environment", 12);

            var failing = await WaitForAsync(async () =>
            {
                using var response = await http.GetAsync("/readyz");
                var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                return response.StatusCode == HttpStatusCode.ServiceUnavailable && body["checks"]?[RollupRepair.LoopName]?.GetValue<string>() is { } check
                    && check.StartsWith("failing since ", StringComparison.Ordinal) ? check : null;
            }, "/readyz to show the rollup repair failing");
            Assert.Contains("HttpClient.Timeout", failing);

            // Alive after the timeout: it fails again on later ticks, each time logged with the loop's name.
            await WaitForAsync(() => Task.FromResult(RepairErrors().Count >= 2 ? "" : null), "a second failed repair in the log");
            Assert.Contains(RepairErrors(), e => e.Exception is TaskCanceledException);
        }
        finally
        {
            service.Proxy.Hang = null;
        }

        await WaitForAsync(async () =>
        {
            using var response = await http.GetAsync("/readyz");
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            return response.StatusCode == HttpStatusCode.OK && body["checks"]?[RollupRepair.LoopName]?.GetValue<string>() == "ok" ? "" : null;
        }, "/readyz ready with the rollup repair ok");
        // The range of the failed rounds was kept: the late reports are rolled up once InfluxDB answers.
        await WaitForAsync(async () => await HourlySumAsync("environment") == 12 ? "" : null, "the hourly rollup of the late reports");
        Assert.Equal(12, await DailySumAsync("environment"));
    }

    [Fact]
    public async Task A_repair_never_reaches_past_the_raw_retention_and_works_in_chunks_of_a_week()
    {
        using var http = service.Factory.CreateClient();
        var repair = service.Factory.Services.GetRequiredService<RollupRepair>();
        await PostLateReportsAsync(http, "traffic", 9);
        var before = service.Proxy.Statements.Count;
        var now = DateTimeOffset.UtcNow;
        // What a point from 1678 (inside InfluxDB's range) left owed: before the bound, one query over six centuries of hours.
        service.Factory.Writer().MarkLate(new DateTimeOffset(1678, 1, 1, 0, 0, 0, TimeSpan.Zero), now.AddDays(-4));

        await WaitForAsync(() => Task.FromResult(repair.Owed is null ? "" : null), "the owed range repaired");
        await WaitForAsync(async () => await HourlySumAsync("traffic") == 9 ? "" : null, "the hourly rollup of the late reports");
        Assert.Equal(9, await DailySumAsync("traffic"));

        var ranges = service.Proxy.Statements.Skip(before)
            .Select(q => Regex.Match(q, "^SELECT .* INTO .* WHERE time >= '([^']+)' AND time < '([^']+)'"))
            .Where(m => m.Success)
            .Select(m => (From: DateTimeOffset.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), To: DateTimeOffset.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
            .ToList();
        Assert.NotEmpty(ranges);
        var horizon = now - new InfluxOptions().RawRetention;
        // Whole hours and whole civil days around the horizon may start up to a day before it.
        Assert.All(ranges, r => Assert.InRange(r.From, horizon.AddDays(-1), now));
        Assert.All(ranges, r => Assert.InRange(r.To - r.From, TimeSpan.FromHours(1), RollupRepair.Chunk));
        // It did reach back to the horizon (the owed range was clamped, not dropped), a week at a time.
        Assert.InRange(ranges.Min(r => r.From), horizon.AddDays(-1), horizon.AddDays(1));
    }

    private List<LogCapture.Entry> RepairErrors() =>
        service.Logs.Entries.Where(e => e.Level >= LogLevel.Error && e.Properties.GetValueOrDefault("Loop") as string == RollupRepair.LoopName).ToList();

    private async Task PostLateReportsAsync(HttpClient http, string category, int count)
    {
        var grids = service.App.GridIds;
        var at = DateTimeOffset.UtcNow.AddDays(-5);
        var batch = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            var report = Reports.Valid(grids[i % grids.Count]);
            report["category"] = category;
            report["reportedAt"] = at.AddMinutes(i * 13).ToString("O");
            batch.Add(report);
        }
        Assert.Equal(202, (await Reports.PostAsync(http, "/api/v1/reports", batch)).Status);
        await service.Factory.SettleAsync();
        Assert.True(await service.Factory.Writer().FlushAsync(Patience));
    }

    private Task<long> HourlySumAsync(string category) => SumAsync("hourly", category);

    private Task<long> DailySumAsync(string category) => SumAsync("daily", category);

    private async Task<long> SumAsync(string policy, string category)
    {
        var client = new InfluxClient(Microsoft.Extensions.Options.Options.Create(service.Server.Options("repairloop")));
        using (client)
        {
            var series = await client.QueryAsync($"SELECT sum(\"count\") FROM \"{policy}\".\"reports\" WHERE \"category\" = '{category}'");
            return series.Count == 0 ? 0 : series[0].Values[0][1].GetInt64();
        }
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> condition, string what) where T : class
    {
        var until = DateTime.UtcNow + Patience;
        while (true)
        {
            if (await condition() is { } result) return result;
            if (DateTime.UtcNow > until) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(Poll.Interval);
        }
    }
}
