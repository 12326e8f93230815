using Orleans.TestingHost;

namespace Warning.Silo.Tests.Orleans;

/// <summary>One two-silo cluster for the tests of a class: starting one costs seconds on a busy machine.</summary>
public sealed class SqliteClusterFixture : IAsyncLifetime
{
    public string Folder { get; } = SqliteTestCluster.NewFolder();

    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cluster = SqliteTestCluster.Build(Folder);
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}
