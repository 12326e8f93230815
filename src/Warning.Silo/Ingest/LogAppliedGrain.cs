using Orleans;
using Orleans.Runtime;

namespace Warning.Silo.Ingest;

/// <summary>A grain that applies the ingest log: its state is written behind and made durable at the applier's checkpoints.</summary>
[Alias("ILogAppliedGrain")]
public interface ILogAppliedGrain : IGrainWithStringKey
{
    /// <summary>Writes the state if it changed since the last write (a turn of its own, so no change is half written).</summary>
    [Alias("Flush")]
    Task Flush();
}

/// <summary>
/// The base of the case, area and person grains. Each applies an entry of the ingest log at most once (it keeps the
/// seq it applied), so a replay from an older checkpoint never counts twice; that is what lets each grain persist on its
/// own instead of in one transaction with the checkpoint. Writing after every entry would cost six or more writes per
/// report (case, grid, village, township, county, city), so a changed state is only marked and registered in
/// <see cref="DirtyGrains"/>; the applier flushes them all before it moves the checkpoint, and a grain deactivating
/// writes its own.
/// </summary>
/// <para>
/// In cluster mode (<see cref="DirtyGrains.WriteThrough"/>) a changed state is written before the call that changed it
/// returns (a grain-level call filter, so every apply method is covered). A write that fails leaves the state marked, and
/// the next call writes it even if that call is a replay the grain skips: a call that returns means "all I hold is durable".
/// </para>
public abstract class LogAppliedGrain<TState>(IPersistentState<TState> state, DirtyGrains dirty) : Grain, ILogAppliedGrain, IIncomingGrainCallFilter
    where TState : new()
{
    private bool _dirty;

    protected TState State => state.State;

    protected string Key => this.GetPrimaryKeyString();

    /// <summary>Marks the state changed; it is written by the next checkpoint or at deactivation, whichever comes first.</summary>
    protected void MarkChanged()
    {
        if (_dirty) return;
        _dirty = true;
        if (!dirty.WriteThrough) dirty.Add(this.GetGrainId(), this.AsReference<ILogAppliedGrain>());
    }

    // Embedded mode passes straight through: no extra await on the grains' hot path.
    public Task Invoke(IIncomingGrainCallContext context) => dirty.WriteThrough ? InvokeWritingThroughAsync(context) : context.Invoke();

    private async Task InvokeWritingThroughAsync(IIncomingGrainCallContext context)
    {
        await context.Invoke();
        if (_dirty) await Flush();
    }

    public async Task Flush()
    {
        if (!_dirty) return;
        await state.WriteStateAsync();
        _dirty = false;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (!_dirty) return;
        try
        {
            await Flush();
            dirty.Written(this.GetGrainId());
        }
        catch (Exception ex)
        {
            // The changes leave with this activation; the checkpoint has not passed them, and must not, so a restart replays them.
            dirty.Lost(this.GetGrainId(), ex);
            throw;
        }
    }
}
