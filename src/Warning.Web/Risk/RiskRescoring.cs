using Quartz;
using Warning.Analytics.Risk;
using Warning.Silo.Ingest;
using Warning.Silo.Risk;
using Warning.Silo.Time;

namespace Warning.Web.Risk;

/// <summary>
/// The Quartz job behind <c>Risk:RescoreCron</c>: appends a re-score tick (as of now) to the ingest log, and the applier
/// re-scores every open case with it (<see cref="OpenCaseRescore"/>). Publishing a model appends one too.
/// </summary>
[DisallowConcurrentExecution]
public sealed class RescoreOpenCasesJob(IngestLog log, WarningClock clock, ILogger<RescoreOpenCasesJob> logger) : IJob
{
    public static readonly JobKey Key = new("rescore-open-cases", "risk");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var reason = context.MergedJobDataMap.GetString("reason") ?? "daily";
        var result = await log.AppendAsync([OpenCaseRescore.Tick(clock.Now, reason)], cancellationToken);
        logger.LogInformation("Re-score tick ({Reason}) appended at seq {Seq}", reason, result[0].Seq);
    }
}

public static class RiskRescoringServiceCollectionExtensions
{
    public static IServiceCollection AddRiskRescoring(this IServiceCollection services, IConfiguration config)
    {
        var options = config.GetSection(RiskOptions.Section).Get<RiskOptions>() ?? new RiskOptions();
        var civil = (config.GetSection("Clock").Get<ClockOptions>() ?? new ClockOptions()).Zone;
        services.AddQuartz(q =>
        {
            q.AddJob<RescoreOpenCasesJob>(j => j.WithIdentity(RescoreOpenCasesJob.Key).StoreDurably());
            if (!string.IsNullOrWhiteSpace(options.RescoreCron))
                q.AddTrigger(t => t.ForJob(RescoreOpenCasesJob.Key).WithIdentity("rescore-open-cases-daily", "risk")
                    .WithCronSchedule(options.RescoreCron, c => c.InTimeZone(civil)));
            if (options.RescoreOnStartup)
                q.AddTrigger(t => t.ForJob(RescoreOpenCasesJob.Key).WithIdentity("rescore-open-cases-startup", "risk")
                    .UsingJobData("reason", "start-up").StartAt(DateTimeOffset.UtcNow.AddSeconds(10)));
        });
        services.AddQuartzHostedService(o => o.WaitForJobsToComplete = false);
        return services;
    }
}
