using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
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
        await service.Factory.Services.GetRequiredService<TimeSeriesFeed>().RepairRollupsAsync();

        var client = service.Factory.Services.GetRequiredService<InfluxClient>();
        var hourly = Assert.Single(await client.QueryAsync("SELECT sum(\"count\") FROM \"hourly\".\"reports\" WHERE \"category\" = 'environment'"));
        Assert.Equal(30, hourly.Values[0][1].GetInt64());
        var daily = Assert.Single(await client.QueryAsync("SELECT sum(\"count\") FROM \"daily\".\"reports\" WHERE \"category\" = 'environment'"));
        Assert.Equal(30, daily.Values[0][1].GetInt64());
        // Hour buckets hold whole hours: as many as the reports span, each the sum of its hour.
        var buckets = Assert.Single(await client.QueryAsync("SELECT \"count\" FROM \"hourly\".\"reports\" WHERE \"category\" = 'environment'"));
        Assert.InRange(buckets.Values.Count, 4, 5 * 5); // 4-5 hours × at most the statuses and villages involved
        Assert.Null(service.Factory.Writer().TakeLateRange());
    }
}
