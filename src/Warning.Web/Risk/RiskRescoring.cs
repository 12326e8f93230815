using Hangfire;
using Hangfire.Server;
using Warning.Analytics.Risk;
using Warning.Silo.Ingest;
using Warning.Silo.Risk;
using Warning.Silo.Time;
using Warning.Web.Jobs;

namespace Warning.Web.Risk;

/// <summary>
/// The Hangfire job behind <c>Risk:RescoreCron</c>: appends a re-score tick (as of now) to the ingest log, and the applier
/// re-scores every open case with it (<see cref="OpenCaseRescore"/>). Publishing a model appends one too.
/// </summary>
public sealed class RescoreOpenCasesJob(IngestLog log, WarningClock clock, ILogger<RescoreOpenCasesJob> logger)
{
    public const string RecurringId = "risk.rescore-open-cases";

    [JobDisplayName("Re-score open cases ({0})")]
    public async Task RunAsync(string reason, PerformContext? context, CancellationToken cancellationToken)
    {
        // A recurring occurrence carries its time (the scheduled one, or when a late scheduler reached it): the tick names
        // it, so the log shows which night it was for (and that one occurrence was run once, however many nodes share the job store).
        if (context?.GetJobParameter<long?>("Time") is { } time)
            reason = $"{reason} {DateTimeOffset.FromUnixTimeSeconds(time).ToOffset(clock.UtcOffset):yyyy-MM-ddTHH:mm:sszzz}";
        var result = await log.AppendAsync([OpenCaseRescore.Tick(clock.Now, reason)], cancellationToken);
        logger.LogInformation("Re-score tick ({Reason}) appended at seq {Seq}", reason, result[0].Seq);
    }
}

public static class RiskRescoringServiceCollectionExtensions
{
    public static IServiceCollection AddRiskRescoring(this IServiceCollection services, IConfiguration config)
    {
        var options = config.GetSection(RiskOptions.Section).Get<RiskOptions>() ?? new RiskOptions();
        services.AddRecurringJob<RescoreOpenCasesJob>(RescoreOpenCasesJob.RecurringId, options.RescoreCron, j => j.RunAsync("scheduled", null, CancellationToken.None));
        if (options.RescoreOnStartup)
            // Some seconds in: the service settles first, and the tick does not re-score under what the first requests read.
            services.AddStartupJob<RescoreOpenCasesJob>("re-score tick", TimeSpan.FromSeconds(10), j => j.RunAsync("start-up", null, CancellationToken.None));
        return services;
    }
}
