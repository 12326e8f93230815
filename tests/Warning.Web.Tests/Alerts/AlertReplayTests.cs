using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans;
using Warning.Silo.Alerts;

namespace Warning.Web.Tests.Alerts;

/// <summary>
/// Issue 14: after a kill -9 the log replays from the checkpoint, and a case whose state was lost raises again for
/// entries its alert already counted. The repeat count must not grow from a replay.
/// </summary>
public sealed class AlertReplayTests : IDisposable
{
    private readonly AlertApp _app = new();

    [Fact]
    public async Task A_signal_replayed_from_the_log_is_not_counted_again_and_a_new_entry_or_a_timers_signal_is()
    {
        _ = _app.Client();
        var grains = _app.App.Services.GetRequiredService<IGrainFactory>();
        var village = _app.Factory.Hierarchy.VillageOf(_app.Factory.GridIds[5])!;
        var caseId = "case-replay-" + Guid.NewGuid().ToString("N")[..8];
        var signal = new AlertSignal(AlertRules.HarmIncident, new AlertSubject("case", caseId), village.Id, AlertSeverity.Critical, DateTimeOffset.UtcNow,
            new AlertText("在办案件发生伤害事件", "Harm incident"), new AlertText($"案件 {caseId}", $"Case {caseId}"), "neighbor", Position: 41);
        async Task<int> CountAsync() => (await grains.GetGrain<IAlertGrain>(signal.Key).Get())!.Alert.Count;

        await grains.RaiseAsync(signal, NullLogger.Instance);
        Assert.Equal(1, await CountAsync());
        // The same entry, applied again by the replay.
        await grains.RaiseAsync(signal, NullLogger.Instance);
        Assert.Equal(1, await CountAsync());
        // A later entry of the case counts, and then an earlier one replayed does not.
        await grains.RaiseAsync(signal with { Position = 57 }, NullLogger.Instance);
        await grains.RaiseAsync(signal with { Position = 41 }, NullLogger.Instance);
        Assert.Equal(2, await CountAsync());
        // A signal from no entry (a timer's, a re-score tick's) always counts.
        await grains.RaiseAsync(signal with { Position = null }, NullLogger.Instance);
        Assert.Equal(3, await CountAsync());
    }

    public void Dispose() => _app.Dispose();
}
