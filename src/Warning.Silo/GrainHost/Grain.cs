using System.Text.Json;

namespace Warning.Silo.GrainHost;

/// <summary>Base class of every grain: one live activation per key, one turn at a time.</summary>
public abstract class Grain
{
    internal GrainActivation? ActivationOrNull;

    internal GrainActivation Activation => ActivationOrNull
        ?? throw new InvalidOperationException($"{GetType().Name} is not activated by the grain runtime: get grains through IGrainFactory.GetGrain.");

    /// <summary>The grain's key.</summary>
    public string Key => Activation.Id.Key;

    /// <summary>The factory of the runtime hosting this grain, for calls to other grains.</summary>
    protected IGrainFactory GrainFactory => Activation.Runtime;

    /// <summary>Called once per activation, after the state is read and before the first call.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Called in the activation's last turn, before a dirty state is written and the activation removed.</summary>
    public virtual Task OnDeactivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Runs <paramref name="callback"/> as a turn of this grain (never concurrently with a call) after
    /// <paramref name="dueTime"/>, then every <paramref name="period"/> after the previous tick completed
    /// (<see cref="Timeout.InfiniteTimeSpan"/>: once). Dispose the result to stop it; timers end at deactivation
    /// and do not count as activity for idle collection.
    /// </summary>
    protected IDisposable RegisterTimer(Func<Task> callback, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return Activation.RegisterTimer(callback, dueTime, period);
    }

    /// <summary>Deactivates this grain when the current turn ends; later calls go to a fresh activation.</summary>
    protected void DeactivateOnIdle() => Activation.RequestDeactivation();

    internal virtual bool HasState => false;
    internal virtual string SerializeState(JsonSerializerOptions options) => throw new NotSupportedException();
    internal virtual void DeserializeState(string json, JsonSerializerOptions options) { }
}

/// <summary>A grain with persisted state of type <typeparamref name="TState"/> (a plain class serialised as JSON).</summary>
public abstract class Grain<TState> : Grain where TState : class, new()
{
    protected TState State { get; set; } = new();

    /// <summary>
    /// Marks the state dirty and returns at once (write-behind, no serialisation here): the state is written by
    /// the next <see cref="GrainRuntime.FlushAsync"/> or when the grain deactivates, whichever comes first.
    /// Outside the runtime (a grain constructed by hand in a unit test) it does nothing.
    /// </summary>
    protected Task WriteStateAsync()
    {
        ActivationOrNull?.MarkDirty();
        return Task.CompletedTask;
    }

    internal override bool HasState => true;

    internal override string SerializeState(JsonSerializerOptions options) => JsonSerializer.Serialize(State, options);

    internal override void DeserializeState(string json, JsonSerializerOptions options)
        => State = JsonSerializer.Deserialize<TState>(json, options) ?? new TState();
}
