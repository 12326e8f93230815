using Hangfire;
using Warning.Analytics.Spikes;
using Warning.Silo.Time;
using Warning.Web.Jobs;

namespace Warning.Web.Spikes;

/// <summary>Schedule of the daily spike scan, bound from <c>Spikes</c> alongside the detector's <see cref="SpikeOptions"/>.</summary>
public sealed class SpikeScheduleOptions
{
    /// <summary>Cron in the deployment's civil time (Clock:UtcOffset): a little after midnight, when yesterday is complete.</summary>
    public string ScanCron { get; set; } = "15 0 * * *";

    /// <summary>Also scan yesterday once at start-up, so village spike state is not empty until the first night.</summary>
    public bool ScanOnStartup { get; set; } = true;

    public bool Enabled { get; set; } = true;
}

/// <summary>The Hangfire job: scans the last complete day (yesterday, China time) and sets every village grain's spike state.</summary>
public sealed class SpikeScanJob(SpikeScanService scans, WarningClock clock)
{
    public const string RecurringId = "spikes.spike-scan";

    /// <summary>
    /// One scan at a time across the cluster (the store's lock): the start-up scan and the nightly one may meet. A scan
    /// that waited this long for the lock fails and is retried.
    /// </summary>
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    [JobDisplayName("Spike scan of yesterday")]
    public Task RunAsync(CancellationToken cancellationToken) =>
        scans.ScanAsync(clock.Today.AddDays(-1), apply: true, cancellationToken);
}

public static class SpikeScanRegistration
{
    /// <summary>Detector options, the scan service and its schedule: the one place spike scanning is wired.</summary>
    public static IServiceCollection AddSpikeScan(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<SpikeOptions>().Bind(config.GetSection(SpikeOptions.Section)).Validate(o => { o.Validate(); return true; }).ValidateOnStart();
        var schedule = config.GetSection(SpikeOptions.Section).Get<SpikeScheduleOptions>() ?? new();
        services.AddSingleton<SpikeScanService>();
        // Disabled still registers (with no cron): the store outlives the process, and a schedule left there would run on.
        services.AddRecurringJob<SpikeScanJob>(SpikeScanJob.RecurringId, schedule.Enabled ? schedule.ScanCron : null, j => j.RunAsync(CancellationToken.None));
        if (schedule.Enabled && schedule.ScanOnStartup)
            services.AddStartupJob<SpikeScanJob>("spike scan of yesterday", TimeSpan.FromSeconds(5), j => j.RunAsync(CancellationToken.None));
        return services;
    }
}
