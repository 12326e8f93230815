using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Silo;
using Warning.Silo.Cluster;
using Warning.Web.Cluster;
using Warning.Web;
using Warning.Web.Accounts;
using Warning.Web.Alerts;
using Warning.Web.Audit;
using Warning.Web.Hardening;
using Warning.Web.Pages;
using Warning.Web.Persons;
using Warning.Web.Cases;
using Warning.Web.Errors;
using Warning.Web.Health;
using Warning.Web.Hierarchy;
using Warning.Web.Ingest;
using Warning.Web.Jobs;
using Warning.Web.Live;
using Warning.Web.Logging;
using Warning.Web.Meetings;
using Warning.Web.Regions;
using Warning.Web.Risk;
using Warning.Web.Simulator;
using Warning.Web.Spikes;
using Warning.Web.Trends;
using Warning.Silo.TimeSeries;

var builder = WebApplication.CreateBuilder(args);
var config = builder.Configuration;
using var bootstrap = WarningLogging.CreateBootstrapLogger(config);
WebApplication? app = null;
try
{
    builder.UseWarningLogging();
    builder.Services.AddSingleton(TimeProvider.System);
    // The silo first: it starts before the ingest applier and stops after the applier's last checkpoint.
    builder.UseOrleans(silo => silo.ConfigureWarningSilo(config));
    builder.Services.AddWarningSilo(config);
    builder.Services.AddWarningTimeSeries(config);

    builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.UseProblemBodiesForKestrelErrors()));
    builder.Services.AddProblemDetails();
    builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
    builder.Services.AddExceptionHandler<ClusterUnavailableExceptionHandler>();
    builder.Services.ConfigureHttpJsonOptions(o => WarningJson.Configure(o.SerializerOptions));
    builder.Services.Configure<IngestOptions>(config.GetSection(IngestOptions.Section));
    builder.Services.AddSingleton<IngestHandler>();
    var signalR = builder.Services.AddSignalR().AddJsonProtocol(o => WarningJson.Configure(o.PayloadSerializerOptions));
    var cluster = config.GetSection(ClusterModeOptions.Section).Get<ClusterModeOptions>() ?? new ClusterModeOptions();
    if (cluster.Enabled && !string.IsNullOrWhiteSpace(cluster.Redis)) signalR.AddWarningBackplane(cluster.Redis, config);
    builder.Services.AddLiveScreens(config);
    builder.Services.AddSingleton(sp => new LiveFeed(sp.GetRequiredService<Microsoft.AspNetCore.SignalR.IHubContext<ScreenHub>>(),
        sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<LiveFeed>>(), shared: cluster.Enabled));
    builder.Services.AddHostedService<SituationBroadcaster>();
    builder.Services.AddWarningAlerts(config);
    builder.Services.Configure<DemoFeedOptions>(config.GetSection(DemoFeedOptions.Section));
    builder.Services.AddSingleton<DemoFeed>();
    builder.Services.AddHostedService(sp => sp.GetRequiredService<DemoFeed>());
    builder.Services.AddRiskRetraining(config);
    builder.Services.AddRiskRescoring(config);
    builder.Services.AddSpikeScan(config);
    builder.Services.AddWarningJobs(config);
    var dataDirectory = Path.GetFullPath(config["Storage:DataDirectory"] is { Length: > 0 } d ? d : "data");
    builder.Services.AddWarningAuth(config, dataDirectory);
    builder.Services.AddWarningOpenApi();
    builder.Services.AddPersonData(config);
    builder.Services.AddServiceMetrics();
    builder.Services.AddMeetings(config);

    app = builder.Build();
    // First: the request log sees every request, with the status the error handlers finally gave it.
    app.UseWarningRequestLogging();
    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.UseSecurityHeaders();
    // Scripts, styles and libraries are open (CONTRACTS.md); the HTML pages are endpoints with policies (Pages/).
    app.UseStaticFiles(PageEndpoints.StaticAssets());
    app.UseRouting();
    app.UseBodyLimits();
    app.UseWarningAuth();

    app.MapPages();
    app.MapHealth();
    app.MapServiceMetrics();
    app.MapWarningOpenApi();
    var api = app.MapGroup("/api/v1");
    api.MapAuth();
    api.MapAdmin();
    api.MapAudit();
    api.MapPersonData();
    api.MapIngest();
    api.MapRegions();
    api.MapCases();
    api.MapRisk();
    api.MapHierarchy();
    api.MapSpikes();
    api.MapTrends();
    api.MapMeetings();
    api.MapAlerts();
    api.MapSilences();
    api.MapOnCall();
    app.MapHub<ScreenHub>("/hubs/screen").RequireAuthorization(Policies.Aggregates);
    app.MapHub<AlertHub>("/hubs/alerts").RequireAuthorization(Policies.AlertsRead);
    api.MapCluster();
    app.MapWarningOrleansDashboard(config);
    app.MapJobsDashboard();

    app.Run();
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    // A start that fails (bad settings, a store that cannot open) is logged, to the console and the log file, before
    // the process exits with it. The host's logger is closed first: it may hold the file, and it may not exist yet.
    if (app is not null) await app.DisposeAsync();
    bootstrap.Fatal(ex, "Warning stopped: {Reason}", ex.Message);
    throw;
}

public partial class Program;
