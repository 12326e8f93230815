using Warning.Silo.Alerts;

namespace Warning.Web.Alerts;

public static class AlertsServiceCollectionExtensions
{
    /// <summary>The web side of the alert engine: the board's pushes go to the hubs, the big screen and the time series.</summary>
    public static IServiceCollection AddWarningAlerts(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton<AlertWebhooks>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertWebhooks>());
        services.AddSingleton<AlertFeed>();
        services.AddSingleton<IAlertSink>(sp => sp.GetRequiredService<AlertFeed>());
        services.AddHostedService<AlertBoardStart>();
        return services;
    }
}

/// <summary>Activates the alert board once the silo is up, so alerts whose clocks ran before a restart start them again.</summary>
/// <summary>Also starts the dead-man watch of every feed with a heartbeat interval.</summary>
public sealed class AlertBoardStart(Orleans.IGrainFactory grains, Warning.Silo.Ingest.IngestApplier applier, Microsoft.Extensions.Options.IOptions<AlertsOptions> options,
    ILogger<AlertBoardStart> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await applier.CaughtUp.WaitAsync(stoppingToken);
            await grains.GetGrain<IAlertBoardGrain>(IAlertBoardGrain.Key).Since(long.MaxValue);
            foreach (var source in options.Value.FeedHeartbeats.Keys) await grains.GetGrain<IFeedWatchGrain>(source).Watch();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "The alert board did not start; alerts due before the restart wait for their next change");
        }
    }
}
