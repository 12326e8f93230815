using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Risk;
using Warning.Analytics.Spikes;

namespace Warning.Analytics.Reports;

/// <summary>The key numbers of one area over one period, all from the ledger (definitions in the pack's appendix).</summary>
public sealed record KeyFigures(
    int New, int Resolved, int Closed, double? ResolutionRate, int Open,
    int OverdueAccept, int OverdueMediate, int OverdueComplete,
    int GridDays, int GridDaysScreened, double? ScreeningCompliance, int HarmIncidents)
{
    /// <summary>Open cases at level high or critical by the score each carries now; only known for a period that ends now.</summary>
    public int? HighRisk { get; init; }
}

/// <summary>New cases per category in one bucket (a day, or a week starting on <see cref="Start"/>).</summary>
public sealed record TrendBucket(DateOnly Start, IReadOnlyDictionary<DisputeCategory, int> New)
{
    public int Total => New.Values.Sum();
}

public sealed record AreaRow(string Id, string Name, int New, int PreviousNew, int Open, int OverdueComplete, double? ScreeningCompliance, IReadOnlyList<int> Trend)
{
    public int Increase => New - PreviousNew;
}

/// <summary>
/// A spike episode: the nightly scan would have raised this signal every day from <see cref="Day"/> to <see cref="Until"/>;
/// observed (the largest window count seen) against the baseline's expectation on the first day.
/// </summary>
public sealed record SpikeRow(string VillageId, string Village, DisputeCategory? Category, DateOnly Day, DateOnly Until, DateOnly Since, int Observed, double Expected, string Method);

public sealed record GridGap(string GridId, string Grid, string Village, DateTimeOffset? LastScreened, double DaysWithout);

/// <param name="CaseId">Null unless the reader's role may open cases.</param>
public sealed record RiskCase(string? CaseId, string Village, DisputeCategory Category, int DaysOpen, double Probability, RiskLevel Level, IReadOnlyList<string> Reasons);

public sealed record OverdueCase(string? CaseId, string Village, DisputeCategory Category, CaseStatus Status, int DaysOpen, string Deadline);

public sealed record HarmCase(string? CaseId, string Village, DisputeCategory? Category, IncidentType Type, DateOnly Day);

public sealed record CalibrationDecile(int Decile, int Rows, double MeanPredicted, double Observed);

public sealed record SliceError(string Slice, int Rows, int Harms, double MeanPredicted, double Brier);

/// <summary>How the scores did: the model's own test metrics, and its record on this period's cases whose 30 days are known.</summary>
public sealed record ModelHealth(string Model, double? TestAuc, double? TestBrier, int Rows, int Harms, double? PeriodBrier,
    IReadOnlyList<CalibrationDecile> Calibration, IReadOnlyList<SliceError> ByCounty, IReadOnlyList<SliceError> ByCategory);

public sealed record BriefingPack(
    string AreaId, string AreaName, AreaLevel Level, IReadOnlyList<string> AreaPath, BriefingPeriod Period, DateTimeOffset GeneratedAt, DateTimeOffset? DataFrom, DateTimeOffset? DataTo,
    KeyFigures Current, KeyFigures Previous, KeyFigures LastYear,
    bool Weekly, IReadOnlyList<TrendBucket> Trend,
    IReadOnlyList<AreaRow> Children, IReadOnlyList<SpikeRow> Spikes, IReadOnlyList<GridGap> GridGaps,
    IReadOnlyList<RiskCase> HighestRisk, IReadOnlyList<OverdueCase> Overdue, IReadOnlyList<HarmCase> Harms,
    ModelHealth? Model, DeadlineOptions Deadlines, TimeSpan ScreeningCadence)
{
    /// <summary>Set for a special bulletin (专报): the one category the pack is about.</summary>
    public DisputeCategory? Focus { get; init; }

    /// <summary>The rows behind this period's key numbers, for the CSV.</summary>
    public IReadOnlyList<Briefing.CaseRow> CaseRows { get; init; } = [];

    public IReadOnlyList<Briefing.GridRow> GridRows { get; init; } = [];

    public bool ShowsCaseIds { get; init; }

    /// <summary>Null when the service runs without a time series (InfluxDB off): the pack says the numbers are unknown.</summary>
    public AlertComparison? Alerts { get; init; }
}

