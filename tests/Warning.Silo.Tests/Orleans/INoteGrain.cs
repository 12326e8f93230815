using Orleans;
using Orleans.Runtime;

namespace Warning.Silo.Tests.Orleans;

[Alias("Warning.Tests.INoteGrain")]
public interface INoteGrain : IGrainWithStringKey
{
    [Alias("Write")] Task Write(string text);

    /// <summary>Writes behind (<see cref="Warning.Silo.Storage.WriteBehind"/>): returns once queued, not committed.</summary>
    [Alias("WriteBehind")] Task WriteBehind(string text);

    [Alias("Get")] Task<NoteState> Get();

    [Alias("Clear")] Task Clear();

    [Alias("Storage")] Task<NoteStorageInfo> Storage();

    [Alias("Deactivate")] Task Deactivate();

    /// <summary>The silo this activation lives on.</summary>
    [Alias("Silo")] Task<SiloAddress> Silo();
}
