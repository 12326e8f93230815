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

    /// <summary>
    /// What the grains need and nothing of the host around them (no log, no applier, no HTTP), with default settings: for
    /// a silo built by hand in tests and benches, so that a grain's new dependency is added here once instead of to each
    /// copy of the list. <see cref="AddWarningSilo"/> registers the same services bound from configuration.
    /// </summary>
    /// <param name="registry">The scoring models; null: an empty registry under <paramref name="dataDirectory"/> (the points score).</param>
    public static IServiceCollection AddGrainDependencies(this IServiceCollection services, AreaHierarchy hierarchy, string dataDirectory,
        RiskModelRegistry? registry = null, Action<AlertsOptions>? alerts = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(hierarchy)
            .Configure<StorageOptions>(o => o.DataDirectory = dataDirectory)
            .Configure<ScreeningOptions>(_ => { })
            .Configure<ClockOptions>(_ => { })
            .Configure<Warning.Analytics.Risk.RiskOptions>(_ => { })
            .Configure(alerts ?? (_ => { }))
            .AddWarningClock()
            .AddSingleton<DirtyGrains>()
            .AddSingleton<PersonExpiryDue>()
            .AddSingleton<Alerts.CaseDeadlines>()
            .AddSingleton<CaseRiskScorer>();
        services.TryAddSingleton<IAlertSink, NoAlertSink>();
        if (registry is not null) services.AddSingleton(registry);
        else services.AddSingleton(sp => new RiskModelRegistry(Path.Combine(dataDirectory, "no-models"), sp.GetRequiredService<ILogger<RiskModelRegistry>>()));
        return services;
    }

    /// <summary>The embedded store, durable intake, the grains' dependencies and the applier that feeds the grains.</summary>
    public static IServiceCollection AddWarningSilo(this IServiceCollection services, IConfiguration config)
    {
        services.Configure<StorageOptions>(config.GetSection(StorageOptions.Section));
        services.Configure<ScreeningOptions>(config.GetSection(ScreeningOptions.Section));
        services.Configure<ClockOptions>(config.GetSection("Clock"));
        services.Configure<ApplierOptions>(config.GetSection(ApplierOptions.Section));
        services.Configure<Memory.MemoryTrimOptions>(config.GetSection(Memory.MemoryTrimOptions.Section));
        services.AddHostedService<Memory.DeactivationMemoryTrim>();
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
        services.AddSingleton<Alerts.CaseDeadlines>();
        services.AddHostedService<Alerts.CaseDeadlineWatch>();
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
