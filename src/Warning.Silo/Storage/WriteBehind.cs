using Orleans.Core;

namespace Warning.Silo.Storage;

/// <summary>
/// A state write whose grain does not wait for its commit: the grain's turn ends once the state is serialized and queued,
/// and whoever needs it durable waits on the storage instead (<see cref="SqliteGrainStorage.WhenWrittenAsync"/>). A
/// checkpoint writes thousands of grains at a time; waiting for each commit inside each grain's turn held the applier
/// behind them, and every alert with it. Storage other than SQLite writes as usual.
/// </summary>
public static class WriteBehind
{
    private static readonly AsyncLocal<bool> Asked = new();

    /// <summary>Whether the write being made was asked to go behind.</summary>
    internal static bool Requested => Asked.Value;

    /// <summary>Writes <paramref name="state"/> behind, where its storage can.</summary>
    public static Task WriteBehindAsync<TState>(this IStorage<TState> state)
    {
        // Not an async method: the mark must be set in the caller's context for the storage to see it, and taken off again.
        Asked.Value = true;
        try { return state.WriteStateAsync(); }
        finally { Asked.Value = false; }
    }
}
