using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Providers;
using Orleans.Runtime;
using Orleans.Storage;
using Warning.Silo.Ingest;
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

        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/reports", Reports.Valid(grid))).Status);
        Assert.True(await Poll.UntilAsync(() => applier.CheckpointSeq > 0, TimeSpan.FromMinutes(1)), "no checkpoint while writes work");
        var held = applier.CheckpointSeq;

        storage.Failing = true;
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/reports", Reports.Valid(grid))).Status);
        Assert.True(await Poll.UntilAsync(async () => (await client.GetAsync("/readyz")).StatusCode == HttpStatusCode.ServiceUnavailable, TimeSpan.FromMinutes(1)),
            "/readyz did not show the failed write");
        var readiness = await (await client.GetAsync("/readyz")).Content.ReadAsStringAsync();
        Assert.Contains(IngestApplier.CheckpointLoop, readiness);
        Assert.Contains("disk full (test)", readiness);

        // Writes work again and more reports apply, yet the checkpoint stays: only a replay can vouch for what was lost.
        storage.Failing = false;
        var writesBefore = Volatile.Read(ref storage.Writes);
        Assert.Equal(202, (await Reports.PostAsync(client, "/api/v1/reports", Reports.Valid(grid))).Status);
        var log = app.Services.GetRequiredService<IngestLog>();
        await applier.WaitForAppliedAsync(log.LastSeq).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True(await Poll.UntilAsync(() => Volatile.Read(ref storage.Writes) > writesBefore, TimeSpan.FromMinutes(1)), "no grain was written after recovery");
        Assert.Equal(held, applier.CheckpointSeq);
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
