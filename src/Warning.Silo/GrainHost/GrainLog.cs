using Microsoft.Extensions.Logging;

namespace Warning.Silo.GrainHost;

/// <summary>Structured log events of the grain host; every event carries GrainType and GrainKey.</summary>
internal static partial class GrainLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Activated grain {GrainType}/{GrainKey} in {ElapsedMs:0.0} ms")]
    public static partial void Activated(ILogger logger, string grainType, string grainKey, double elapsedMs);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Activation of grain {GrainType}/{GrainKey} failed; its queued calls fail")]
    public static partial void ActivationFailed(ILogger logger, Exception exception, string grainType, string grainKey);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Deactivated grain {GrainType}/{GrainKey} ({Reason})")]
    public static partial void Deactivated(ILogger logger, string grainType, string grainKey, string reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "OnDeactivateAsync of grain {GrainType}/{GrainKey} failed; deactivating anyway")]
    public static partial void OnDeactivateFailed(ILogger logger, Exception exception, string grainType, string grainKey);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Error, Message = "Writing the state of grain {GrainType}/{GrainKey} at deactivation failed; the activation stays alive and dirty")]
    public static partial void DeactivationWriteFailed(ILogger logger, Exception exception, string grainType, string grainKey);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Error, Message = "Timer callback of grain {GrainType}/{GrainKey} failed")]
    public static partial void TimerFailed(ILogger logger, Exception exception, string grainType, string grainKey);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "Disposing grain {GrainType}/{GrainKey} failed")]
    public static partial void DisposeFailed(ILogger logger, Exception exception, string grainType, string grainKey);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Critical, Message = "The turn loop of grain {GrainType}/{GrainKey} failed")]
    public static partial void RunnerFailed(ILogger logger, Exception exception, string grainType, string grainKey);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Error, Message = "Serialising the state of grain {GrainType}/{GrainKey} for a flush failed")]
    public static partial void SnapshotFailed(ILogger logger, Exception exception, string grainType, string grainKey);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Debug, Message = "Flushed {Count} grain states (checkpoint {Checkpoint}) in {ElapsedMs:0.0} ms")]
    public static partial void Flushed(ILogger logger, int count, long? checkpoint, double elapsedMs);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Error, Message = "Idle collection failed")]
    public static partial void CollectionFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Information, Message = "Collected {Count} idle grain activations; {Remaining} remain")]
    public static partial void Collected(ILogger logger, int count, int remaining);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Error, Message = "Writing {Count} grain states at deactivation failed")]
    public static partial void BatchWriteFailed(ILogger logger, Exception exception, int count);
}
