using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using Warning.Silo.Health;
using Warning.Silo.Ingest;
using Warning.Web.Accounts;

namespace Warning.Web.Health;

/// <summary>
/// <c>/metrics</c> in the Prometheus text format, for operators or loopback (issue 13): the service's own intake and
/// apply positions beside what ASP.NET Core, Kestrel, SignalR, rate limiting, Orleans and the runtime already measure.
/// </summary>
public static class ServiceMetrics
{
    /// <summary>The service's own meter.</summary>
    public const string MeterName = "Warning";

    /// <summary>The built-in meters scraped beside ours; each library publishes them whether or not anyone listens.</summary>
    private static readonly string[] LibraryMeters =
    [
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Http.Connections",
        "Microsoft.AspNetCore.RateLimiting", "Microsoft.AspNetCore.Authentication", "Microsoft.Orleans", "System.Runtime",
    ];

    public static IServiceCollection AddServiceMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter([MeterName, .. LibraryMeters]).AddPrometheusExporter());
        services.AddHostedService<IntakeGauges>();
        return services;
    }

    public static IEndpointRouteBuilder MapServiceMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(Policies.Health).WithTags("Health");
        return app;
    }

    /// <summary>
    /// Gauges read when scraped, from the objects that already keep the numbers: how far intake, the grains and the
    /// checkpoint have got, so an operator sees the applier falling behind before /readyz or a screen does.
    /// </summary>
    private sealed class IntakeGauges(IMeterFactory meters, IngestLog log, IngestApplier applier, BackgroundLoops loops) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var meter = meters.Create(MeterName);
            meter.CreateObservableGauge("warning.ingest.accepted_seq", () => log.LastSeq, "{entry}", "Position of the last entry accepted into the ingest log by this node.");
            meter.CreateObservableGauge("warning.ingest.applied_seq", () => applier.AppliedSeq, "{entry}", "Position up to which the grains have applied the log.");
            meter.CreateObservableGauge("warning.ingest.checkpoint_seq", () => applier.CheckpointSeq, "{entry}", "Position a restart replays from.");
            meter.CreateObservableGauge("warning.ingest.apply_lag", () => Math.Max(0, log.LastSeq - applier.AppliedSeq), "{entry}", "Accepted entries the grains have not applied yet.");
            meter.CreateObservableGauge("warning.ingest.pending_appends", () => log.PendingAppends, "{request}", "Requests waiting for their append to commit.");
            meter.CreateObservableGauge("warning.background_loops.failing", () => loops.Current.Count(l => l.Value.FailingSince is not null), "{loop}", "Background loops whose last step failed (see /readyz).");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
