using Warning.Analytics.Risk;
using Warning.Silo.Risk;
using Warning.Web.Accounts;

namespace Warning.Web.Risk;

public sealed record RetrainRequest(int? HistoryDays);

public static class RiskEndpoints
{
    private static readonly TrainingOptions TrainingDefaults = new();
    private const int MinCalibrationDays = 14;

    /// <summary>
    /// The shortest history that can train: calibration rows are those whose 30-day outcome ends inside the calibration
    /// period, so that period must be longer than the outcome window (90 days once passed here and always failed).
    /// </summary>
    public static readonly int MinHistoryDays =
        (int)Math.Ceiling((TrainingDefaults.LabelHorizon.TotalDays + MinCalibrationDays) / TrainingDefaults.CalibrationShare);
    public const int MaxHistoryDays = 1460;

    public static RouteGroupBuilder MapRisk(this RouteGroupBuilder api)
    {
        var risk = api.MapGroup("/risk").RequireAuthorization(Policies.Models).WithTags("Risk");

        // The live model, or the points score while none has been trained.
        risk.MapGet("/model", (RiskModelRegistry registry) => registry.Live is { } m
            ? Results.Ok(new { model = m.Info.Version, info = m.Info })
            : Results.Ok(new { model = Analytics.Risk.PointsScore.ModelName, info = (object?)null }));

        risk.MapGet("/models", (RiskModelRegistry registry) => Results.Ok(registry.List()));

        risk.MapPost("/model/retrain", async (HttpRequest http, RetrainRuns runs) =>
        {
            int? days = null;
            if (http.ContentLength is > 0 || http.Headers.TransferEncoding.Count > 0)
            {
                if (!http.HasJsonContentType())
                    return Problems.Field(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "$", "contentType", "the body must be application/json");
                RetrainRequest? body;
                try { body = await http.ReadFromJsonAsync<RetrainRequest>(http.HttpContext.RequestAborted); }
                catch (System.Text.Json.JsonException ex) { return Problems.Field(400, "Invalid request", ex.Path is { Length: > 2 } p ? p[2..] : "$", "json", ex.Message); }
                days = body?.HistoryDays;
                if (days is { } d && (d < MinHistoryDays || d > MaxHistoryDays))
                    return Problems.Field(400, "Invalid request", "historyDays", "range",
                        $"must be between {MinHistoryDays} and {MaxHistoryDays} days: a shorter history leaves the calibration period (the {TrainingDefaults.CalibrationShare:P0} after training) without {MinCalibrationDays} days of cases whose {TrainingDefaults.LabelHorizon.TotalDays:F0}-day outcome is known");
            }
            // One retraining at a time: a second request gets the run already under way.
            var (job, _) = runs.QueueUnlessRunning("on_demand", days);
            return Results.Accepted($"/api/v1/risk/model/retrain/{job.JobId}", job);
        }).RequireAuthorization(Policies.Operator);

        risk.MapGet("/model/retrain/{jobId}", (string jobId, RetrainRuns runs) => runs.Get(jobId) is { } status
            ? Results.Ok(status)
            : Problems.NotFound("jobId", $"retraining job '{jobId}' does not exist"));
        return api;
    }
}
