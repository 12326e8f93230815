using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Warning.Analytics.Risk;
using Warning.Silo.Storage;

namespace Warning.Silo.Risk;

public static class RiskServiceCollectionExtensions
{
    /// <summary>Risk options (<c>Risk</c> section), the model registry (loading the newest model on disk) and the scorer cases use.</summary>
    public static IServiceCollection AddCaseRisk(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<RiskOptions>().Bind(config.GetSection(RiskOptions.Section))
            .Validate(o => o.Thresholds.IsValid, "Risk:Thresholds must satisfy 0 < Medium < High < Critical <= 1")
            .Validate(o => o.TopContributions is >= 0 and <= 20, "Risk:TopContributions must be between 0 and 20")
            .Validate(o => o.TrainsFromLog || string.Equals(o.TrainingSource, "simulator", StringComparison.OrdinalIgnoreCase),
                "Risk:TrainingSource must be 'simulator' or 'ingest-log'")
            .ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var risk = sp.GetRequiredService<IOptions<RiskOptions>>().Value;
            var registry = new RiskModelRegistry(Path.Combine(storage.DataDirectory, risk.ModelDirectory), sp.GetRequiredService<ILogger<RiskModelRegistry>>());
            registry.LoadLatest();
            return registry;
        });
        services.AddSingleton<CaseRiskScorer>();
        return services;
    }
}
