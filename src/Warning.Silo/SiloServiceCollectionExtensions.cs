using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Dashboard;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Alerts;
using Warning.Silo.Areas;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Warning.Silo.Cases;
using Warning.Silo.Persons;
using Warning.Silo.Cluster;
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
    /// store, idle grains deactivated, the Orleans dashboard. With <c>Cluster:Enabled</c>, a node of a cluster on
    /// PostgreSQL instead (<see cref="ClusterSiloBuilderExtensions.UseWarningCluster"/>). Call before <see cref="AddWarningSilo"/>, so that the silo
    /// starts before the ingest applier and stops after its last checkpoint.
    /// </summary>
    public static ISiloBuilder ConfigureWarningSilo(this ISiloBuilder silo, IConfiguration config)
    {
        var options = config.GetSection(SiloOptions.Section).Get<SiloOptions>() ?? new SiloOptions();
        var cluster = config.GetSection(ClusterModeOptions.Section).Get<ClusterModeOptions>() ?? new ClusterModeOptions();
        if (cluster.Enabled) silo.UseWarningCluster(options, cluster);
        else
        {
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
            silo.AddSqliteGrainStorageAsDefault();
        }
        silo.ConfigureGrainCollection(options);
        if (options.Dashboard) silo.AddDashboard(o => o.HideTrace = !options.DashboardTrace);
        return silo;
    }

    /// <summary>
    /// Idle grains are written and deactivated: areas after <see cref="SiloOptions.IdleTimeout"/>, the many rarely called
    /// leaves (cases, grids, key individuals) sooner, after <see cref="SiloOptions.LeafIdleTimeout"/>.
    /// </summary>
    public static ISiloBuilder ConfigureGrainCollection(this ISiloBuilder silo, SiloOptions options) =>
        silo.Configure<GrainCollectionOptions>(o =>
        {
            o.CollectionQuantum = options.CollectionQuantum;
            o.CollectionAge = options.IdleTimeout;
            foreach (var leaf in new[] { typeof(CaseGrain), typeof(GridGrain), typeof(PersonGrain) })
                o.ClassSpecificCollectionAge[leaf.FullName!] = options.LeafIdleTimeout;
        });

    /// <summary>The embedded store, durable intake, the grains' dependencies and the applier that feeds the grains.</summary>
    public static IServiceCollection AddWarningSilo(this IServiceCollection services, IConfiguration config)
    {
        services.Configure<StorageOptions>(config.GetSection(StorageOptions.Section));
        services.Configure<ScreeningOptions>(config.GetSection(ScreeningOptions.Section));
        services.Configure<ClockOptions>(config.GetSection("Clock"));
        services.Configure<ApplierOptions>(config.GetSection(ApplierOptions.Section));
        services.AddSingleton(sp => HierarchyOptions.Load(
            config.GetSection(HierarchyOptions.Section).Get<HierarchyOptions>() ?? new(), sp.GetRequiredService<ILogger<AreaHierarchy>>()));
        services.AddWarningClock();
        services.AddSingleton<BackgroundLoops>();
        var cluster = config.GetSection(ClusterModeOptions.Section).Get<ClusterModeOptions>() ?? new ClusterModeOptions();
        services.Configure<ClusterModeOptions>(config.GetSection(ClusterModeOptions.Section));
        services.AddSingleton<WarningDatabase>();
        if (cluster.Enabled) services.AddSingleton<LogStore, PostgresLogStore>();
        else services.AddSingleton<LogStore, SqliteLogStore>();
        services.AddSingleton<Checkpoints>();
        services.AddSingleton<IngestLog>();
        services.AddSingleton<KnownIds>();
        services.AddSingleton<Persons.PersonExpiryDue>();
        services.AddSingleton<IngestPartitions>();
        services.AddSingleton<Intake>();
        services.AddSingleton(new DirtyGrains { WriteThrough = cluster.Enabled });
        services.AddCaseRisk(config);
        services.AddOptions<AlertsOptions>().Bind(config.GetSection(AlertsOptions.Section))
            .PostConfigure(o => { if (o.EscalationDelays.Count == 0) o.EscalationDelays.AddRange(AlertsOptions.DefaultEscalationDelays); })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AlertsOptions>, AlertsOptionsValidator>();
        services.TryAddSingleton<IAlertSink, NoAlertSink>();
        services.AddSingleton<IngestApplier>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestApplier>());
        if (cluster.Enabled)
        {
            services.AddSingleton<PartitionPlacement>();
            services.AddSingleton<PartitionOwners>();
            services.AddHostedService<PartitionKeeper>();
        }
        return services;
    }
}
