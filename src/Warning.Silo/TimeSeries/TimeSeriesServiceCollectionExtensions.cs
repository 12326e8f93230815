using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Warning.Silo.TimeSeries;

public static class TimeSeriesServiceCollectionExtensions
{
    /// <summary>
    /// InfluxDB client and schema always (for <c>/readyz</c> and the trend reads); the writer and the feed only when
    /// <c>Influx:Enabled</c>, so a service without InfluxDB neither queues nor spills.
    /// </summary>
    public static IServiceCollection AddWarningTimeSeries(this IServiceCollection services, IConfiguration config)
    {
        services.Configure<InfluxOptions>(config.GetSection(InfluxOptions.Section));
        services.AddSingleton<InfluxClient>();
        services.AddSingleton<InfluxSchema>();
        if (config.GetSection(InfluxOptions.Section).GetValue<bool>(nameof(InfluxOptions.Enabled)))
        {
            services.AddSingleton<InfluxWriter>();
            services.AddHostedService(sp => sp.GetRequiredService<InfluxWriter>());
            services.AddSingleton<RollupRepair>();
            services.AddSingleton<TimeSeriesFeed>();
            services.AddHostedService(sp => sp.GetRequiredService<TimeSeriesFeed>());
        }
        return services;
    }
}
