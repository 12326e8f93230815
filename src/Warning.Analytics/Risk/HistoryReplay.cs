using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Warning.Analytics.Spikes;

namespace Warning.Analytics.Risk;

/// <summary>
/// One training or evaluation row: a case as of a scoring time, and what happened in the 30 days after.
/// <see cref="FullCourseProbability"/> is the simulator's hazard over the case's whole first 30 days (it knows the future);
/// <see cref="Setup"/>, <see cref="OpenedAt"/> and <see cref="Seen"/> let the evaluation compute the as-of truth (<see cref="AsOfHarm"/>).
/// </summary>
public sealed record ScoringRow(string CaseId, string CountyId, DisputeCategory Category, DateTimeOffset At, bool HarmWithin30Days,
    double FullCourseProbability, CaseSetup? Setup, DateTimeOffset OpenedAt, CourseSeen Seen);

/// <summary>Rows (features in one row-major array) in scoring-time order.</summary>
public sealed class TrainingSet
{
    public required List<ScoringRow> Rows { get; init; }
    public required float[] Features { get; init; }
    public DateTimeOffset From { get; init; }
    public DateTimeOffset To { get; init; }

    public int Count => Rows.Count;

    public ReadOnlySpan<float> RowOf(int i) => Features.AsSpan(i * RiskFeatures.Count, RiskFeatures.Count);
}

public sealed record ReplayOptions
{
    /// <summary>Case ages (days after opening) at which a case is scored, as the live service re-scores it on each event.</summary>
    public IReadOnlyList<double> ScoringAgesDays { get; init; } = [0.01, 2, 5, 10, 20];

    /// <summary>Keep this share of cases (by a hash of the id, so deterministic); 1 keeps all.</summary>
    public double CaseSampleRate { get; init; } = 1;

    public DeadlineOptions Deadlines { get; init; } = new();

    /// <summary>The live spike scan's options: history is scanned with them day by day for the village spike feature.</summary>
    public SpikeOptions Spikes { get; init; } = new();

    /// <summary>The deployment's civil offset: the day a case opened on and the nightly scan that covers it.</summary>
    public TimeSpan UtcOffset { get; init; } = TimeSpan.FromHours(8);
}

/// <summary>What became of a case, as far as a label (and, from the simulator, the evaluation's references) needs.</summary>
public sealed record CaseOutcome(DateTimeOffset? HarmAt, double FullCourseProbability = double.NaN, CaseSetup? Setup = null);

/// <summary>
/// Replays history into "as of" snapshots: each case is scored at fixed ages while it is unresolved and before any harm,
/// from only the events known at that moment (events are taken in time order, and a scoring time is taken before any
/// later event is applied). The label is harm within 30 days after the scoring time. History comes from the simulator
/// (labels from its truth) or from the ingest log (labels from the harm incidents linked to a case later: violence,
/// injury, self-harm, a criminal case). The village spike feature is what the nightly scan (<see cref="SpikeHistory"/>)
/// said the night before, as live scoring reads it.
/// </summary>
public static class HistoryReplay
{
    /// <summary>Incident types that are harm: the label's event.</summary>
    public static bool IsHarm(IncidentType type) =>
        type is IncidentType.Violence or IncidentType.Injury or IncidentType.SelfHarm or IncidentType.CriminalCase;

    /// <summary>Simulator history, with the simulator's truth as labels and the as-of oracle's inputs.</summary>
    public static TrainingSet Build(AreaHierarchy city, SimulatorOptions options, DateTimeOffset from, DateTimeOffset to,
        ReplayOptions? replay = null, Action<string>? progress = null, CancellationToken ct = default)
    {
        replay ??= new ReplayOptions();
        var sim = new DisputeSimulator(city, options);
        // The simulator is deterministic, so the spike pre-pass and the replay see the same cases.
        IEnumerable<object> Events() => sim.Run(from, to).Select(e => e switch
        {
            SimulatedReport r => (object)r.Report,
            SimulatedIncident i => i.Incident,
            _ => throw new InvalidOperationException($"unexpected event {e.GetType().Name}"),
        });
        var spikes = ScanSpikes(city, Events(), from, to, replay, progress, ct);
        // The simulator's truth knows harms after the window closes too, so every row has its label.
        return Replay(city, Events(), sim.KeyIndividuals, id => sim.TruthOf(id) is { } t ? new CaseOutcome(t.HarmAt, t.HarmProbability30Days, t.Setup) : null,
            spikes, from, to, DateTimeOffset.MaxValue, replay, progress, ct);
    }

