using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;
using Warning.Analytics.Hierarchy;

namespace Warning.Silo.Alerts;

[GenerateSerializer, Alias("AlertBoardState")]
public sealed class AlertBoardState
{
    [Id(0)] public Dictionary<string, Alert> Alerts { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Group (rule and area) → the open alert new signals of the group join.</summary>
    [Id(1)] public Dictionary<string, string> Groups { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Signal key (<c>rule:subjectId</c>) → the open alert holding that subject.</summary>
    [Id(2)] public Dictionary<string, string> Holders { get; set; } = new(StringComparer.Ordinal);
    [Id(3)] public long Seq { get; set; }
    [Id(4)] public long Epoch { get; set; }
    [Id(5)] public List<Silence> Silences { get; set; } = new();
}

/// <summary>
/// The alert list and its numbering (see <see cref="IAlertBoardGrain"/>). Its state is written a moment after it changes
/// rather than on every change (it holds every open alert): each alert's own grain is the record; a change the board
/// lost in a crash comes back with that alert's next change. Changes are pushed through <see cref="IAlertSink"/> on the
/// node this grain lives on, which fans them out to every node's clients.
/// </summary>
[GrainType("alert-board")]
public sealed class AlertBoardGrain(
    [PersistentState("state")] IPersistentState<AlertBoardState> state, IAlertSink sink, AreaHierarchy hierarchy,
    IOptions<AlertsOptions> options, [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Warning.Silo.Time.WarningClock.Business)] TimeProvider time, ILogger<AlertBoardGrain> logger) : Grain, IAlertBoardGrain
{
    private readonly LinkedList<AlertChange> _recent = new();
    private bool _dirty;
    private AlertBoardState S => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A numbering of its own for every activation. The state is written a moment after it changes, so after a kill -9
        // the stored number can be behind numbers already pushed: in the same epoch they would be given out again, and a
        // client that saw the first ones would take the new changes for ones it had (it resumed past them). Another epoch
        // makes every client read the list afresh; the changes kept for resuming were in memory and are gone anyway.
        S.Epoch = Math.Max(time.GetUtcNow().ToUnixTimeMilliseconds(), S.Epoch + 1);
        _dirty = true;
        this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)) { KeepAlive = true });
        this.RegisterGrainTimer(SweepSilencesAsync, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), options.Value.TickInterval) { KeepAlive = true });
        // Alerts with a clock running before a restart start it again; each is woken once (a one-way call).
        foreach (var alert in S.Alerts.Values.Where(a => a.DueAt is not null))
            GrainFactory.GetGrain<IAlertGrain>(alert.Id).Wake().Ignore();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => await FlushAsync();

    public Task<AlertRoute> Route(AlertSignal signal)
    {
        var now = time.GetUtcNow();
        var group = GroupOf(signal);
        var id = S.Holders.GetValueOrDefault(signal.Key)
            ?? (S.Groups.TryGetValue(group, out var open) && (!S.Alerts.TryGetValue(open, out var a) || a.IsOpen) ? open : signal.Key);
        S.Groups[group] = id;
        S.Holders[signal.Key] = id;
        _dirty = true;
        var silence = S.Silences.Where(s => s.ActiveAt(now) && Matches(s.Matchers, signal.AreaId, signal.Rule, signal.Category)).OrderBy(s => s.CreatedAt).FirstOrDefault();
        return Task.FromResult(new AlertRoute(id, silence?.Id, InhibitorOf(signal.AreaId, signal.Rule)));
    }

    public Task<string?> Holder(string signalKey) => Task.FromResult(S.Holders.GetValueOrDefault(signalKey));

    public Task<long> Record(Alert alert, string? lifecycle)
    {
        if (S.Alerts.TryGetValue(alert.Id, out var known) && known.Version >= alert.Version) return Task.FromResult(S.Seq);
        S.Alerts[alert.Id] = alert;
        if (!alert.IsOpen)
        {
            foreach (var (k, v) in S.Holders.Where(h => h.Value == alert.Id).ToArray()) S.Holders.Remove(k);
            foreach (var (k, v) in S.Groups.Where(g => g.Value == alert.Id).ToArray()) S.Groups.Remove(k);
        }
        var change = new AlertChange(++S.Seq, time.GetUtcNow(), alert, lifecycle);
        _recent.AddLast(change);
        while (_recent.Count > options.Value.ResumeWindow) _recent.RemoveFirst();
        _dirty = true;
        try
        {
            sink.Publish(S.Epoch, change);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Publishing alert {AlertId} version {Version} failed", alert.Id, alert.Version);
        }
        if (alert.Rule == AlertRules.MassIncident) InhibitUnder(alert);
        return Task.FromResult(change.Seq);
    }

    public Task<IReadOnlyList<Alert>> List()
    {
        var cutoff = time.GetUtcNow() - options.Value.ResolvedRetention;
        foreach (var old in S.Alerts.Values.Where(a => !a.IsOpen && a.ResolvedAt < cutoff).Select(a => a.Id).ToArray()) S.Alerts.Remove(old);
        return Task.FromResult<IReadOnlyList<Alert>>(S.Alerts.Values.ToArray());
    }

    public Task<AlertResume> Since(long lastSeq)
    {
        // Complete when every change after lastSeq is still kept (or there is none); a number from the future is a client
        // of an earlier board state (a lost write), which must refetch.
        var oldest = _recent.First?.Value.Seq ?? S.Seq + 1;
        var complete = lastSeq <= S.Seq && lastSeq >= oldest - 1;
        var changes = complete ? _recent.Where(c => c.Seq > lastSeq).ToArray() : [];
        return Task.FromResult(new AlertResume(S.Epoch, S.Seq, complete || lastSeq == S.Seq, changes));
    }

    public Task<Silence> AddSilence(Silence silence)
    {
        S.Silences.Add(silence);
        _dirty = true;
        Apply(silence);
        return Task.FromResult(silence);
    }

    public Task<Silence?> RemoveSilence(string id, string actor, DateTimeOffset at)
    {
        var i = S.Silences.FindIndex(s => s.Id == id);
        if (i < 0) return Task.FromResult<Silence?>(null);
        var removed = S.Silences[i] with { RemovedAt = at, RemovedBy = actor };
        S.Silences[i] = removed;
        _dirty = true;
        Release(id);
        return Task.FromResult<Silence?>(removed);
    }

    /// <summary>Active silences, oldest first; ended ones a day after they ended drop off.</summary>
    public Task<IReadOnlyList<Silence>> Silences()
    {
        var now = time.GetUtcNow();
        S.Silences.RemoveAll(s => (s.RemovedAt ?? s.EndsAt) < now - TimeSpan.FromDays(1));
        return Task.FromResult<IReadOnlyList<Silence>>(S.Silences.OrderBy(s => s.CreatedAt).ToArray());
    }

    private Task SweepSilencesAsync()
    {
        var now = time.GetUtcNow();
        foreach (var ended in S.Silences.Where(s => s.RemovedAt is null && s.EndsAt <= now))
            Release(ended.Id);
        return Task.CompletedTask;
    }

    /// <summary>Suppresses the open alerts a new silence matches (one-way: the alerts call back here with their new version).</summary>
    private void Apply(Silence silence)
    {
        foreach (var a in S.Alerts.Values.Where(a => a.IsOpen && a.SilencedBy is null && Matches(silence.Matchers, a.RegionId, a.Rule, a.Category)))
            GrainFactory.GetGrain<IAlertGrain>(a.Id).Suppress(silence.Id, a.InhibitedBy).Ignore();
    }

    /// <summary>Alerts held by an ended silence go to the next active silence that matches them, or back to firing.</summary>
    private void Release(string silenceId)
    {
        var now = time.GetUtcNow();
        foreach (var a in S.Alerts.Values.Where(a => a.IsOpen && a.SilencedBy == silenceId))
        {
            var other = S.Silences.FirstOrDefault(s => s.Id != silenceId && s.ActiveAt(now) && Matches(s.Matchers, a.RegionId, a.Rule, a.Category));
            GrainFactory.GetGrain<IAlertGrain>(a.Id).Suppress(other?.Id, a.InhibitedBy).Ignore();
        }
    }

    /// <summary>
    /// A county-level mass incident inhibits the derivative alerts of the villages under it (incidents and cases that
    /// the mass incident already explains); they stay listed as suppressed. Its end lifts the inhibition.
    /// </summary>
    private void InhibitUnder(Alert mass)
    {
        foreach (var a in S.Alerts.Values.Where(a => a.IsOpen && a.Id != mass.Id && IsDerivative(a.Rule) && Under(a.RegionId, mass.RegionId)))
        {
            var inhibitor = mass.IsOpen ? mass.Id : null;
            if (a.InhibitedBy != inhibitor && (mass.IsOpen || a.InhibitedBy == mass.Id))
                GrainFactory.GetGrain<IAlertGrain>(a.Id).Suppress(a.SilencedBy, inhibitor).Ignore();
        }
    }

    private string? InhibitorOf(string areaId, string rule) =>
        !IsDerivative(rule) ? null
        : S.Alerts.Values.FirstOrDefault(m => m.Rule == AlertRules.MassIncident && m.IsOpen && Under(areaId, m.RegionId))?.Id;

    private static bool IsDerivative(string rule) => rule is AlertRules.HarmIncident or AlertRules.CaseHigh or AlertRules.Spike;

    private bool Under(string areaId, string ancestorId) =>
        hierarchy.TryGet(areaId, out _) && hierarchy.PathToRoot(areaId).Any(p => p.Id == ancestorId);

    private bool Matches(SilenceMatchers m, string regionId, string rule, string? category) =>
        (m.Rule is null || m.Rule == rule)
        && (m.Category is null || m.Category == category)
        && (m.RegionId is null || Under(regionId, m.RegionId));

    /// <summary>Subjects of case, grid and person rules group by area; a village's spike or a feed is its own group.</summary>
    private static string GroupOf(AlertSignal s) => s.Subject.Kind is "case" or "grid" or "person" ? $"{s.Rule}|{s.AreaId}" : $"{s.Rule}|{s.Subject.Id}";

    private async Task FlushAsync()
    {
        if (!_dirty) return;
        _dirty = false;
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            _dirty = true;
            logger.LogWarning("Alert board not written ({Error}); retrying", ex.Message);
        }
    }
}

/// <summary>Where the board pushes numbered changes: the web host's hubs, the big screen and the time series.</summary>
public interface IAlertSink
{
    void Publish(long epoch, AlertChange change);
}

public sealed class NoAlertSink : IAlertSink
{
    public void Publish(long epoch, AlertChange change) { }
}
