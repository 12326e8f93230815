using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Providers;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.TestingHost;
using Warning.Silo.Storage;
using static Warning.Silo.Tests.Orleans.SqliteTestCluster;

namespace Warning.Silo.Tests.Orleans;

[Collection(OrleansClusterCollection.Name)]
public sealed class SqliteGrainStorageTests(SqliteClusterFixture fixture) : IClassFixture<SqliteClusterFixture>
{
    private TestCluster Cluster => fixture.Cluster;
    private SiloHandle A => Cluster.Primary!;
    private SiloHandle B => Cluster.SecondarySilos[0];

    [Fact]
    public async Task State_survives_deactivation_and_reactivation_on_either_silo()
    {
        var key = Guid.NewGuid().ToString("N");
        var onA = Cluster.Inside(A).GetGrain<INoteGrain>(key);
        var onB = Cluster.Inside(B).GetGrain<INoteGrain>(key);

        Assert.Equal(A.SiloAddress, await On(A, onA.Silo));
        await onA.Write("written on A");
        await Deactivate(onA);

        Assert.Equal(B.SiloAddress, await On(B, onB.Silo));
        Assert.Equal(new NoteState { Text = "written on A", Writes = 1 }, await onB.Get());
        await onB.Write("written on B");
        await Deactivate(onB);

        Assert.Equal(A.SiloAddress, await On(A, onA.Silo));
        Assert.Equal(new NoteState { Text = "written on B", Writes = 2 }, await onA.Get());
        Assert.Equal(new NoteStorageInfo("2", RecordExists: true), await onA.Storage());
    }

    [Fact]
    public async Task A_write_behind_an_activations_back_makes_its_next_write_fail_and_the_reactivation_reads_the_winner()
    {
        var note = NewNote();
        await On(A, () => note.Write("first"));

        // What a second activation of the same grain would do: silo B's provider reads and writes the row.
        var other = StorageOf(B);
        var stored = new GrainState<NoteState>();
        await other.ReadStateAsync("note", note.GetGrainId(), stored);
        Assert.Equal("1", stored.ETag);
        stored.State = stored.State! with { Text = "behind its back", Writes = stored.State.Writes + 1 };
        await other.WriteStateAsync("note", note.GetGrainId(), stored);
        Assert.Equal("2", stored.ETag);

        var deactivated = Cluster.WaitForDeactivationAsync(note);
        var refused = await Assert.ThrowsAsync<InconsistentStateException>(() => note.Write("stale"));
        Assert.Equal("2", refused.StoredEtag);
        Assert.Equal("1", refused.CurrentEtag);
        await deactivated; // Orleans drops an activation whose write was refused ...

        Assert.Equal(new NoteState { Text = "behind its back", Writes = 2 }, await note.Get()); // ... and the next one reads the row
        await note.Write("after");
        Assert.Equal(new NoteStorageInfo("3", RecordExists: true), await note.Storage());
    }

    [Fact]
    public async Task A_write_behind_ends_the_grains_turn_before_its_commit_and_a_new_activation_reads_it_once_committed()
    {
        var note = Cluster.Inside(A).GetGrain<INoteGrain>(Guid.NewGuid().ToString("N"));
        await On(A, () => note.Write("first"));
        var storage = (SqliteGrainStorage)StorageOf(A);

        // Another connection holds the file's write lock, so nothing commits until it lets go (or the provider's 30 s
        // busy timeout fails the write: everything below while it is held is a few grain calls).
        await using var blocker = new SqliteConnection($"Data Source={Path.Combine(fixture.Folder, "state.db")};Pooling=False");
        await blocker.OpenAsync();
        await using var held = blocker.BeginTransaction(deferred: false);

        // A write awaited in the turn would wait for the lock; behind, the turn ends with the version the row will have.
        await On(A, () => note.WriteBehind("second")).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(new NoteStorageInfo("2", RecordExists: true), await note.Storage());
        var written = storage.WhenWrittenAsync();
        await Deactivate(note);
        var reread = On(A, note.Get);
        Assert.False(written.IsCompleted, "the write counted as written while the file was locked");
        Assert.False(reread.IsCompleted, "a new activation read the row before the write behind it committed");

        await held.RollbackAsync();
        await written.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(new NoteState { Text = "second", Writes = 2 }, await reread.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.Equal(new NoteStorageInfo("2", RecordExists: true), await note.Storage());
        Assert.Null(storage.WriteBehindFailure);
        await On(A, () => note.Write("third"));
        Assert.Equal(new NoteStorageInfo("3", RecordExists: true), await note.Storage());
    }

    [Fact]
    public async Task Writes_and_clears_naming_a_stale_or_no_etag_are_refused()
    {
        var grainId = NewNote().GetGrainId();
        var storage = StorageOf(A);
        var first = new GrainState<NoteState>(new NoteState { Text = "one" });
        await storage.WriteStateAsync("note", grainId, first);
        Assert.Equal("1", first.ETag);

        var neverRead = new GrainState<NoteState>(new NoteState { Text = "blind" });
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("note", grainId, neverRead));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("note", grainId, neverRead));

