using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Runtime;
using Warning.Analytics.Hierarchy;

namespace Warning.Silo.Alerts;

/// <summary>
/// What the board writes: the ids it lists, its numbering and the silences. The alerts themselves are their grains'
/// own record; the board reads them back when it activates.
/// </summary>
[GenerateSerializer, Alias("AlertBoardState")]
public sealed class AlertBoardState
{
    /// <summary>
    /// Every alert in full, as stores before <see cref="Ids"/> held them: a province's 29,000 alerts made a 29 MB state
    /// written every second. Read once into <see cref="Ids"/>, then left empty.
    /// </summary>
    [Id(0)] public Dictionary<string, Alert> Alerts { get; set; } = new(StringComparer.Ordinal);
    /// <summary>As <see cref="Alerts"/>: routing that is now rebuilt from the open alerts. Left empty.</summary>
    [Id(1)] public Dictionary<string, string> Groups { get; set; } = new(StringComparer.Ordinal);
    [Id(2)] public Dictionary<string, string> Holders { get; set; } = new(StringComparer.Ordinal);
    [Id(3)] public long Seq { get; set; }
    [Id(4)] public long Epoch { get; set; }
    [Id(5)] public List<Silence> Silences { get; set; } = new();
    /// <summary>The alerts listed: open ones, and resolved ones until <see cref="AlertsOptions.ResolvedRetention"/> is over.</summary>
    [Id(6)] public HashSet<string> Ids { get; set; } = new(StringComparer.Ordinal);

    /// <summary>A copy to write: the live sets go on changing while the storage serializes this one.</summary>
    public AlertBoardState Copy() => new()
    {
        Seq = Seq, Epoch = Epoch, Silences = [.. Silences], Ids = new(Ids, StringComparer.Ordinal),
    };
}

