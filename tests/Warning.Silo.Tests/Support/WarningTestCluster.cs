using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Hosting;
using Orleans.TestingHost;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Risk;
using Warning.Analytics.Simulation;
using Warning.Silo;
using Warning.Silo.Areas;
using Warning.Silo.Ingest;
using Warning.Silo.Risk;
using Warning.Silo.Storage;
using Warning.Silo.Time;

namespace Warning.Silo.Tests.Support;

/// <summary>
/// The real case, person and area grains on two in-process silos with their state in SQLite, so calls between grains
/// cross silos as they do in a cluster. The city is the small simulated one (seed 5).
/// </summary>
public sealed class WarningTestCluster : IAsyncDisposable
{
    public const string FolderKey = "WarningTests:Folder";
    public const string LeafIdleKey = "WarningTests:LeafIdleTimeout";

    public static AreaHierarchy City { get; } = CityGenerator.Generate(CityShape.Small, 5);

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "warning-cluster-" + Guid.NewGuid().ToString("N"));

    public TestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.GrainFactory;

    /// <param name="leafIdleTimeout">Orleans' idle timeout for cases, grids and key individuals; 3 s unless given.</param>
    public static async Task<WarningTestCluster> StartAsync(int silos = 2, TimeSpan? leafIdleTimeout = null)
    {
        var cluster = new WarningTestCluster();
        Directory.CreateDirectory(cluster.Folder);
        var builder = new TestClusterBuilder((short)silos);
        builder.Options.ConfigureFileLogging = false;
        builder.Properties[FolderKey] = cluster.Folder;
        builder.Properties[LeafIdleKey] = (leafIdleTimeout ?? TimeSpan.FromSeconds(3)).ToString("c");
        builder.AddSiloBuilderConfigurator<Configurator>();
        cluster.Cluster = builder.Build();
        await cluster.Cluster.DeployAsync();
        return cluster;
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }

    private sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var folder = silo.Configuration[FolderKey] ?? throw new InvalidOperationException($"{FolderKey} is not set");
            silo.AddSqliteGrainStorageAsDefault(o => o.DatabasePath = Path.Combine(folder, "state.db"));
            // Leaves deactivate within seconds here, so tests see a case written at deactivation and read back.
            silo.ConfigureGrainCollection(new SiloOptions
            {
                CollectionQuantum = TimeSpan.FromSeconds(1), LeafIdleTimeout = TimeSpan.Parse(silo.Configuration[LeafIdleKey]!, System.Globalization.CultureInfo.InvariantCulture), IdleTimeout = TimeSpan.FromMinutes(10),
            });
            silo.Services.AddGrainDependencies(City, folder);
        }
    }
}
