using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Providers;
using Orleans.Runtime;
using Orleans.Storage;
using Warning.Silo.Ingest;
using Warning.Silo.Storage;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Durability;

/// <summary>
/// A grain write that fails holds the checkpoint until a restart: the activation (and the changes it held) may be gone,
/// so no later flush can vouch for them, and the replay from the held checkpoint is what brings them back.
/// </summary>
public sealed class FailedGrainWriteTests
{
    [Fact]
    public async Task A_failed_grain_write_holds_the_checkpoint_and_says_so_on_readyz()
    {
        using var factory = new WarningAppFactory();
        var storage = new SwitchableStorage();
        await using var app = factory.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            s.AddKeyedSingleton<IGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, storage)));
        var client = app.CreateClient();
        var applier = app.Services.GetRequiredService<IngestApplier>();
        var grid = factory.GridIds[0];
        var held = await FirstCheckpointAsync(client, applier, grid);

        storage.Failing = true;
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/reports", Reports.Valid(grid))).Status);
        Assert.Contains("disk full (test)", await CheckpointFailureOnReadyzAsync(client));

        // Writes work again and more reports apply, yet the checkpoint stays: only a replay can vouch for what was lost.
        storage.Failing = false;
        var writesBefore = Volatile.Read(ref storage.Writes);
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/reports", Reports.Valid(grid))).Status);
        var log = app.Services.GetRequiredService<IngestLog>();
        await applier.WaitForAppliedAsync(log.LastSeq).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(await Poll.UntilAsync(() => Volatile.Read(ref storage.Writes) > writesBefore, TimeSpan.FromMinutes(1)), "no grain was written after recovery");
        Assert.Equal(held, applier.CheckpointSeq);
    }

    [Fact]
    public async Task A_grain_state_written_behind_that_SQLite_refuses_holds_the_checkpoint_and_says_so_on_readyz()
    {
        using var factory = new WarningAppFactory();
        await using var app = factory.WithWebHostBuilder(_ => { });
        var client = app.CreateClient();
        var applier = app.Services.GetRequiredService<IngestApplier>();
        var grid = factory.GridIds[0];
        var held = await FirstCheckpointAsync(client, applier, grid);

        // Someone else moves the grid's row on (what a second process on the data folder would do): the grid's next
        // write names a version the row no longer has. Written behind, no grain call sees that refusal; the checkpoint must.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(factory.DataDirectory, "state.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var bump = connection.CreateCommand();
            bump.CommandText = $"UPDATE {SqliteGrainStorage.TableName} SET etag = etag + 100 WHERE grain_id = $grain";
            bump.Parameters.AddWithValue("$grain", $"grid/{grid}");
            Assert.Equal(1, await bump.ExecuteNonQueryAsync());
        }
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/reports", Reports.Valid(grid))).Status);
        Assert.Contains($"grid/{grid}", await CheckpointFailureOnReadyzAsync(client));

        // Later checkpoints come and go, and none passes what the refused write held.
        var log = app.Services.GetRequiredService<IngestLog>();
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/reports", Reports.Valid(factory.GridIds[1]))).Status);
        await applier.WaitForAppliedAsync(log.LastSeq).WaitAsync(TimeSpan.FromMinutes(1));
        await applier.CheckpointAsync();
        Assert.Equal(held, applier.CheckpointSeq);
    }

    /// <summary>Posts a report and waits for the checkpoint to pass it, while writes work.</summary>
    private static async Task<long> FirstCheckpointAsync(HttpClient client, IngestApplier applier, string grid)
    {
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/reports", Reports.Valid(grid))).Status);
        Assert.True(await Poll.UntilAsync(() => applier.CheckpointSeq > 0, TimeSpan.FromMinutes(1)), "no checkpoint while writes work");
        return applier.CheckpointSeq;
    }

    /// <summary>Waits for /readyz to fail on the checkpoint and returns what it says.</summary>
    private static async Task<string> CheckpointFailureOnReadyzAsync(HttpClient client)
    {
        Assert.True(await Poll.UntilAsync(async () => (await client.GetAsync("/readyz")).StatusCode == HttpStatusCode.ServiceUnavailable, TimeSpan.FromMinutes(1)),
            "/readyz did not show the failed write");
        var readiness = await (await client.GetAsync("/readyz")).Content.ReadAsStringAsync();
        Assert.Contains(IngestApplier.CheckpointLoop, readiness);
        return readiness;
    }

    /// <summary>Grain state in memory, with writes that fail while <see cref="Failing"/> is set.</summary>
    private sealed class SwitchableStorage : IGrainStorage, Orleans.ILifecycleParticipant<ISiloLifecycle>
    {
        // The lifecycle registration of the storage it replaces casts to this; there is nothing to open or close.
        public void Participate(ISiloLifecycle lifecycle)
        {
        }

        private readonly ConcurrentDictionary<(string, GrainId), (object State, string ETag)> _states = new();
        private int _version;

        public volatile bool Failing;

        public int Writes;

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (_states.TryGetValue((stateName, grainId), out var stored))
            {
                grainState.State = (T)stored.State;
                grainState.ETag = stored.ETag;
                grainState.RecordExists = true;
            }
            return Task.CompletedTask;
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (Failing) throw new IOException("disk full (test)");
            Interlocked.Increment(ref Writes);
            var etag = Interlocked.Increment(ref _version).ToString(System.Globalization.CultureInfo.InvariantCulture);
            _states[(stateName, grainId)] = (grainState.State!, etag);
            grainState.ETag = etag;
            grainState.RecordExists = true;
            return Task.CompletedTask;
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            _states.TryRemove((stateName, grainId), out _);
            grainState.RecordExists = false;
            return Task.CompletedTask;
        }
    }
}
