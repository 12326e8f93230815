using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Warning.Silo.GrainHost;

public static class GrainHostServiceCollectionExtensions
{
    /// <summary>
    /// Registers the grain runtime (<see cref="GrainRuntime"/>, also as <see cref="IGrainFactory"/>) and a hosted
    /// service that runs the idle collector and, on stop, deactivates every grain (writing dirty state).
    /// The app registers an <see cref="IGrainStorage"/> (e.g. <see cref="SqliteGrainStorage"/>). May be called
    /// several times; the configure actions add up.
    /// </summary>
    public static IServiceCollection AddGrainHost(this IServiceCollection services, Action<GrainHostOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<GrainHostOptions>();
        if (configure is not null) services.Configure(configure);
        services.TryAddSingleton<GrainRuntime>();
        services.TryAddSingleton<IGrainFactory>(sp => sp.GetRequiredService<GrainRuntime>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, GrainHostService>());
        return services;
    }
}

/// <summary>Starts the idle collector; on stop deactivates every grain so dirty state is written.</summary>
internal sealed class GrainHostService(GrainRuntime runtime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        runtime.StartCollector();
        return Task.CompletedTask;
    }

    private readonly object _gate = new();
    private Task? _stopping;

    // The host can be stopped twice at once (WebApplicationFactory's dispose and Program's app.Run() both call
    // StopAsync when the application stops); both callers wait for one and the same stop.
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_gate) return _stopping ??= StopOnceAsync(cancellationToken);
    }

    private async Task StopOnceAsync(CancellationToken cancellationToken)
    {
        await runtime.StopCollectorAsync();
        await runtime.DeactivateAllAsync(cancellationToken);
    }
}
