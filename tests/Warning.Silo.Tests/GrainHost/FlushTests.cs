using Warning.Silo.GrainHost;

namespace Warning.Silo.Tests.GrainHost;

public sealed class FlushTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly string _dbPath = Path.Combine(Path.GetTempPath(), $"grains-flush-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            try { File.Delete(_dbPath + suffix); } catch (IOException) { }
    }

    [Fact]
    public async Task Flush_writes_only_dirty_grains_with_the_checkpoint_in_one_call()
    {
        var storage = new RecordingStorage(new InMemoryGrainStorage());
        await using var host = TestHost.Create(storage);
        await host.Get<IStateGrain>("a").Set(1);
        await host.Get<IStateGrain>("b").Set(2);
        await host.Get<IStateGrain>("c").Get();          // active, clean
        await host.Get<IStateGrain>("d").SetWithoutWrite(9); // changed but not marked dirty
        await host.Get<ICounterGrain>("x").Touch();     // stateless

        Assert.Equal(2, await host.Runtime.FlushAsync(checkpoint: 10));
        var write = Assert.Single(storage.Writes);
        Assert.Equal(10, write.Checkpoint);
        Assert.Equal(["a", "b"], write.Records.Select(r => r.Key).Order());
        Assert.All(write.Records, r => Assert.Equal("test.state", r.GrainType));

        // nothing dirty: with a checkpoint there is still one (empty) write, without one there is none
        Assert.Equal(0, await host.Runtime.FlushAsync(checkpoint: 11));
        Assert.Equal(2, storage.Writes.Count);
        Assert.Empty(storage.Writes[1].Records);
        Assert.Equal(11, storage.Writes[1].Checkpoint);
        Assert.Equal(0, await host.Runtime.FlushAsync());
        Assert.Equal(2, storage.Writes.Count);

        await host.Get<IStateGrain>("b").Set(3);
        Assert.Equal(1, await host.Runtime.FlushAsync());
        Assert.Equal("b", Assert.Single(storage.Writes[2].Records).Key);
        Assert.Null(storage.Writes[2].Checkpoint);
    }

    [Fact]
    public async Task A_grain_changed_after_its_snapshot_is_written_again_by_the_next_flush()
    {
        var inner = new InMemoryGrainStorage();
        var storage = new RecordingStorage(inner) { Gate = new(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var host = TestHost.Create(storage);
        var grain = host.Get<IStateGrain>("a");
        await grain.Set(1);

        var flush = host.Runtime.FlushAsync(checkpoint: 1);
        await storage.WriteEntered.Task.WaitAsync(Timeout); // snapshot taken, write held at the gate
        await grain.Set(2).WaitAsync(Timeout);               // the grain is not blocked by the flush
        storage.Gate.SetResult();
        Assert.Equal(1, await flush);
        Assert.Contains("\"value\":1", inner.Get("test.state", "a"));

        storage.Gate = null;
        Assert.Equal(1, await host.Runtime.FlushAsync(checkpoint: 2));
        Assert.Contains("\"value\":2", inner.Get("test.state", "a"));
        Assert.Equal(0, await host.Runtime.FlushAsync());
    }

    [Fact]
    public async Task A_deactivation_during_a_flush_is_not_overwritten_by_the_older_snapshot()
    {
        var inner = new InMemoryGrainStorage();
        var storage = new RecordingStorage(inner) { Gate = new(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var host = TestHost.Create(storage);
        var grain = host.Get<IStateGrain>("a");
        await grain.Set(1);

        var flush = host.Runtime.FlushAsync();
        await storage.WriteEntered.Task.WaitAsync(Timeout);
        await grain.Set(7);
        var collect = host.Runtime.CollectIdleAsync(TimeSpan.Zero); // its write waits for the flush's
        storage.Gate.SetResult();
        await flush;
        Assert.Equal(1, await collect.WaitAsync(Timeout));
        Assert.Contains("\"value\":7", inner.Get("test.state", "a"));
        Assert.Equal(7, await grain.Get());
    }

    [Fact]
    public async Task A_failed_flush_leaves_grains_dirty()
    {
        var storage = new RecordingStorage(new InMemoryGrainStorage()) { Fail = true };
        await using var host = TestHost.Create(storage);
        await host.Get<IStateGrain>("a").Set(1);
        await Assert.ThrowsAsync<IOException>(() => host.Runtime.FlushAsync(5));
        storage.Fail = false;
        Assert.Equal(1, await host.Runtime.FlushAsync(6));
        Assert.Equal(6, storage.Writes.Single().Checkpoint);
    }

    [Fact]
    public async Task Sqlite_storage_stores_states_and_the_checkpoint_together()
    {
        using var storage = new SqliteGrainStorage($"Data Source={_dbPath}");
        Assert.Equal(0, await storage.ReadCheckpointAsync());
        await using (var host = TestHost.Create(storage))
        {
            for (var i = 0; i < 100; i++) await host.Get<IStateGrain>($"s{i}").Set(i);
            Assert.Equal(100, await host.Runtime.FlushAsync(checkpoint: 1234));
            Assert.Equal(1234, await storage.ReadCheckpointAsync());
            await host.Get<IStateGrain>("s5").Set(555);
            Assert.Equal(1, await host.Runtime.FlushAsync(checkpoint: 1300));
        }
        Assert.Equal(1300, await storage.ReadCheckpointAsync());
        Assert.Contains("555", await storage.ReadAsync("test.state", "s5"));
        Assert.Contains("99", await storage.ReadAsync("test.state", "s99"));
        Assert.Null(await storage.ReadAsync("test.state", "nope"));

        // a second instance over the same file sees the same data; tables are not recreated
        using var again = new SqliteGrainStorage($"Data Source={_dbPath}");
        Assert.Equal(1300, await again.ReadCheckpointAsync());
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_dbPath}");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", cmd.ExecuteScalar());
    }
}
