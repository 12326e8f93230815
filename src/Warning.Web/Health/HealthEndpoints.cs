using Warning.Silo.Health;
using Warning.Silo.Ingest;
using Warning.Silo.Storage;
using Warning.Silo.TimeSeries;
using Warning.Web.Accounts;

namespace Warning.Web.Health;

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Ok(new { status = "alive" })).AllowAnonymous().WithTags("Health");

        // Ready once the store answers, the grains have replayed everything accepted before this start and no background loop is failing.
        app.MapGet("/readyz", async (LogStore store, IngestApplier applier, InfluxClient influx, BackgroundLoops loops, CancellationToken ct) =>
        {
            var checks = new Dictionary<string, string>();
            // The store intake appends to: the embedded SQLite file, or the cluster's PostgreSQL.
            var name = store.Shared ? "postgres" : "sqlite";
            try
            {
                await using var connection = store.OpenLog();
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT 1";
                await command.ExecuteScalarAsync(ct);
                checks[name] = "ok";
            }
            catch (Exception ex)
            {
                checks[name] = ex.Message;
            }
            // Reports are still accepted while InfluxDB is down (its points spill to disk), but ready means every store answers.
            if (influx.Enabled) checks["influxdb"] = await influx.PingAsync(ct) ?? "ok";
            checks["replay"] = applier.CaughtUp.IsCompleted ? "ok" : $"replaying (applied {applier.AppliedSeq})";
            // A background loop that keeps failing (the rollup repair, the InfluxDB writer…) leaves what it feeds stale.
            foreach (var (loop, status) in loops.Current) checks[loop] = status.ToString();
            var ready = checks.Values.All(v => v == "ok");
            return Results.Json(new { status = ready ? "ready" : "not ready", checks }, statusCode: ready ? 200 : 503);
        }).RequireAuthorization(Policies.Health).WithTags("Health");
        return app;
    }
}
