using Orleans;

namespace GrainStorageBench;

/// <summary>Roughly a case grain's state: a few ids, counters, times and a short list.</summary>
[GenerateSerializer, Alias("Bench.State")]
public sealed record BenchState
{
    [Id(0)] public string CaseId { get; init; } = "";
    [Id(1)] public string GridId { get; init; } = "";
    [Id(2)] public string Category { get; init; } = "";
    [Id(3)] public int Reports { get; init; }
    [Id(4)] public double Probability { get; init; }
    [Id(5)] public DateTimeOffset OpenedAt { get; init; }
    [Id(6)] public DateTimeOffset UpdatedAt { get; init; }
    [Id(7)] public string[] Reasons { get; init; } = [];
}
