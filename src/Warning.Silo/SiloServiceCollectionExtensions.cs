using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Dashboard;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Areas;
using Warning.Silo.Health;
using Warning.Silo.Ingest;
using Warning.Silo.Storage;
using Warning.Silo.Risk;
using Warning.Silo.Time;

namespace Warning.Silo;

public static class SiloServiceCollectionExtensions
{
    /// <summary>
    /// The Orleans silo of one node: localhost clustering (one node: the embedded default), grain state in the node's SQLite
    /// store, idle grains deactivated, the Orleans dashboard. Call before <see cref="AddWarningSilo"/>, so that the silo
    /// starts before the ingest applier and stops after its last checkpoint.
    /// </summary>
    public static ISiloBuilder ConfigureWarningSilo(this ISiloBuilder silo, IConfiguration config)
    {
        var options = config.GetSection(SiloOptions.Section).Get<SiloOptions>() ?? new SiloOptions();
        silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
        silo.AddSqliteGrainStorageAsDefault();
        silo.Configure<GrainCollectionOptions>(o => o.CollectionAge = options.IdleTimeout);
        if (options.Dashboard) silo.AddDashboard(o => o.HideTrace = !options.DashboardTrace);
        return silo;
    }

    /// <summary>The embedded store, durable intake, the grains' dependencies and the applier that feeds the grains.</summary>
    public static IServiceCollection AddWarningSilo(this IServiceCollection services, IConfiguration config)
    {
        services.Configure<StorageOptions>(config.GetSection(StorageOptions.Section));
        services.Configure<ScreeningOptions>(config.GetSection(ScreeningOptions.Section));
        services.Configure<ClockOptions>(config.GetSection("Clock"));
        services.Configure<ApplierOptions>(config.GetSection(ApplierOptions.Section));
        services.AddSingleton(sp => HierarchyOptions.Load(
            config.GetSection(HierarchyOptions.Section).Get<HierarchyOptions>() ?? new(), sp.GetRequiredService<ILogger<AreaHierarchy>>()));
        services.AddSingleton<WarningClock>();
        services.AddSingleton<BackgroundLoops>();
        services.AddSingleton<WarningDatabase>();
        services.AddSingleton<Checkpoints>();
        services.AddSingleton<IngestLog>();
        services.AddSingleton<KnownIds>();
        services.AddSingleton<Intake>();
        services.AddSingleton<DirtyGrains>();
        services.AddCaseRisk(config);
        services.AddSingleton<IngestApplier>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestApplier>());
        return services;
    }
}
