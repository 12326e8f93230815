using Microsoft.Extensions.Logging;
using Orleans;

namespace Warning.Silo.Alerts;

/// <summary>How a grain whose rule fired reaches the alert: the board picks the alert (its group's open one, or a new one).</summary>
public static class AlertRaiser
{
    public static async Task RaiseAsync(this IGrainFactory grains, AlertSignal signal, ILogger logger)
    {
        try
        {
            var route = await grains.GetGrain<IAlertBoardGrain>(IAlertBoardGrain.Key).Route(signal);
            await grains.GetGrain<IAlertGrain>(route.AlertId).Raise(signal, route);
        }
        catch (Exception ex)
        {
            // An alert that cannot be raised must not stop the report that raised it from being applied.
            logger.LogError(ex, "Raising alert {AlertKey} failed", signal.Key);
        }
    }

    public static async Task ClearAsync(this IGrainFactory grains, string rule, string subjectId, ILogger logger)
    {
        try
        {
            if (await grains.GetGrain<IAlertBoardGrain>(IAlertBoardGrain.Key).Holder($"{rule}:{subjectId}") is { } alertId)
                await grains.GetGrain<IAlertGrain>(alertId).Clear(subjectId);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Clearing alert {AlertKey} failed", $"{rule}:{subjectId}");
        }
    }
}