/// <summary>What a pack is computed with besides the ledger: the settings the live service runs with, and what the grains hold now.</summary>
public sealed record BriefingInputs(
    AreaHierarchy Hierarchy, CaseLedger Ledger, DeadlineOptions Deadlines, TimeSpan ScreeningCadence, SpikeOptions Spikes, DateTimeOffset Now)
{
    /// <summary>Open cases' current scores by case id (from the case grains).</summary>
    public IReadOnlyDictionary<string, RiskScore> Scores { get; init; } = new Dictionary<string, RiskScore>();

    public ModelHealth? Model { get; init; }

    /// <summary>Whether the reader may see case ids (the cases policy).</summary>
    public bool ShowCaseIds { get; init; }

    public int ListLength { get; init; } = 15;
}

/// <summary>Computes a meeting pack (研判会材料) for an area and a period from the ledger.</summary>
public static class Briefing
{
    public static BriefingPack Compute(BriefingInputs inputs, string areaId, BriefingPeriod period, DisputeCategory? focus = null, CancellationToken ct = default)
    {
        var h = inputs.Hierarchy;
        var area = h[areaId];
        var grids = GridsOf(h, area);
        var cases = inputs.Ledger.Cases.Where(c => grids.Contains(c.GridId) && (focus is null || c.Steps[0].Category == focus)).ToArray();
        var harms = cases.SelectMany(c => c.Harms.Select(i => (Case: (LedgerCase?)c, Incident: i)))
            .Concat(focus is null ? inputs.Ledger.UnlinkedHarms.Where(i => grids.Contains(i.GridId)).Select(i => (Case: (LedgerCase?)null, Incident: i)) : [])
            .ToArray();

        KeyFigures Figures(BriefingPeriod p, IReadOnlyCollection<string> inGrids, IReadOnlyList<LedgerCase> of, bool withRisk)
        {
            var f = Key(inputs, p, inGrids, of, harms.Count(x => inGrids.Contains(x.Incident.GridId) && p.Contains(x.Incident.OccurredAt)));
            if (!withRisk) return f;
            // The grains keep each case's latest score only: a past period cannot be scored as it stood then.
            var high = of.Count(c => c.AsOf(p.End)?.Status.IsOpen() == true && inputs.Scores.TryGetValue(c.Id, out var s) && s.Level >= RiskLevel.High);
            return f with { HighRisk = high };
        }

        var endsNow = period.End >= inputs.Now;
        var current = Figures(period, grids, cases, endsNow);
        ct.ThrowIfCancellationRequested();
        var weekly = period.Days > 92;
        var trend = Trend(period, cases, weekly);

        var children = h.ChildrenOf(area.Id).Select(child =>
        {
            var childGrids = GridsOf(h, child);
            var of = cases.Where(c => childGrids.Contains(c.GridId)).ToArray();
            var now = Figures(period, childGrids, of, false);
            var before = Figures(period.Previous, childGrids, of, false);
            return new AreaRow(child.Id, child.Name, now.New, before.New, now.Open, now.OverdueComplete, now.ScreeningCompliance,
                Trend(period, of, weekly).Select(b => b.Total).ToArray());
        }).OrderByDescending(r => r.New).ThenBy(r => r.Id, StringComparer.Ordinal).ToArray();
        ct.ThrowIfCancellationRequested();

        var ids = inputs.ShowCaseIds;
        string VillageOf(string gridId) => h.VillageOf(gridId)?.Name ?? h[gridId].Name;
        var open = cases.Select(c => (Case: c, Step: c.AsOf(period.End))).Where(x => x.Step is { } s && s.Status.IsOpen()).ToArray();
        int DaysOpen(LedgerCase c) => (int)Math.Floor((period.End - c.OpenedAt).TotalDays);
        var highest = endsNow
            ? open.Where(x => inputs.Scores.ContainsKey(x.Case.Id))
                .Select(x => (x.Case, Score: inputs.Scores[x.Case.Id], x.Step!.Value.Category))
                .OrderByDescending(x => x.Score.Probability).ThenBy(x => x.Case.Id, StringComparer.Ordinal)
                .Take(inputs.ListLength)
                .Select(x => new RiskCase(ids ? x.Case.Id : null, VillageOf(x.Case.GridId), x.Category, DaysOpen(x.Case), x.Score.Probability, x.Score.Level,
                    x.Score.Contributions.Where(r => r.Value > 0).Take(3).Select(r => r.Zh).ToArray()))
                .ToArray()
            : [];
        var overdue = cases.Select(c => (Case: c, Step: c.AsOf(period.End)))
            .Where(x => x.Step is { } s && s.Status.IsUnsettled())
            .Select(x => (x.Case, Step: x.Step!.Value, Deadline: Overdue(inputs.Deadlines, x.Case, x.Step!.Value, period.End)))
            .Where(x => x.Deadline is not null)
            .OrderByDescending(x => DaysOpen(x.Case)).ThenBy(x => x.Case.Id, StringComparer.Ordinal)
            .Take(inputs.ListLength)
            .Select(x => new OverdueCase(ids ? x.Case.Id : null, VillageOf(x.Case.GridId), x.Step.Category, x.Step.Status, DaysOpen(x.Case), x.Deadline!))
            .ToArray();
        var harmCases = harms.Where(x => period.Contains(x.Incident.OccurredAt))
            .OrderBy(x => x.Incident.OccurredAt).ThenBy(x => x.Incident.IncidentId, StringComparer.Ordinal)
            .Take(inputs.ListLength * 2)
            .Select(x => new HarmCase(ids ? x.Case?.Id : null, VillageOf(x.Incident.GridId), x.Case?.AsOf(x.Incident.OccurredAt.AddTicks(1))?.Category,
                x.Incident.Type, period.DayOf(x.Incident.OccurredAt)))
            .ToArray();

        var spikes = SpikeRows(inputs, area, period, focus, ct);
        var rows = Rows(inputs, period, grids, cases);
        var gaps = grids.Select(g => (Id: g, Last: inputs.Ledger.ScreenedAt(g).LastOrDefault(t => t < period.End)))
            .Select(x => new GridGap(x.Id, h[x.Id].Name, VillageOf(x.Id), x.Last == default ? null : x.Last,
                x.Last == default ? double.PositiveInfinity : Math.Round((period.End - x.Last).TotalDays, 1)))
            .Where(g => g.DaysWithout > inputs.ScreeningCadence.TotalDays)
            .OrderByDescending(g => g.DaysWithout).ThenBy(g => g.GridId, StringComparer.Ordinal)
            .Take(inputs.ListLength)
            .ToArray();

        return new BriefingPack(area.Id, area.Name, area.Level, h.PathToRoot(area.Id).Reverse().Select(a => a.Name).ToArray(), period, inputs.Now,
            inputs.Ledger.FirstEvent, inputs.Ledger.LastEvent,
            current, Figures(period.Previous, grids, cases, false), Figures(period.LastYear, grids, cases, false),
            weekly, trend, children, spikes, gaps, highest, overdue, harmCases, inputs.Model, inputs.Deadlines, inputs.ScreeningCadence)
        {
            Focus = focus, CaseRows = rows.Cases, GridRows = rows.Grids, ShowsCaseIds = ids,
        };
    }

