using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Warning.Silo.Storage;

namespace Warning.Silo.Storage;

public static class SqliteGrainStorageExtensions
{
    /// <summary>SQLite grain storage for grains whose <c>[PersistentState]</c> names no provider.</summary>
    public static ISiloBuilder AddSqliteGrainStorageAsDefault(this ISiloBuilder builder, Action<SqliteGrainStorageOptions>? configure = null) =>
        builder.AddSqliteGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);

    /// <summary>SQLite grain storage under <paramref name="name"/> (<c>[PersistentState("state", name)]</c>).</summary>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<SqliteGrainStorageOptions>? configure = null)
    {
        Action<OptionsBuilder<SqliteGrainStorageOptions>> configureOptions = options =>
        {
            if (configure is not null) options.Configure(configure);
        };
        return builder.AddSqliteGrainStorage(name, configureOptions);
    }

    /// <summary>As above, with the options builder (to bind configuration or take other options as dependencies).</summary>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<OptionsBuilder<SqliteGrainStorageOptions>> configureOptions)
    {
        builder.Services.AddSqliteGrainStorage(name, configureOptions);
        return builder;
    }

    public static IServiceCollection AddSqliteGrainStorage(this IServiceCollection services, string name, Action<OptionsBuilder<SqliteGrainStorageOptions>>? configureOptions = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var options = services.AddOptions<SqliteGrainStorageOptions>(name);
        configureOptions?.Invoke(options);
        // The generic parameter must be the concrete type: AddGrainStorage checks it for ILifecycleParticipant<ISiloLifecycle>
        // to open the file at silo start and close it after the grains' last writes.
        services.AddGrainStorage<SqliteGrainStorage>(name, Create);
        return services;
    }

    private static SqliteGrainStorage Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>().Get(name);
        var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        // Orleans' default IGrainStorageSerializer is Newtonsoft JSON; this provider chooses Orleans' binary serializer
        // unless told otherwise (SqliteGrainStorage explains why).
        var serializer = options.GrainStorageSerializer
            ?? services.GetKeyedService<IGrainStorageSerializer>(name)
            ?? new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>());
        return new SqliteGrainStorage(
            name,
            string.IsNullOrWhiteSpace(options.DatabasePath) ? storage.StatePath : options.DatabasePath,
            string.IsNullOrWhiteSpace(options.Synchronous) ? storage.Synchronous : options.Synchronous,
            options,
            serializer,
            services.GetRequiredService<IActivatorProvider>(),
            services.GetRequiredService<ILogger<SqliteGrainStorage>>());
    }
}
