using Orleans;

namespace GrainStorageBench;

[Alias("Bench.IBenchGrain")]
public interface IBenchGrain : IGrainWithStringKey
{
    [Alias("Report")] Task Report(int reports);
}