    public static HashSet<string> GridsOf(AreaHierarchy h, Area area) =>
        area.Level == AreaLevel.Grid ? [area.Id] : h.Descendants(area.Id, AreaLevel.Grid).Select(g => g.Id).ToHashSet(StringComparer.Ordinal);

    /// <summary>One case's part in the key numbers: the table behind them (each count is a sum of these rows).</summary>
    public sealed record CaseRow(string CaseId, string GridId, DisputeCategory Category, DateTimeOffset OpenedAt, CaseStatus? StatusAtEnd,
        bool New, int Resolved, int Closed, bool Open, bool OverdueAccept, bool OverdueMediate, bool OverdueComplete);

    public sealed record GridRow(string GridId, int Days, int DaysScreened);

    private static KeyFigures Key(BriefingInputs inputs, BriefingPeriod p, IReadOnlyCollection<string> grids, IReadOnlyList<LedgerCase> cases, int harmIncidents)
    {
        var (caseRows, gridRows) = Rows(inputs, p, grids, cases);
        var gridDays = gridRows.Sum(g => g.Days);
        var screened = gridRows.Sum(g => g.DaysScreened);
        var resolved = caseRows.Sum(r => r.Resolved);
        var closed = caseRows.Sum(r => r.Closed);
        return new KeyFigures(caseRows.Count(r => r.New), resolved, closed, closed == 0 ? null : Math.Round((double)resolved / closed, 4), caseRows.Count(r => r.Open),
            caseRows.Count(r => r.OverdueAccept), caseRows.Count(r => r.OverdueMediate), caseRows.Count(r => r.OverdueComplete),
            gridDays, screened, gridDays == 0 ? null : Math.Round((double)screened / gridDays, 4), harmIncidents);
    }

