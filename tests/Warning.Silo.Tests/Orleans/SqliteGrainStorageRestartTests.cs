using Orleans;
using Orleans.TestingHost;

namespace Warning.Silo.Tests.Orleans;

[Collection(OrleansClusterCollection.Name)]
public sealed class SqliteGrainStorageRestartTests : IDisposable
{
    private readonly string _folder = SqliteTestCluster.NewFolder();

    [Fact]
    public async Task A_new_cluster_on_the_same_folder_reads_the_state_back()
    {
        var keys = Enumerable.Range(0, 20).Select(i => $"restart-{i}").ToArray();

        var first = SqliteTestCluster.Build(_folder);
        await first.DeployAsync();
        await Task.WhenAll(keys.Select(key => first.GrainFactory.GetGrain<INoteGrain>(key).Write($"before restart {key}")));
        await first.GrainFactory.GetGrain<INoteGrain>(keys[0]).Clear();
        await Stop(first);

        // New silos, new service id, new provider instances: all they share with the first cluster is the folder.
        var second = SqliteTestCluster.Build(_folder);
        await second.DeployAsync();
        try
        {
            Assert.NotEqual(first.Options.ServiceId, second.Options.ServiceId);
            var cleared = second.GrainFactory.GetGrain<INoteGrain>(keys[0]);
            Assert.Equal(new NoteState(), await cleared.Get());
            Assert.Equal(new NoteStorageInfo("2", RecordExists: false), await cleared.Storage());
            foreach (var key in keys.Skip(1))
            {
                var note = second.GrainFactory.GetGrain<INoteGrain>(key);
                Assert.Equal(new NoteState { Text = $"before restart {key}", Writes = 1 }, await note.Get());
                Assert.Equal(new NoteStorageInfo("1", RecordExists: true), await note.Storage());
            }

            var again = second.GrainFactory.GetGrain<INoteGrain>(keys[1]);
            await again.Write("after restart");
            Assert.Equal(new NoteStorageInfo("2", RecordExists: true), await again.Storage());
        }
        finally
        {
            await Stop(second);
        }
    }

    private static async Task Stop(TestCluster cluster)
    {
        await cluster.StopAllSilosAsync();
        await cluster.DisposeAsync();
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