    /// <summary>
    /// Logged history (reports, incidents and key individuals as accepted, in any order): the production path. Records are
    /// put in event-time order; a case's label is its first harm incident.
    /// </summary>
    public static TrainingSet Build(AreaHierarchy city, IEnumerable<object> logged, DateTimeOffset from, DateTimeOffset to,
        ReplayOptions? replay = null, Action<string>? progress = null, CancellationToken ct = default)
    {
        replay ??= new ReplayOptions();
        var persons = new Dictionary<string, KeyIndividual>(StringComparer.Ordinal);
        var events = new List<(DateTimeOffset At, int Order, object Record)>();
        // Older records only matter to the spike scans' look-back (cases opened before the window are not replayed), so a
        // years-long log is not held in memory whole.
        var keepFrom = from.AddDays(-replay.Spikes.HistoryDays - 1);
        var harm = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var record in logged)
        {
            switch (record)
            {
                case KeyIndividual k:
                    persons[k.PersonId] = k; // the latest registration stands
                    break;
                case ScreeningReport r when r.ReportedAt < to && r.ReportedAt >= keepFrom:
                    // The log holds opening reports with their derived case id; the replay knows an opening by its absence.
                    events.Add((r.ReportedAt, events.Count, r.CaseId is not null && CaseIds.Opens(r) ? r with { CaseId = null } : r));
                    break;
                case Incident i when i.OccurredAt < to && i.OccurredAt >= keepFrom:
                    events.Add((i.OccurredAt, events.Count, i));
                    if (i.CaseId is { } caseId && IsHarm(i.Type) && (!harm.TryGetValue(caseId, out var first) || i.OccurredAt < first)) harm[caseId] = i.OccurredAt;
                    break;
            }
        }
        events.Sort((a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Order.CompareTo(b.Order));
        progress?.Invoke($"read {events.Count:N0} logged events, {persons.Count:N0} key individuals, {harm.Count:N0} harmed cases");
        var ordered = events.Select(e => e.Record);
        var spikes = ScanSpikes(city, ordered, from, to, replay, progress, ct);
        // A row's label needs its whole 30 days in the log: the last month of history only feeds features of later rows.
        return Replay(city, ordered, persons.Values.ToArray(), id => new CaseOutcome(harm.TryGetValue(id, out var at) ? at : null),
            spikes, from, to, to, replay, progress, ct);
    }

    private static SpikeHistory ScanSpikes(AreaHierarchy city, IEnumerable<object> events, DateTimeOffset from, DateTimeOffset to,
        ReplayOptions replay, Action<string>? progress, CancellationToken ct)
    {
        DateOnly Day(DateTimeOffset t) => DateOnly.FromDateTime(t.ToOffset(replay.UtcOffset).DateTime);
        var openings = events.OfType<ScreeningReport>()
            .Where(CaseIds.Opens)
            .Select(r => new Opening(Day(r.ReportedAt), r.GridId, r.Category));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var history = SpikeHistory.Scan(city, openings, Day(from).AddDays(-1), Day(to), replay.Spikes, ct: ct);
        progress?.Invoke($"spike history: {history.DaysScanned} nightly scans, {history.Signals:N0} signals, {watch.Elapsed.TotalSeconds:F1}s");
        return history;
    }

