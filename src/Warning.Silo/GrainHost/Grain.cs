namespace Warning.Silo.GrainHost;

/// <summary>Base class of every grain: one live activation per key, one turn at a time.</summary>
public abstract class Grain
{
    public string Key => throw new NotImplementedException();
    protected IGrainFactory GrainFactory => throw new NotImplementedException();
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public virtual Task OnDeactivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    protected IDisposable RegisterTimer(Func<Task> callback, TimeSpan dueTime, TimeSpan period) => throw new NotImplementedException();
    protected void DeactivateOnIdle() => throw new NotImplementedException();
}

/// <summary>A grain with persisted state of type <typeparamref name="TState"/> (a plain class serialised as JSON).</summary>
public abstract class Grain<TState> : Grain where TState : class, new()
{
    protected TState State { get; set; } = new();
    protected Task WriteStateAsync() => throw new NotImplementedException();
}
