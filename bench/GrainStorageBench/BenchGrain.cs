using Orleans;
using Orleans.Runtime;

namespace GrainStorageBench;

[GrainType("bench")]
public sealed class BenchGrain([PersistentState("case")] IPersistentState<BenchState> state) : Grain, IBenchGrain
{
    public async Task Report(int reports)
    {
        state.State = Program.Sample(this.GetPrimaryKeyString(), reports);
        await state.WriteStateAsync();
    }
}