/// <summary>
/// Alert ids the board listed since its last full write, written before it shows them: small, so that a new alert costs
/// a small write, not a write of every id listed.
/// </summary>
[GenerateSerializer, Alias("AlertBoardNewIds")]
public sealed class AlertBoardNewIds
{
    [Id(0)] public HashSet<string> Ids { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The alert list and its numbering (see <see cref="IAlertBoardGrain"/>). Each alert's own grain is the record, written
/// before the board hears of it. The board keeps their latest versions in memory and writes only which ids it lists (when
/// that set changes), its numbering and the silences; on activation it reads every listed alert back from its grain, so
/// after a kill -9 the list is what the alerts themselves hold, never a copy written a moment behind them. A new alert's
/// id is written (<see cref="AlertBoardNewIds"/>) before the alert is listed or pushed, so whatever an officer has seen
/// is still listed after the board's node dies. Changes are pushed through <see cref="IAlertSink"/> on the node this
/// grain lives on, which fans them out to every node's clients.
/// </summary>
[GrainType("alert-board")]
public sealed class AlertBoardGrain(
    [PersistentState("state")] IPersistentState<AlertBoardState> state, [PersistentState("newIds")] IPersistentState<AlertBoardNewIds> newIds, IAlertSink sink, AreaHierarchy hierarchy,
    IOptions<AlertsOptions> options, IOptions<Cluster.ClusterModeOptions> cluster, [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Warning.Silo.Time.WarningClock.Business)] TimeProvider time, ILogger<AlertBoardGrain> logger) : Grain, IAlertBoardGrain
{
    /// <summary>How many alert grains the board reads at once when it activates.</summary>
    private const int ReadAtOnce = 256;
    private readonly LinkedList<AlertChange> _recent = new();
    private readonly Dictionary<string, Alert> _alerts = new(StringComparer.Ordinal);
    /// <summary>Group (rule and area) → the open alert new signals of the group join.</summary>
    private readonly Dictionary<string, string> _groups = new(StringComparer.Ordinal);
    /// <summary>Signal key (<c>rule:subjectId</c>) → the open alert holding that subject.</summary>
    private readonly Dictionary<string, string> _holders = new(StringComparer.Ordinal);
    /// <summary>Alerts read back at activation that have not come through <see cref="Record"/> since.</summary>
    private readonly HashSet<string> _readBack = new(StringComparer.Ordinal);
    private bool _dirty;
    /// <summary>What the board holds now; <c>state.State</c> is the copy last written.</summary>
    private AlertBoardState S = new();
    /// <summary>Ids listed since the last full write, and how many were added / are written (a group commit's numbering).</summary>
    private readonly HashSet<string> _newIds = new(StringComparer.Ordinal);
    private long _newIdsAdded, _newIdsWritten;
    private Task? _newIdsWrite;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A numbering of its own for every activation. The state is written a moment after it changes, so after a kill -9
        // the stored number can be behind numbers already pushed: in the same epoch they would be given out again, and a
        // client that saw the first ones would take the new changes for ones it had (it resumed past them). Another epoch
        // makes every client read the list afresh; the changes kept for resuming were in memory and are gone anyway.
        S = state.State;
        S.Epoch = Math.Max(time.GetUtcNow().ToUnixTimeMilliseconds(), S.Epoch + 1);
        S.Ids.UnionWith(S.Alerts.Keys);
        S.Ids.UnionWith(newIds.State.Ids);
        S.Alerts.Clear();
        S.Groups.Clear();
        S.Holders.Clear();
        _dirty = true;
        await ReadAlertsAsync(cancellationToken);
        this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)) { KeepAlive = true });
        this.RegisterGrainTimer(SweepSilencesAsync, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), options.Value.TickInterval) { KeepAlive = true });
    }

    /// <summary>
    /// Every listed alert as its grain holds it. Reading activates each one, which starts again any clock that was running
    /// before a restart. An id whose grain holds nothing (its state was never written) leaves the list.
    /// </summary>
    private async Task ReadAlertsAsync(CancellationToken cancellationToken)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        foreach (var chunk in S.Ids.ToArray().Chunk(ReadAtOnce))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var read = await Task.WhenAll(chunk.Select(id => GrainFactory.GetGrain<IAlertGrain>(id).Current()));
            for (var i = 0; i < chunk.Length; i++)
            {
                if (read[i] is { } alert)
                {
                    _alerts[alert.Id] = alert;
                    _readBack.Add(alert.Id);
                }
                else S.Ids.Remove(chunk[i]);
            }
        }
        // The routing follows from the open alerts: each subject to the alert holding it, each group to its newest open alert.
        foreach (var a in _alerts.Values.Where(a => a.IsOpen).OrderBy(a => a.FirstSeenAt))
        {
            _groups[GroupOf(a.Rule, a.Subject, a.RegionId)] = a.Id;
            foreach (var subject in a.Subjects) _holders[$"{a.Rule}:{subject}"] = a.Id;
        }
        logger.LogInformation("Alert board active on this node (epoch {Epoch}): {Alerts} alerts read back from their grains in {Elapsed} ms", S.Epoch, _alerts.Count, watch.ElapsedMilliseconds);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => await FlushAsync();

    public Task Flush() => FlushAsync();

    public Task<AlertRoute> Route(AlertSignal signal)
    {
        var now = time.GetUtcNow();
        var group = GroupOf(signal);
        var id = _holders.GetValueOrDefault(signal.Key)
            ?? (_groups.TryGetValue(group, out var open) && (!_alerts.TryGetValue(open, out var a) || a.IsOpen) ? open : signal.Key);
        _groups[group] = id;
        _holders[signal.Key] = id;
        var silence = S.Silences.Where(s => s.ActiveAt(now) && Matches(s.Matchers, signal.AreaId, signal.Rule, signal.Category)).OrderBy(s => s.CreatedAt).FirstOrDefault();
        return Task.FromResult(new AlertRoute(id, silence?.Id, InhibitorOf(signal.AreaId, signal.Rule)));
    }

    public Task<string?> Holder(string signalKey) => Task.FromResult(_holders.GetValueOrDefault(signalKey));

    public async Task<long> Record(Alert alert, string? lifecycle)
    {
        if (S.Ids.Add(alert.Id))
        {
            _dirty = true;
            // In cluster mode a new alert is on the list for good before anyone sees it: the board's node can die while
            // the nodes whose grains raised the alert go on, and nothing would raise it again. One node needs no such
            // write: a kill -9 takes the applier with the board, and its replay from the checkpoint (which flushes the
            // board first) raises the alert again.
            if (cluster.Value.Enabled) await WriteNewIdAsync(alert.Id);
        }
        return RecordWritten(alert, lifecycle);
    }

    /// <summary>Records interleave here, so the ids of every alert raised during a write go in the next one.</summary>
    private async Task WriteNewIdAsync(string id)
    {
        _newIds.Add(id);
        var added = ++_newIdsAdded;
        try
        {
            while (_newIdsWritten < added)
            {
                var write = _newIdsWrite ??= WriteNewIdsAsync();
                try { await write; }
                finally { if (ReferenceEquals(_newIdsWrite, write)) _newIdsWrite = null; }
            }
        }
        catch (Exception ex)
        {
            // Shown all the same: the full write a second from now retries, as before this write existed.
            logger.LogWarning("New alert ids not written ({Error}); alert {AlertId} is listed and the next full write retries", ex.Message, id);
        }
    }

    private async Task WriteNewIdsAsync()
    {
        var upTo = _newIdsAdded;
        newIds.State = new AlertBoardNewIds { Ids = new(_newIds, StringComparer.Ordinal) };
        await newIds.WriteStateAsync();
        _newIdsWritten = Math.Max(_newIdsWritten, upTo);
    }

    private long RecordWritten(Alert alert, string? lifecycle)
    {
        // A version read back at activation may still be on its way here from its grain: it is numbered and pushed once, then.
        var readBack = _readBack.Remove(alert.Id);
        if (_alerts.TryGetValue(alert.Id, out var known) && (known.Version > alert.Version || (known.Version == alert.Version && !readBack))) return S.Seq;
        _alerts[alert.Id] = alert;
        if (!alert.IsOpen)
        {
            foreach (var subject in alert.Subjects) RemoveIfHeldBy(_holders, $"{alert.Rule}:{subject}", alert.Id);
            RemoveIfHeldBy(_groups, GroupOf(alert.Rule, alert.Subject, alert.RegionId), alert.Id);
        }
        var change = new AlertChange(++S.Seq, time.GetUtcNow(), alert, lifecycle);
        _recent.AddLast(change);
        while (_recent.Count > options.Value.ResumeWindow) _recent.RemoveFirst();
        try
        {
            sink.Publish(S.Epoch, change);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Publishing alert {AlertId} version {Version} failed", alert.Id, alert.Version);
        }
        if (alert.Rule == AlertRules.MassIncident) InhibitUnder(alert);
        return change.Seq;
    }

    public Task<IReadOnlyList<Alert>> List()
    {
        var cutoff = time.GetUtcNow() - options.Value.ResolvedRetention;
        foreach (var old in _alerts.Values.Where(a => !a.IsOpen && a.ResolvedAt < cutoff).Select(a => a.Id).ToArray())
        {
            _alerts.Remove(old);
            _dirty |= S.Ids.Remove(old);
        }
        return Task.FromResult<IReadOnlyList<Alert>>(_alerts.Values.ToArray());
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

    public async Task<Silence> AddSilence(Silence silence)
    {
        S.Silences.Add(silence);
        _dirty = true;
        // A person's decision is written before it is confirmed.
        await FlushAsync();
        Apply(silence);
        return silence;
    }

    public async Task<Silence?> RemoveSilence(string id, string actor, DateTimeOffset at)
    {
        var i = S.Silences.FindIndex(s => s.Id == id);
        if (i < 0) return null;
        var removed = S.Silences[i] with { RemovedAt = at, RemovedBy = actor };
        S.Silences[i] = removed;
        _dirty = true;
        await FlushAsync();
        Release(id);
        return removed;
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
        foreach (var a in _alerts.Values.Where(a => a.IsOpen && a.SilencedBy is null && Matches(silence.Matchers, a.RegionId, a.Rule, a.Category)))
            GrainFactory.GetGrain<IAlertGrain>(a.Id).Suppress(silence.Id, a.InhibitedBy).Ignore();
    }

    /// <summary>Alerts held by an ended silence go to the next active silence that matches them, or back to firing.</summary>
    private void Release(string silenceId)
    {
        var now = time.GetUtcNow();
        foreach (var a in _alerts.Values.Where(a => a.IsOpen && a.SilencedBy == silenceId))
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
        foreach (var a in _alerts.Values.Where(a => a.IsOpen && a.Id != mass.Id && IsDerivative(a.Rule) && Under(a.RegionId, mass.RegionId)))
        {
            var inhibitor = mass.IsOpen ? mass.Id : null;
            if (a.InhibitedBy != inhibitor && (mass.IsOpen || a.InhibitedBy == mass.Id))
                GrainFactory.GetGrain<IAlertGrain>(a.Id).Suppress(a.SilencedBy, inhibitor).Ignore();
        }
    }

    private string? InhibitorOf(string areaId, string rule) =>
        !IsDerivative(rule) ? null
        : _alerts.Values.FirstOrDefault(m => m.Rule == AlertRules.MassIncident && m.IsOpen && Under(areaId, m.RegionId))?.Id;

    private static bool IsDerivative(string rule) => rule is AlertRules.HarmIncident or AlertRules.CaseHigh or AlertRules.Spike;

    private bool Under(string areaId, string ancestorId) =>
        hierarchy.TryGet(areaId, out _) && hierarchy.PathToRoot(areaId).Any(p => p.Id == ancestorId);

    private bool Matches(SilenceMatchers m, string regionId, string rule, string? category) =>
        (m.Rule is null || m.Rule == rule)
        && (m.Category is null || m.Category == category)
        && (m.RegionId is null || Under(regionId, m.RegionId));

    /// <summary>Subjects of case, grid and person rules group by area; a village's spike or a feed is its own group.</summary>
    private static string GroupOf(AlertSignal s) => GroupOf(s.Rule, s.Subject, s.AreaId);

    private static string GroupOf(string rule, AlertSubject subject, string areaId) => subject.Kind is "case" or "grid" or "person" ? $"{rule}|{areaId}" : $"{rule}|{subject.Id}";

    private static void RemoveIfHeldBy(Dictionary<string, string> routes, string key, string alertId)
    {
        if (routes.TryGetValue(key, out var holder) && holder == alertId) routes.Remove(key);
    }

    private async Task FlushAsync()
    {
        if (!_dirty) return;
        _dirty = false;
        var newIdsAdded = _newIdsAdded;
        var listedNew = _newIds.ToArray();
        try
        {
            state.State = S.Copy();
            await state.WriteStateAsync();
            // Written in full: the ids listed until the copy need no write of their own any more.
            _newIds.ExceptWith(listedNew);
            _newIdsWritten = Math.Max(_newIdsWritten, newIdsAdded);
            // What a kill -9 of this node from now on cannot take off the list, in either mode.
            logger.LogDebug("Alert board written: {Alerts} alerts listed (epoch {Epoch})", S.Ids.Count, S.Epoch);
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
