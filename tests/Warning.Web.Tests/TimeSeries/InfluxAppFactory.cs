using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Warning.Silo.Ingest;
using Warning.Silo.TimeSeries;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.TimeSeries;

public static class InfluxAppFactory
{
    /// <summary>The whole service in process (small city, fresh data folder) writing to <paramref name="server"/>.</summary>
    public static WebApplicationFactory<Program> Create(WarningAppFactory app, InfluxServer server, string database) =>
        app.WithWebHostBuilder(b =>
        {
            b.UseSetting("Influx:Enabled", "true");
            b.UseSetting("Influx:Url", server.Url);
            b.UseSetting("Influx:Database", database);
            b.UseSetting("Influx:FlushInterval", "00:00:00.100");
            b.UseSetting("Influx:RetryDelay", "00:00:00.050");
            b.UseSetting("Influx:MaxRetryDelay", "00:00:00.500");
            b.UseSetting("Influx:MaxRetries", "2");
            b.UseSetting("Influx:RequestTimeout", "00:00:03");
            b.UseSetting("Influx:BatchSize", "250");
            b.UseSetting("Influx:QueueCapacity", "400");
        });

    public static InfluxWriter Writer(this WebApplicationFactory<Program> factory) => factory.Services.GetRequiredService<InfluxWriter>();

    /// <summary>Waits until everything accepted so far is applied by the grains and handed to the InfluxDB writer.</summary>
    public static async Task SettleAsync(this WebApplicationFactory<Program> factory)
    {
        var last = factory.Services.GetRequiredService<IngestLog>().LastSeq;
        await factory.Services.GetRequiredService<IngestApplier>().WaitForAppliedAsync(last).WaitAsync(TimeSpan.FromSeconds(30));
        // The applier releases its waiters before it calls subscribers, so the feed may still be a step behind.
        var feed = factory.Services.GetRequiredService<TimeSeriesFeed>();
        var until = DateTime.UtcNow.AddSeconds(30);
        while (feed.FedSeq < last)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"time-series feed at {feed.FedSeq}, waiting for {last}");
            await Task.Delay(10);
        }
    }
}
