using Microsoft.AspNetCore.Routing;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace Warning.Web.Logging;

/// <summary>
/// Serilog for the host: the console, and a rolling JSON file under the data folder (<c>Logging:File</c>), levels from
/// the <c>Serilog</c> section; one request log line per HTTP request.
/// </summary>
public static class WarningLogging
{
    private const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj} {Properties:j}{NewLine}{Exception}";
    private static readonly string[] Probes = ["/healthz", "/readyz"];

    /// <summary>
    /// The logger for what happens before the host's own exists and for a start that fails: the same sinks, built from
    /// configuration alone. A local object, not Serilog's static bootstrap logger: a test process builds many hosts at
    /// once, and a static one would be shared (and frozen) by all of them. The file sink opens its file on the first
    /// event, so on a good start this logger never touches the file the host's logger writes.
    /// </summary>
    public static Serilog.Core.Logger CreateBootstrapLogger(IConfiguration config) =>
        WriteTo(new LoggerConfiguration().MinimumLevel.Information().Enrich.FromLogContext(), config).CreateLogger();

    /// <summary>
    /// <c>UseSerilog</c> with the host's own logger (not the static <see cref="Log.Logger"/>, for the reason above).
    /// Events also go to <see cref="ILoggerProvider"/>s registered as services: none in production (the default
    /// providers are cleared), the tests' log captures otherwise.
    /// </summary>
    public static WebApplicationBuilder UseWarningLogging(this WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Host.UseSerilog((context, services, logger) => WriteTo(logger
                .ReadFrom.Configuration(context.Configuration)
                .ReadFrom.Services(services)
                .Enrich.FromLogContext(), context.Configuration),
            preserveStaticLogger: true, writeToProviders: true);
        return builder;
    }

    /// <summary>
    /// One line per request with its request id, route template, status and elapsed time; the health probes (polled
    /// every few seconds by load balancers and tests) at Debug, so they stay out of the file at the default level.
    /// </summary>
    public static IApplicationBuilder UseWarningRequestLogging(this WebApplication app) =>
        app.UseSerilogRequestLogging(o =>
        {
            // The host's logger: the middleware otherwise writes to the static one, which this host does not set.
            o.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
            o.MessageTemplate = "HTTP {RequestMethod} {RequestPath} ({Route}) responded {StatusCode} in {Elapsed:0.0000} ms";
            o.GetLevel = (http, _, ex) =>
                ex is not null || http.Response.StatusCode >= 500 ? LogEventLevel.Error
                : Probes.Contains(http.Request.Path.Value, StringComparer.OrdinalIgnoreCase) ? LogEventLevel.Debug
                : LogEventLevel.Information;
            o.EnrichDiagnosticContext = (diagnostics, http) =>
            {
                // The id ASP.NET Core puts in its own log scopes (and problem bodies' traceId), so lines can be joined.
                diagnostics.Set("RequestId", http.TraceIdentifier);
                diagnostics.Set("Route", http.GetEndpoint() is RouteEndpoint route ? route.RoutePattern.RawText : "(none)");
            };
        });

    private static LoggerConfiguration WriteTo(LoggerConfiguration logger, IConfiguration config)
    {
        var dataDirectory = Path.GetFullPath(config["Storage:DataDirectory"] is { Length: > 0 } d ? d : "data");
        return logger
            .WriteTo.Console(outputTemplate: ConsoleTemplate)
            .WriteTo.File(new JsonFormatter(renderMessage: true), Path.Combine(dataDirectory, config["Logging:File"] ?? "logs/warning-.log"),
                rollingInterval: RollingInterval.Day, retainedFileCountLimit: config.GetValue("Logging:RetainedFileCountLimit", 14));
    }
}