        var stale = new GrainState<NoteState>(new NoteState { Text = "stale" }) { ETag = "1" };
        first.State = new NoteState { Text = "two" };
        await storage.WriteStateAsync("note", grainId, first);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("note", grainId, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("note", grainId, stale));

        var read = new GrainState<NoteState>();
        await StorageOf(B).ReadStateAsync("note", grainId, read);
        Assert.Equal(("two", "2", true), (read.State!.Text, read.ETag, read.RecordExists));
    }

    [Fact]
    public async Task Clear_empties_the_state_for_the_next_activation_and_keeps_counting_versions()
    {
        var note = NewNote();
        await note.Write("to be cleared");
        await note.Clear();
        Assert.Equal(new NoteState(), await note.Get());
        await Cluster.DeactivateAsync(note);

        Assert.Equal(new NoteState(), await note.Get());
        Assert.Equal(new NoteStorageInfo("2", RecordExists: false), await note.Storage());

        // An activation that still held the pre-clear version could not bring the old state back.
        var stale = new GrainState<NoteState>(new NoteState { Text = "to be cleared", Writes = 1 }) { ETag = "1" };
        await Assert.ThrowsAsync<InconsistentStateException>(() => StorageOf(B).WriteStateAsync("note", note.GetGrainId(), stale));

        await note.Write("again");
        await Cluster.DeactivateAsync(note);
        Assert.Equal(new NoteState { Text = "again", Writes = 1 }, await note.Get());
    }

    [Fact]
    public async Task Concurrent_writes_of_a_thousand_grains_all_persist()
    {
        var prefix = Guid.NewGuid().ToString("N");
        var keys = Enumerable.Range(0, 1_000).Select(i => $"{prefix}-{i}").ToArray();

        // Half the grains on each silo, so two providers write into the one file at once.
        await Task.WhenAll(keys.Select((key, i) => On(i % 2 == 0 ? A : B, () => Cluster.GrainFactory.GetGrain<INoteGrain>(key).Write($"text of {key}"))));

        var hosts = await Task.WhenAll(keys.Select(key => Cluster.GrainFactory.GetGrain<INoteGrain>(key).Silo()));
        Assert.Equal(500, hosts.Count(host => host.Equals(A.SiloAddress)));
        // Counted from a connection of this test's own: what the writers committed, not what a provider remembers.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(fixture.Folder, "state.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var count = connection.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM {SqliteGrainStorage.TableName} WHERE grain_id LIKE $prefix AND etag = 1 AND payload IS NOT NULL";
            count.Parameters.AddWithValue("$prefix", $"warning-test-note/{prefix}-%");
            Assert.Equal(1_000L, await count.ExecuteScalarAsync());
        }

        var storage = StorageOf(B);
        foreach (var key in keys)
        {
            var read = new GrainState<NoteState>();
            await storage.ReadStateAsync("note", Cluster.GrainFactory.GetGrain<INoteGrain>(key).GetGrainId(), read);
            Assert.Equal(new NoteState { Text = $"text of {key}", Writes = 1 }, read.State);
        }
    }

    private async Task Deactivate(INoteGrain note)
    {
        var deactivated = Cluster.WaitForDeactivationAsync(note);
        await note.Deactivate();
        await deactivated;
    }

    private INoteGrain NewNote() => Cluster.GrainFactory.GetGrain<INoteGrain>(Guid.NewGuid().ToString("N"));

    private IGrainStorage StorageOf(SiloHandle silo) =>
        Cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME);
}
