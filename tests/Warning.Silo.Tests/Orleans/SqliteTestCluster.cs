using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using Orleans.TestingHost;

namespace Warning.Silo.Tests.Orleans;

public static class SqliteTestCluster
{
    /// <summary>Two in-process silos storing grain state in <paramref name="folder"/>/state.db.</summary>
    public static TestCluster Build(string folder)
    {
        var builder = new TestClusterBuilder(initialSilosCount: 2);
        builder.Options.ConfigureFileLogging = false;
        builder.Properties[SqliteStorageConfigurator.FolderKey] = folder;
        builder.AddSiloBuilderConfigurator<SqliteStorageConfigurator>();
        return builder.Build();
    }

    public static string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "warning-orleans-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>
    /// Grain references that send from inside <paramref name="silo"/>. A silo that once addressed a grain caches where it
    /// was and sends the next call there even after that activation is gone, creating the new one on the old silo and
    /// ignoring any placement hint; the test client's gateway is such a silo. Sending every call for a grain from the
    /// silo that should host it keeps the other silo's cache empty.
    /// </summary>
    public static IGrainFactory Inside(this TestCluster cluster, SiloHandle silo) =>
        cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<IGrainFactory>();

    public static Task On(SiloHandle silo, Func<Task> call) => On(silo, async () => { await call(); return true; });

    /// <summary>Runs <paramref name="call"/> with a placement hint, so an activation it creates lands on <paramref name="silo"/>.</summary>
    public static async Task<T> On<T>(SiloHandle silo, Func<Task<T>> call)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo.SiloAddress);
        try
        {
            return await call();
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }
    }
}
