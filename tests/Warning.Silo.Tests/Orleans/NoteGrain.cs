using Orleans;
using Orleans.Runtime;
using Warning.Silo.Storage;

namespace Warning.Silo.Tests.Orleans;

[GrainType("warning-test-note")]
public sealed class NoteGrain(
    [PersistentState("note")] IPersistentState<NoteState> note,
    ILocalSiloDetails silo) : Grain, INoteGrain
{
    public async Task Write(string text)
    {
        note.State = note.State with { Text = text, Writes = note.State.Writes + 1 };
        await note.WriteStateAsync();
    }

    public Task WriteBehind(string text)
    {
        note.State = note.State with { Text = text, Writes = note.State.Writes + 1 };
        return note.WriteBehindAsync();
    }

    public Task<NoteState> Get() => Task.FromResult(note.State);

    public Task Clear() => note.ClearStateAsync();

    public Task<NoteStorageInfo> Storage() => Task.FromResult(new NoteStorageInfo(note.Etag, note.RecordExists));

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task<SiloAddress> Silo() => Task.FromResult(silo.SiloAddress);
}
