using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Warning.Silo.Areas;
using Warning.Silo.GrainHost;
using Warning.Silo.Health;
using Warning.Silo.Ingest;
using Warning.Silo.Risk;
using Warning.Silo.Storage;
using Warning.Silo.Time;

namespace Warning.Silo;

public static class SiloServiceCollectionExtensions
{
    /// <summary>The grain host, the embedded store, durable intake and the applier that feeds the grains.</summary>
    public static IServiceCollection AddWarningSilo(this IServiceCollection services, IConfiguration config)
    {
        services.Configure<StorageOptions>(config.GetSection(StorageOptions.Section));
        services.Configure<ScreeningOptions>(config.GetSection(ScreeningOptions.Section));
        services.Configure<ClockOptions>(config.GetSection("Clock"));
        services.Configure<ApplierOptions>(config.GetSection(ApplierOptions.Section));
        services.AddSingleton<WarningClock>();
        services.AddSingleton<BackgroundLoops>();
        services.AddSingleton<WarningDatabase>();
        services.AddSingleton<IngestLog>();
        services.AddSingleton<KnownIds>();
        services.AddSingleton<Intake>();
        services.AddSingleton(sp =>
        {
            sp.GetRequiredService<WarningDatabase>(); // creates the data folder
            return new SqliteGrainStorage(sp.GetRequiredService<IOptions<StorageOptions>>().Value.StateConnectionString);
        });
        services.AddSingleton<IGrainStorage>(sp => sp.GetRequiredService<SqliteGrainStorage>());
        services.AddCaseRisk(config);
        services.AddGrainHost(o => o.AddGrainsFromAssembly(typeof(SiloServiceCollectionExtensions).Assembly));
        services.AddSingleton<IngestApplier>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestApplier>());
        return services;
    }
}