    private static TrainingSet Replay(AreaHierarchy city, IEnumerable<object> events, IReadOnlyList<KeyIndividual> keyIndividuals,
        Func<string, CaseOutcome?> outcomeOf, SpikeHistory spikes, DateTimeOffset from, DateTimeOffset to, DateTimeOffset labelsKnownUntil,
        ReplayOptions replay, Action<string>? progress, CancellationToken ct)
    {
        var extractor = new CaseFeatureExtractor(replay.Deadlines);
        var bases = keyIndividuals.ToDictionary(k => k.PersonId);
        var cases = new Dictionary<string, Builder>(StringComparer.Ordinal);
        var due = new PriorityQueue<(string CaseId, DateTimeOffset At), DateTimeOffset>();
        var rows = new List<ScoringRow>();
        var features = new List<float>();
        var row = new float[RiskFeatures.Count];
        long count = 0;

        void EmitDue(DateTimeOffset before)
        {
            while (due.TryPeek(out var item, out var at) && at < before)
            {
                due.Dequeue();
                if (!cases.TryGetValue(item.CaseId, out var b)) continue;
                b.PendingScores--;
                var outcome = outcomeOf(item.CaseId);
                var last = b.Reports[^1];
                var harmed = outcome?.HarmAt is { } h && h <= at;
                if (outcome is not null && last.Status != CaseStatus.Resolved && !harmed && at < to && at.AddDays(30) <= labelsKnownUntil)
                {
                    // Live, the village grain holds what last night's scan found.
                    var lastNight = DateOnly.FromDateTime(at.ToOffset(replay.UtcOffset).DateTime).AddDays(-1);
                    var spiking = city.VillageOf(b.GridId) is { } village && spikes.IsSpikingFor(village.Id, b.Category, lastNight);
                    var snapshot = new CaseSnapshot(b.Category, b.OpenedAt, b.Reports, b.Incidents,
                        b.Persons.Where(p => bases.TryGetValue(p, out var k) && k.BasisExpiresAt > at).Select(p => bases[p].Basis).Distinct().ToArray(),
                        spiking);
                    extractor.Extract(snapshot, at, row);
                    features.AddRange(row);
                    var label = outcome.HarmAt is { } harmAt && harmAt > at && harmAt <= at.AddDays(30);
                    rows.Add(new ScoringRow(item.CaseId, CountyOf(city, b.GridId), b.Category, at, label, outcome.FullCourseProbability,
                        outcome.Setup, b.OpenedAt, b.Seen()));
                }
                if (b.PendingScores == 0) cases.Remove(item.CaseId);
            }
        }

        foreach (var e in events)
        {
            ct.ThrowIfCancellationRequested();
            var eventAt = e switch { ScreeningReport r => r.ReportedAt, Incident i => i.OccurredAt, _ => (DateTimeOffset?)null };
            if (eventAt is not { } time) continue;
            EmitDue(time); // scores due strictly before this event; one due at its exact time sees it, as the extractor reads "at or before"
            if (++count % 500_000 == 0) progress?.Invoke($"replayed {count:N0} events, {rows.Count:N0} rows");
            switch (e)
            {
                case ScreeningReport r:
                {
                    var id = r.CaseId ?? CaseIds.FromOpeningReport(r.ReportId);
                    if (!Sampled(id, replay.CaseSampleRate)) break;
                    var snap = new SnapshotReport(r.ReportedAt, r.Status, r.Category, r.PartiesCount, r.PeopleInvolved, r.AmountInDispute, r.MediationAttempts, r.Flags);
                    if (r.CaseId is null)
                    {
                        if (r.ReportedAt < from) break; // opened before the window: its early days are not in this history
                        var b = new Builder(r.GridId, r.Category, r.ReportedAt);
                        b.Reports.Add(snap);
                        b.Persons.UnionWith(r.PersonIds);
                        cases[id] = b;
                        foreach (var age in replay.ScoringAgesDays)
                        {
                            due.Enqueue((id, r.ReportedAt.AddDays(age)), r.ReportedAt.AddDays(age));
                            b.PendingScores++;
                        }
                    }
                    else if (cases.TryGetValue(id, out var b))
                    {
                        b.Reports.Add(snap);
                        b.Category = r.Category;
                        b.Persons.UnionWith(r.PersonIds);
                    }
                    break;
                }
                case Incident { CaseId: { } caseId } i when cases.TryGetValue(caseId, out var b):
                    // Every linked incident is kept as it arrives; the extractor decides what it reads (never petitions or complaints).
                    b.Incidents.Add(new SnapshotIncident(i.OccurredAt, i.Type));
                    foreach (var p in i.PersonIds) b.Persons.Add(p);
                    break;
            }
        }
        EmitDue(DateTimeOffset.MaxValue);
        progress?.Invoke($"replay done: {count:N0} events, {rows.Count:N0} rows");
        return new TrainingSet { Rows = rows, Features = features.ToArray(), From = from, To = to };
    }

    private static bool Sampled(string id, double rate)
    {
        if (rate >= 1) return true;
        // FNV-1a, not string.GetHashCode: that one is randomised per process and the sample must be reproducible.
        var h = 2166136261u;
        foreach (var ch in id) h = (h ^ ch) * 16777619;
        return h / (double)uint.MaxValue < rate;
    }

    private static string CountyOf(AreaHierarchy city, string gridId) =>
        city.TryGet(gridId, out _) ? city.PathToRoot(gridId).FirstOrDefault(a => a.Level == AreaLevel.County)?.Id ?? "" : "";

    private sealed class Builder(string gridId, DisputeCategory category, DateTimeOffset openedAt)
    {
        public string GridId { get; } = gridId;
        public DisputeCategory Category { get; set; } = category;
        public DateTimeOffset OpenedAt { get; } = openedAt;
        public List<SnapshotReport> Reports { get; } = new();
        public List<SnapshotIncident> Incidents { get; } = new();
        public HashSet<string> Persons { get; } = new(StringComparer.Ordinal);
        public int PendingScores { get; set; }

        /// <summary>The course so far in the as-of oracle's terms; every report and incident held was released by the scoring time.</summary>
        public CourseSeen Seen()
        {
            int attempts = 0, failures = 0, threats = 0;
            var referred = false;
            foreach (var r in Reports)
            {
                attempts = Math.Max(attempts, r.MediationAttempts);
                if (r.Status == CaseStatus.Failed) failures++;
                if (r.Status == CaseStatus.Referred) referred = true;
            }
            foreach (var i in Incidents) if (i.Type == IncidentType.Threat) threats++;
            return new CourseSeen(attempts, failures, referred, Resolved: false, threats);
        }
    }
}
