using Quartz;
using Warning.Silo.Risk;

namespace Warning.Web.Risk;

public sealed record RetrainRequest(int? HistoryDays);

public static class RiskEndpoints
{
    public const int MinHistoryDays = 90;
    public const int MaxHistoryDays = 1460;

    public static RouteGroupBuilder MapRisk(this RouteGroupBuilder api)
    {
        var risk = api.MapGroup("/risk");

        // The live model, or the points score while none has been trained.
        risk.MapGet("/model", (RiskModelRegistry registry) => registry.Live is { } m
            ? Results.Ok(new { model = m.Info.Version, info = m.Info })
            : Results.Ok(new { model = Analytics.Risk.PointsScore.ModelName, info = (object?)null }));

        risk.MapGet("/models", (RiskModelRegistry registry) => Results.Ok(registry.List()));

        risk.MapPost("/model/retrain", async (HttpRequest http, RiskRetrainer retrainer, ISchedulerFactory schedulers) =>
        {
            int? days = null;
            if (http.ContentLength is > 0)
            {
                RetrainRequest? body;
                try { body = await http.ReadFromJsonAsync<RetrainRequest>(); }
                catch (System.Text.Json.JsonException ex) { return Problems.Field(400, "Invalid request", "historyDays", "json", ex.Message); }
                days = body?.HistoryDays;
                if (days is not null and (< MinHistoryDays or > MaxHistoryDays))
                    return Problems.Field(400, "Invalid request", "historyDays", "range", $"must be between {MinHistoryDays} and {MaxHistoryDays} days");
            }
            // One retraining at a time: a second request gets the run already under way.
            if (retrainer.Running is { } running)
                return Results.Accepted($"/api/v1/risk/model/retrain/{running.JobId}", running);
            var job = retrainer.Queue("on_demand", days);
            var scheduler = await schedulers.GetScheduler();
            await scheduler.TriggerJob(RetrainRiskModelJob.Key, new JobDataMap { ["jobId"] = job.JobId });
            return Results.Accepted($"/api/v1/risk/model/retrain/{job.JobId}", job);
        });

        risk.MapGet("/model/retrain/{jobId}", (string jobId, RiskRetrainer retrainer) => retrainer.Get(jobId) is { } status
            ? Results.Ok(status)
            : Problems.NotFound("jobId", $"retraining job '{jobId}' does not exist"));
        return api;
    }
}