    /// <summary>The rows behind the key numbers: every case opened, closed or unsettled in the period, every grid.</summary>
    public static (List<CaseRow> Cases, List<GridRow> Grids) Rows(BriefingInputs inputs, BriefingPeriod p, IReadOnlyCollection<string> grids, IReadOnlyList<LedgerCase> cases)
    {
        var rows = new List<CaseRow>();
        foreach (var c in cases)
        {
            if (c.AsOf(p.End) is not { } end) continue;
            int resolved = 0, closed = 0;
            for (var i = 0; i < c.Steps.Count; i++)
            {
                var s = c.Steps[i];
                if (!p.Contains(s.At)) continue;
                var was = i == 0 ? (CaseStatus?)null : c.Steps[i - 1].Status;
                if (s.Status == was || s.Status.IsOpen()) continue;
                closed++;
                if (s.Status == CaseStatus.Resolved) resolved++;
            }
            var unsettled = end.Status.IsUnsettled();
            // A case closed before the period and untouched in it counts in no number: not a row of the table.
            if (!unsettled && closed == 0 && !p.Contains(c.OpenedAt)) continue;
            var age = (p.End - c.OpenedAt).TotalDays;
            var (acceptDays, mediateDays, completeDays) = inputs.Deadlines.For(end.Category);
            rows.Add(new CaseRow(c.Id, c.GridId, end.Category, c.OpenedAt, end.Status, p.Contains(c.OpenedAt), resolved, closed, end.Status.IsOpen(),
                unsettled && end.Status == CaseStatus.Screened && age > acceptDays, unsettled && age > mediateDays, unsettled && age > completeDays));
        }

        // A grid-day counts as screened when a round or a report fell on it (community grids screen daily, DESIGN.md).
        var gridRows = grids.Order(StringComparer.Ordinal)
            .Select(g => new GridRow(g, p.Days, inputs.Ledger.ScreenedAt(g).Where(p.Contains).Select(p.DayOf).Distinct().Count()))
            .ToList();
        return (rows, gridRows);
    }

    /// <summary>The furthest deadline an unsettled case has passed at <paramref name="end"/>: 办结 before 调处 before 受理.</summary>
    private static string? Overdue(DeadlineOptions deadlines, LedgerCase c, StatusStep step, DateTimeOffset end)
    {
        var age = (end - c.OpenedAt).TotalDays;
        var (accept, mediate, complete) = deadlines.For(step.Category);
        if (age > complete) return "complete";
        if (age > mediate) return "mediate";
        if (step.Status == CaseStatus.Screened && age > accept) return "accept";
        return null;
    }

