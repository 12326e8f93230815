using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;

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
}

/// <summary>
/// Replays simulator history into "as of" snapshots: each case is scored at fixed ages while it is unresolved and before
/// any harm, from only the events released up to that moment (the simulator's stream is time-ordered, so a scoring time
/// is taken before any later event is applied). The label is the simulator's harm within 30 days after the scoring time.
/// Village spike state comes from the simulator's planted spikes, a stand-in for the spike detector's history.
/// </summary>
public static class HistoryReplay
{
    public static TrainingSet Build(AreaHierarchy city, SimulatorOptions options, DateTimeOffset from, DateTimeOffset to,
        ReplayOptions? replay = null, Action<string>? progress = null, CancellationToken ct = default)
    {
        replay ??= new ReplayOptions();
        var extractor = new CaseFeatureExtractor(replay.Deadlines);
        var sim = new DisputeSimulator(city, options);
        var bases = sim.KeyIndividuals.ToDictionary(k => k.PersonId);
        var cases = new Dictionary<string, Builder>(StringComparer.Ordinal);
        var due = new PriorityQueue<(string CaseId, DateTimeOffset At), DateTimeOffset>();
        var rows = new List<ScoringRow>();
        var features = new List<float>();
        var row = new float[RiskFeatures.Count];
        long events = 0;

        void EmitDue(DateTimeOffset before)
        {
            while (due.TryPeek(out var item, out var at) && at < before)
            {
                due.Dequeue();
                if (!cases.TryGetValue(item.CaseId, out var b)) continue;
                b.PendingScores--;
                var truth = sim.TruthOf(item.CaseId);
                var last = b.Reports[^1];
                var harmed = truth?.HarmAt is { } h && h <= at;
                if (truth is not null && last.Status != CaseStatus.Resolved && !harmed && at < to)
                {
                    var village = VillageOf(city, b.GridId);
                    var spiking = sim.PlantedSpikes.Any(s => s.VillageId == village && s.From <= at && at < s.To && s.Category == b.Category);
                    var snapshot = new CaseSnapshot(b.Category, b.OpenedAt, b.Reports, b.Incidents,
                        b.Persons.Where(p => bases.TryGetValue(p, out var k) && k.BasisExpiresAt > at).Select(p => bases[p].Basis).Distinct().ToArray(),
                        spiking);
                    extractor.Extract(snapshot, at, row);
                    features.AddRange(row);
                    var label = truth.HarmAt is { } harmAt && harmAt > at && harmAt <= at.AddDays(30);
                    rows.Add(new ScoringRow(item.CaseId, CountyOf(city, b.GridId), b.Category, at, label, truth.HarmProbability30Days,
                        truth.Setup, b.OpenedAt, b.Seen()));
                }
                if (b.PendingScores == 0) cases.Remove(item.CaseId);
            }
        }

        foreach (var e in sim.Run(from, to))
        {
            ct.ThrowIfCancellationRequested();
            EmitDue(e.At); // scores due strictly before this event; one due at its exact time sees it, as the extractor reads "at or before"
            if (++events % 500_000 == 0) progress?.Invoke($"replayed {events:N0} events, {rows.Count:N0} rows");
            switch (e)
            {
                case SimulatedReport { Report: var r }:
                {
                    var id = r.CaseId ?? CaseIds.FromOpeningReport(r.ReportId);
                    if (!Sampled(id, replay.CaseSampleRate)) break;
                    var snap = new SnapshotReport(r.ReportedAt, r.Status, r.Category, r.PartiesCount, r.PeopleInvolved, r.AmountInDispute, r.MediationAttempts, r.Flags);
                    if (r.CaseId is null)
                    {
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
                case SimulatedIncident { Incident: { CaseId: { } caseId } i } when cases.TryGetValue(caseId, out var b):
                    // Every linked incident is kept as it arrives; the extractor decides what it reads (never petitions or complaints).
                    b.Incidents.Add(new SnapshotIncident(i.OccurredAt, i.Type));
                    foreach (var p in i.PersonIds) b.Persons.Add(p);
                    break;
            }
        }
        EmitDue(DateTimeOffset.MaxValue);
        progress?.Invoke($"replay done: {events:N0} events, {rows.Count:N0} rows");
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

    private static string VillageOf(AreaHierarchy city, string gridId) =>
        city.TryGet(gridId, out var a) && a.Level == AreaLevel.Grid ? a.ParentId! : gridId;

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
