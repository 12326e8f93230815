using Orleans;

namespace Warning.Silo.Tests.Orleans;

/// <summary>The test grain's persistent state: a plain record, stored with Orleans' serializer under its alias.</summary>
[GenerateSerializer, Alias("Warning.Tests.NoteState")]
public sealed record NoteState
{
    [Id(0)] public string Text { get; init; } = "";

    /// <summary>Counts writes that reached storage, so a test can tell a lost or repeated write from a kept one.</summary>
    [Id(1)] public int Writes { get; init; }
}
