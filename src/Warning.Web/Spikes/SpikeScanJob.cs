using Microsoft.Extensions.Options;
using Quartz;
using Warning.Analytics.Spikes;
using Warning.Silo.Time;

namespace Warning.Web.Spikes;

/// <summary>Schedule of the daily spike scan, bound from <c>Spikes</c> alongside the detector's <see cref="SpikeOptions"/>.</summary>
public sealed class SpikeScheduleOptions
{
    /// <summary>Quartz cron in the deployment's civil time (Clock:UtcOffset): a little after midnight, when yesterday is complete.</summary>
    public string ScanCron { get; set; } = "0 15 0 * * ?";

    /// <summary>Also scan yesterday once at start-up, so village spike state is not empty until the first night.</summary>
    public bool ScanOnStartup { get; set; } = true;

    public bool Enabled { get; set; } = true;
}

/// <summary>The Quartz job: scans the last complete day (yesterday, China time) and sets every village grain's spike state.</summary>
[DisallowConcurrentExecution]
public sealed class SpikeScanJob(SpikeScanService scans, WarningClock clock) : IJob
{
    public static readonly JobKey Key = new("spike-scan", "spikes");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) =>
        await scans.ScanAsync(clock.Today.AddDays(-1), apply: true, cancellationToken);
}

public static class SpikeScanRegistration
{
    /// <summary>Detector options, the scan service and its Quartz schedule: the one place spike scanning is wired.</summary>
    public static IServiceCollection AddSpikeScan(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<SpikeOptions>().Bind(config.GetSection(SpikeOptions.Section)).Validate(o => { o.Validate(); return true; }).ValidateOnStart();
        var schedule = config.GetSection(SpikeOptions.Section).Get<SpikeScheduleOptions>() ?? new();
        services.AddSingleton<SpikeScanService>();
        if (!schedule.Enabled) return services;

        var civil = (config.GetSection("Clock").Get<ClockOptions>() ?? new ClockOptions()).Zone;
        services.AddQuartz(q =>
        {
            q.AddJob<SpikeScanJob>(j => j.WithIdentity(SpikeScanJob.Key).StoreDurably());
            q.AddTrigger(t => t.ForJob(SpikeScanJob.Key).WithIdentity("spike-scan-daily", "spikes")
                .WithCronSchedule(schedule.ScanCron, c => c.InTimeZone(civil)));
            if (schedule.ScanOnStartup)
                q.AddTrigger(t => t.ForJob(SpikeScanJob.Key).WithIdentity("spike-scan-startup", "spikes").StartAt(DateTimeOffset.UtcNow.AddSeconds(5)));
        });
        // AddQuartz composes and AddQuartzHostedService registers once however often it is called (checked with 4.7.3),
        // so other scheduled jobs (retraining, deadlines) can register beside this one. Shutdown does not wait for a
        // scan: it is idempotent and the next start-up scan redoes it.
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = false);
        return services;
    }
}