    public static IReadOnlyList<TrendBucket> Trend(BriefingPeriod period, IEnumerable<LedgerCase> cases, bool weekly)
    {
        var width = weekly ? 7 : 1;
        var buckets = (period.Days + width - 1) / width;
        var counts = Enumerable.Range(0, buckets).Select(_ => new Dictionary<DisputeCategory, int>()).ToArray();
        foreach (var c in cases)
        {
            if (!period.Contains(c.OpenedAt)) continue;
            var b = (period.DayOf(c.OpenedAt).DayNumber - period.From.DayNumber) / width;
            var category = c.Steps[0].Category;
            counts[b][category] = counts[b].GetValueOrDefault(category) + 1;
        }
        return counts.Select((n, i) => new TrendBucket(period.From.AddDays(i * width), n)).ToArray();
    }

    /// <summary>
    /// The villages' spike signals on each day of the period, as the nightly scan would have raised them from the same
    /// openings (villages only: every village of the city is the reference, as live).
    /// </summary>
    private static IReadOnlyList<SpikeRow> SpikeRows(BriefingInputs inputs, Area area, BriefingPeriod period, DisputeCategory? focus, CancellationToken ct)
    {
        var h = inputs.Hierarchy;
        var villages = h.AtLevel(AreaLevel.Village).Select(v => v.Id).Order(StringComparer.Ordinal).ToArray();
        var inArea = (area.Level == AreaLevel.Village ? [area] : area.Level == AreaLevel.Grid ? [] : h.Descendants(area.Id, AreaLevel.Village))
            .Select(v => v.Id).ToHashSet(StringComparer.Ordinal);
        if (area.Level == AreaLevel.Grid && h.VillageOf(area.Id) is { } gv) inArea.Add(gv.Id);
        if (inArea.Count == 0 || villages.Length == 0) return [];
        var lookBack = inputs.Spikes.HistoryDays - 1;
        var first = period.From.AddDays(-lookBack);
        var counts = new DailyCountMatrix(villages, first, period.Days + lookBack);
        var index = villages.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        foreach (var c in inputs.Ledger.Cases)
        {
            if (h.VillageOf(c.GridId) is not { } v) continue;
            counts.Add(index[v.Id], c.Steps[0].Category, counts.IndexOf(period.DayOf(c.OpenedAt)));
        }
        var detector = new SpikeDetector(inputs.Spikes);
        var rows = new List<SpikeRow>();
        for (var day = period.From; day <= period.To; day = day.AddDays(1))
        {
            ct.ThrowIfCancellationRequested();
            foreach (var f in detector.Scan(counts, day).Findings)
                if (inArea.Contains(f.UnitId) && (focus is null || f.Category is null || f.Category == focus))
                    rows.Add(new SpikeRow(f.UnitId, h[f.UnitId].Name, f.Category, day, day, f.Since, f.Observed, Math.Round(f.Expected, 3), f.Method));
        }
        // A signal raised on consecutive days is one episode: from the day it was first raised, with the largest count seen.
        var episodes = new List<SpikeRow>();
        foreach (var r in rows.OrderBy(r => r.VillageId, StringComparer.Ordinal).ThenBy(r => r.Category is null ? -1 : (int)r.Category).ThenBy(r => r.Method, StringComparer.Ordinal).ThenBy(r => r.Day))
        {
            if (episodes.Count > 0 && episodes[^1] is var last && last.VillageId == r.VillageId && last.Category == r.Category && last.Method == r.Method
                && last.Until.AddDays(1) == r.Day)
                episodes[^1] = last with { Until = r.Day, Observed = Math.Max(last.Observed, r.Observed) };
            else episodes.Add(r);
        }
        return episodes
            .OrderBy(r => r.Day).ThenBy(r => r.VillageId, StringComparer.Ordinal).ThenBy(r => r.Category is null ? -1 : (int)r.Category).ThenBy(r => r.Method, StringComparer.Ordinal)
            .ToArray();
    }
}
