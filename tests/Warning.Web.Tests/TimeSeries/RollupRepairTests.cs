using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Warning.Analytics.Disputes;
using Warning.Analytics.TimeSeries;
using Warning.Silo.Storage;
using Warning.Silo.Ingest;
using Warning.Silo.TimeSeries;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.TimeSeries;

/// <summary>Points too old for the continuous queries on arrival still reach the hourly and daily rollups.</summary>
public sealed class RollupRepairTests(TrendService service) : IClassFixture<TrendService>
{
    [Fact]
    public async Task Late_reports_are_rolled_up_by_the_repair_with_whole_hours_and_days()
    {
        using var http = service.Factory.CreateClient();
        var grids = service.App.GridIds;
        var at = DateTimeOffset.UtcNow.AddDays(-3);
        var batch = new JsonArray();
        for (var i = 0; i < 30; i++)
        {
            var report = Reports.Valid(grids[i % grids.Count]);
            report["category"] = "environment";
            report["reportedAt"] = at.AddMinutes(i * 7).ToString("O"); // spread over 3.5 hours
            batch.Add(report);
        }
        Assert.Equal(202, (await Reports.PostAsync(http, "/api/v1/reports", batch)).Status);
        await service.Factory.SettleAsync();
        var repair = service.Factory.Services.GetRequiredService<RollupRepair>();
        Assert.NotNull(repair.Owed);
        await repair.RepairAsync();

        var client = service.Factory.Services.GetRequiredService<InfluxClient>();
        var hourly = Assert.Single(await client.QueryAsync("SELECT sum(\"count\") FROM \"hourly\".\"reports\" WHERE \"category\" = 'environment'"));
        Assert.Equal(30, hourly.Values[0][1].GetInt64());
        var daily = Assert.Single(await client.QueryAsync("SELECT sum(\"count\") FROM \"daily\".\"reports\" WHERE \"category\" = 'environment'"));
        Assert.Equal(30, daily.Values[0][1].GetInt64());
        // Hour buckets hold whole hours: as many as the reports span, each the sum of its hour.
        var buckets = Assert.Single(await client.QueryAsync("SELECT \"count\" FROM \"hourly\".\"reports\" WHERE \"category\" = 'environment'"));
        Assert.InRange(buckets.Values.Count, 4, 5 * 5); // 4-5 hours × at most the statuses and villages involved
        Assert.Null(repair.Owed);
        Assert.Equal(0, await service.Factory.Services.GetRequiredService<Checkpoints>().ReadCheckpointAsync(RollupRepair.CheckpointName));
    }

    [Fact]
    public async Task A_report_outside_influxdbs_time_range_is_left_out_and_logged_without_holding_back_the_others()
    {
        var grids = service.App.GridIds;
        var now = DateTimeOffset.UtcNow.AddMinutes(-1);
        ScreeningReport Report(DateTimeOffset at)
        {
            var id = $"r-{Guid.NewGuid():N}";
            return new(id, grids[0], at, "w-1", CaseIds.FromOpeningReport(id), DisputeCategory.Consumer, CaseStatus.Screened, 2, 3, 100, 0, [], [], "消费纠纷");
        }
        // Straight into the log, as a replay or an import would bring it: the HTTP intake may refuse such dates first.
        var results = await service.Factory.Services.GetRequiredService<Intake>().AcceptAsync(
            [Report(now), Report(new DateTimeOffset(1600, 3, 1, 8, 0, 0, TimeSpan.Zero)), Report(new DateTimeOffset(2300, 1, 1, 0, 0, 0, TimeSpan.Zero)), Report(now)]);
        Assert.All(results, r => Assert.False(r.Duplicate));
        await service.Factory.SettleAsync();
        Assert.True(await service.Factory.Writer().FlushAsync(TimeSpan.FromSeconds(120)));

        var client = service.Factory.Services.GetRequiredService<InfluxClient>();
        var consumer = Assert.Single(await client.QueryAsync("SELECT count(\"count\") FROM \"reports\" WHERE \"category\" = 'consumer'"));
        Assert.Equal(2, consumer.Values[0][1].GetInt64()); // the two of today, and nothing wrapped round into another century
        Assert.Empty(await client.QueryAsync("SELECT count(\"count\") FROM \"grid_reports\" WHERE time > now() + 1d"));
        Assert.Empty(await client.QueryAsync("SELECT count(\"count\") FROM \"grid_reports\" WHERE time < '1990-01-01T00:00:00Z'"));
        foreach (var refused in results[1..3])
        {
            var logged = Assert.Single(service.Logs.Entries, e => e.Message.StartsWith("No time-series point", StringComparison.Ordinal) && Equals(e.Properties.GetValueOrDefault("Seq"), refused.Seq));
            Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, logged.Level);
            Assert.Contains("outside InfluxDB's time range", Assert.IsType<ArgumentOutOfRangeException>(logged.Exception).Message);
        }
        // The feed went past them: the watermark is not held at the refused entries.
        Assert.Equal(service.Factory.Services.GetRequiredService<IngestLog>().LastSeq, service.Factory.Services.GetRequiredService<TimeSeriesFeed>().FedSeq);
        Assert.True(service.Factory.Writer().WrittenThrough >= results[^1].Seq);
    }

    [Theory]
    [InlineData("1677-09-21T00:12:43Z", "1677-09-21T05:00:00Z")]
    [InlineData("2026-11-26T09:30:00Z", "2026-11-28T17:59:59.9999999Z")]
    [InlineData("2262-04-11T00:00:00Z", "2262-04-11T23:47:16Z")]
    public void The_owed_range_is_saved_as_one_value_covering_it_in_whole_hours(string from, string to)
    {
        var (f, t) = (DateTimeOffset.Parse(from), DateTimeOffset.Parse(to));
        var packed = RollupRepair.Pack(f, t);
        Assert.NotEqual(0, packed); // 0 is "nothing owed"
        var (back, forth) = RollupRepair.Unpack(packed)!.Value;
        Assert.InRange(back, f.AddHours(-1), f);
        Assert.InRange(forth, t, t.AddHours(1));
        Assert.Null(RollupRepair.Unpack(0));
    }
}
