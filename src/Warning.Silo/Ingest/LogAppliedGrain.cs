using Orleans;
using Orleans.Runtime;
using Warning.Silo.Storage;

namespace Warning.Silo.Ingest;

/// <summary>A grain that applies the ingest log: its state is written behind and made durable at the applier's checkpoints.</summary>
[Alias("ILogAppliedGrain")]
public interface ILogAppliedGrain : IGrainWithStringKey
{
    /// <summary>
    /// Writes the state if it changed since the last write (a turn of its own, so no change is half written), behind: it is
    /// durable once the storage has written what was queued before it (<see cref="Storage.SqliteGrainStorage.WhenWrittenAsync"/>).
    /// </summary>
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
    private bool _stays;
    private IGrainTimer? _leaving;
    private long _lastPassed;
    private TimeSpan _linger;

    protected TState State => state.State;

    /// <summary>
    /// A grain there are many of, each called rarely (a case, a grid, a key individual): woken by a pass over many of them
    /// (<see cref="LeafPassing"/>), it leaves again soon after instead of after Orleans' idle timeout.
    /// </summary>
    protected virtual bool IsLeaf => false;

    protected string Key => this.GetPrimaryKeyString();

    /// <summary>Marks the state changed; it is written by the next checkpoint or at deactivation, whichever comes first.</summary>
    protected void MarkChanged()
    {
        if (_dirty) return;
        _dirty = true;
        if (!dirty.WriteThrough) dirty.Add(this.GetGrainId(), this.AsReference<ILogAppliedGrain>());
    }

    // Embedded mode passes straight through: no extra await on the grains' hot path.
    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (dirty.WriteThrough) return InvokeWritingThroughAsync(context);
        if (!_stays && IsLeaf && CountsAsUse(context)) NotePassing();
        return context.Invoke();
    }

    /// <summary>
    /// A leaf woken by a passing call leaves once the pass's linger has gone by without another passing call, unless a call
    /// of any other kind came meanwhile (someone reads it: it stays for Orleans' idle timeout, as any grain).
    /// </summary>
    private void NotePassing()
    {
        var linger = LeafPassing.Current;
        if (linger is null)
        {
            _stays = true;
            _leaving?.Dispose();
        }
        else if (linger.Value <= TimeSpan.Zero)
        {
            // A pass that calls each leaf once (the spike scan, the expiry sweep, the deadline watch): nothing will call it
            // again soon, so it leaves with the call. Unless another pass holds it: the deadline watch calling a case a
            // bulk load is applying sent it away between two of its reports, and each came back from storage.
            if (_leaving is null) this.DeactivateOnIdle();
        }
        else
        {
            _lastPassed = Environment.TickCount64;
            _linger = linger.Value;
            // The first passing call starts the clock; later ones (a grid busy through a bulk load) push the leaving back.
            _leaving ??= this.RegisterGrainTimer(LeaveAsync, new GrainTimerCreationOptions(_linger, _linger) { KeepAlive = false });
        }
    }

    /// <summary>
    /// The grain's own methods count; a checkpoint's <see cref="Flush"/> and Orleans' own calls (a timer's tick comes
    /// through this filter too) neither keep a leaf nor wake one for a pass.
    /// </summary>
    private static bool CountsAsUse(IIncomingGrainCallContext context) =>
        context.InterfaceMethod?.DeclaringType is { } type && type != typeof(ILogAppliedGrain) && type.Namespace?.StartsWith("Warning.", StringComparison.Ordinal) == true;

    private Task LeaveAsync()
    {
        if (!_stays && Environment.TickCount64 - _lastPassed >= _linger.TotalMilliseconds) this.DeactivateOnIdle();
        return Task.CompletedTask;
    }

    private async Task InvokeWritingThroughAsync(IIncomingGrainCallContext context)
    {
        await context.Invoke();
        if (_dirty) await WriteAsync();
    }

    /// <summary>
    /// The checkpoint's write: behind (<see cref="WriteBehind"/>), so the turn holds no later call of this grain for a
    /// commit; the checkpoint waits for the commits itself before it moves.
    /// </summary>
    public async Task Flush()
    {
        if (!_dirty) return;
        await state.WriteBehindAsync();
        _dirty = false;
    }

    private async Task WriteAsync()
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
            await WriteAsync();
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

/// <summary>
/// A pass over many leaves at once: the applier working through a backlog (a bulk load, a replay) and the re-score tick.
/// Each leaf such a pass wakes would otherwise stay for Orleans' idle timeout, and a province's pass wakes 400,000 of them
/// (2.1 GB of live heap at its peak, bench/province.sh); those it wakes leave a short linger after. The mark travels in
/// Orleans' request context, so it reaches the leaves through the calls the pass makes.
/// </summary>
public static class LeafPassing
{
    private const string Key = "warning.leaf-linger";

    /// <summary>How long a leaf woken by the current call lingers; null when the call is not part of a pass.</summary>
    public static TimeSpan? Current => RequestContext.Get(Key) is double seconds ? TimeSpan.FromSeconds(seconds) : null;

    /// <summary>Runs <paramref name="pass"/> with its calls marked, when <paramref name="linger"/> is set.</summary>
    public static Task RunAsync(TimeSpan? linger, Func<Task> pass) => RunAsync(linger, async () =>
    {
        await pass();
        return true;
    });

    /// <inheritdoc cref="RunAsync(TimeSpan?, Func{Task})"/>
    public static async Task<T> RunAsync<T>(TimeSpan? linger, Func<Task<T>> pass)
    {
        if (linger is not { } l) return await pass();
        // A local async method: the mark set here does not flow back to the caller's context.
        RequestContext.Set(Key, l.TotalSeconds);
        try { return await pass(); }
        finally { RequestContext.Remove(Key); }
    }
}
