using Orleans;

namespace Warning.Silo.Tests.Orleans;

/// <summary>What the activation believes about its stored state.</summary>
[GenerateSerializer, Alias("Warning.Tests.NoteStorageInfo")]
public sealed record NoteStorageInfo([property: Id(0)] string? ETag, [property: Id(1)] bool RecordExists);
