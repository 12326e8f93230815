namespace Warning.Silo.GrainHost;

/// <summary>A message queued to an activation; it runs as one turn.</summary>
internal abstract class WorkItem
{
    /// <summary>Application calls count as activity and move to the next activation if this one closes; system items do not.</summary>
    public virtual bool IsCall => false;

    /// <summary>Runs the turn. Must not throw: failures go to the item's own completion.</summary>
    public abstract ValueTask ExecuteAsync(GrainActivation activation);

    /// <summary>The activation could not be created.</summary>
    public abstract void Fail(Exception exception);

    /// <summary>The activation closed before this (system) item ran.</summary>
    public virtual void Drop() { }
}

/// <summary>A grain method returning Task or ValueTask.</summary>
internal sealed class CallItem(Func<object, object?[], ValueTask> method, object?[] args) : WorkItem
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Task => _completion.Task;
    public override bool IsCall => true;

    public override async ValueTask ExecuteAsync(GrainActivation activation)
    {
        try
        {
            await method(activation.Grain!, args);
            _completion.TrySetResult();
        }
        catch (Exception e)
        {
            _completion.TrySetException(e);
        }
    }

    public override void Fail(Exception exception) => _completion.TrySetException(exception);
}

/// <summary>A grain method returning Task&lt;T&gt; or ValueTask&lt;T&gt;.</summary>
internal sealed class CallItem<T>(Func<object, object?[], ValueTask<T>> method, object?[] args) : WorkItem
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<T> Task => _completion.Task;
    public override bool IsCall => true;

    public override async ValueTask ExecuteAsync(GrainActivation activation)
    {
        try
        {
            _completion.TrySetResult(await method(activation.Grain!, args));
        }
        catch (Exception e)
        {
            _completion.TrySetException(e);
        }
    }

    public override void Fail(Exception exception) => _completion.TrySetException(exception);
}

/// <summary>Serialises a dirty state inside the grain's turn for a flush.</summary>
internal sealed class SnapshotItem : WorkItem
{
    private readonly TaskCompletionSource<StateSnapshot?> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<StateSnapshot?> Task => _completion.Task;

    public override ValueTask ExecuteAsync(GrainActivation activation)
    {
        try { _completion.TrySetResult(activation.TakeSnapshot()); }
        catch (Exception e) { _completion.TrySetException(e); }
        return ValueTask.CompletedTask;
    }

    // Not activated or already closed: a closed activation has written its own state.
    public override void Fail(Exception exception) => _completion.TrySetResult(null);
    public override void Drop() => _completion.TrySetResult(null);
}

/// <summary>Asks the activation to deactivate (when idle since a given time, or unconditionally).</summary>
internal sealed class DeactivateItem(long? idleSince) : WorkItem
{
    private readonly TaskCompletionSource<bool> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Deactivate only if no call arrived after this Stopwatch timestamp and none is queued; null = always.</summary>
    public long? IdleSince => idleSince;

    /// <summary>True when this request deactivated the activation.</summary>
    public Task<bool> Task => _completion.Task;

    public void Complete(bool deactivated) => _completion.TrySetResult(deactivated);

    public override ValueTask ExecuteAsync(GrainActivation activation) => throw new InvalidOperationException("handled by the activation loop");
    public override void Fail(Exception exception) => _completion.TrySetResult(false);
    public override void Drop() => _completion.TrySetResult(false);
}

/// <summary>A timer tick, run as a turn.</summary>
internal sealed class TimerTickItem(GrainTimer timer) : WorkItem
{
    public override ValueTask ExecuteAsync(GrainActivation activation) => timer.RunTickAsync();
    public override void Fail(Exception exception) => timer.Dispose();
    public override void Drop() => timer.Dispose();
}

/// <summary>A state serialised at a given version of the activation.</summary>
internal sealed record StateSnapshot(GrainActivation Activation, GrainStateRecord Record, long Version);
