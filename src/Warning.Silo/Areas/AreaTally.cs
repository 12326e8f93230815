using Orleans;
using Warning.Analytics.Disputes;
using Warning.Silo.Cases;

namespace Warning.Silo.Areas;

/// <summary>
/// The counts one area (grid, village, township, county, city) keeps of the cases under it. Grid, village and
/// region grains all hold one, so the roll-up rules live in one place.
/// </summary>
[GenerateSerializer, Alias("AreaTally")]
public sealed class AreaTally
{
    /// <summary>Daily counts older than this are dropped; trends beyond it are InfluxDB's job.</summary>
    public const int DaysKept = 400;

    [Id(0)]
    public Dictionary<DisputeCategory, int> OpenByCategory { get; set; } = new();
    [Id(1)]
    public Dictionary<CaseStatus, int> ByStatus { get; set; } = new();
    [Id(2)]
    public SortedDictionary<DateOnly, DayTally> Days { get; set; } = new();
    [Id(3)]
    public Dictionary<string, DateTimeOffset> GridLastScreened { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Unsettled cases (open, or failed and not handed on) by category and the day they opened: enough to count the ones past their deadlines at any moment.</summary>
    [Id(4)]
    public Dictionary<DisputeCategory, SortedDictionary<DateOnly, int>> OpenByOpeningDay { get; set; } = new();
    [Id(5)]
    public long LastSeq { get; set; }

    /// <summary>As <see cref="LastSeq"/> for the cluster's other partitions (<see cref="Ingest.LogPosition"/>); null in embedded mode.</summary>
    [Id(7)]
    public Dictionary<int, long>? PartitionSeqs { get; set; }

    /// <summary>Escalation risk of the open cases below this area (fed by <see cref="CaseChange.Risk"/> and incident re-scores).</summary>
    [Id(6)]
    public AreaRiskTally Risk { get; set; } = new();

    public int OpenCases => OpenByCategory.Values.Sum();

    public void Apply(CaseChange change, Func<DateTimeOffset, DateOnly> dayOf)
    {
        var day = dayOf(change.At);
        if (change.PreviousStatus is { } previous)
        {
            Add(ByStatus, previous, -1);
            if (previous.IsOpen()) Add(OpenByCategory, change.PreviousCategory!.Value, -1);
            if (previous.IsUnsettled() && change.PreviousOpenedAt is { } was) AddOpening(change.PreviousCategory!.Value, dayOf(was), -1);
        }
        Add(ByStatus, change.Status, +1);
        if (change.Status.IsOpen()) Add(OpenByCategory, change.Category, +1);
        if (change.Status.IsUnsettled() && change.OpenedAt is { } opened) AddOpening(change.Category, dayOf(opened), +1);

        var tally = DayOf(day);
        tally.Reports++;
        if (change.Opened) Add(tally.Opened, change.Category, +1);
        if (change.PreviousStatus != change.Status)
        {
            switch (change.Status)
            {
                case CaseStatus.Resolved: Add(tally.Resolved, change.Category, +1); break;
                case CaseStatus.Failed: tally.Failed++; break;
                case CaseStatus.Referred: tally.Referred++; break;
            }
        }

        // A report is screening too: the worker who filed it was in the grid, round or no round recorded.
        MarkScreened(change.GridId, change.At);
        if (change.Risk is { } risk) Risk.Apply(risk);
    }

    /// <summary>Only ever moves a grid's last screening forward: a round uploaded late must not undo a later one.</summary>
    public void MarkScreened(string gridId, DateTimeOffset at)
    {
        if (!GridLastScreened.TryGetValue(gridId, out var last) || at > last) GridLastScreened[gridId] = at;
    }

    public void CountIncident(IncidentType type, DateOnly day) => Add(DayOf(day).Incidents, type, +1);

    /// <param name="completionDays">The completion deadline (办结时限) per category, in days from opening; null leaves deadlines out.</param>
    public AreaCounts Summarise(DateOnly today, DateTimeOffset now, int gridsInArea, TimeSpan screeningCadence,
        Func<DisputeCategory, double>? completionDays = null)
    {
        var from30 = today.AddDays(-29);
        var opened30 = new Dictionary<DisputeCategory, int>();
        var openedToday = new Dictionary<DisputeCategory, int>();
        int resolved30 = 0, failed30 = 0, referred30 = 0, resolvedToday = 0, reportsToday = 0;
        foreach (var (day, tally) in Days.Reverse())
        {
            if (day < from30) break;
            if (day > today) continue;
            foreach (var (c, n) in tally.Opened) Add(opened30, c, n);
            resolved30 += tally.Resolved.Values.Sum();
            failed30 += tally.Failed;
            referred30 += tally.Referred;
            if (day == today)
            {
                foreach (var (c, n) in tally.Opened) Add(openedToday, c, n);
                resolvedToday = tally.Resolved.Values.Sum();
                reportsToday = tally.Reports;
            }
        }

        var byCategory = Enum.GetValues<DisputeCategory>()
            .Select(c => new CategoryCounts(c, OpenByCategory.GetValueOrDefault(c), openedToday.GetValueOrDefault(c), opened30.GetValueOrDefault(c)))
            .Where(c => c.Open + c.Today + c.Last30Days > 0)
            .ToArray();
        var closed30 = resolved30 + failed30 + referred30;
        var compliant = GridLastScreened.Values.Count(t => now - t <= screeningCadence);

        return new AreaCounts(
            Open: OpenCases,
            Today: openedToday.Values.Sum(),
            Last30Days: opened30.Values.Sum(),
            ReportsToday: reportsToday,
            ResolvedToday: resolvedToday,
            Resolved30Days: resolved30,
            ByCategory: byCategory,
            ByStatus: Enum.GetValues<CaseStatus>().ToDictionary(s => s, s => ByStatus.GetValueOrDefault(s)),
            ResolutionRate: closed30 == 0 ? null : Math.Round((double)resolved30 / closed30, 4),
            Screening: new ScreeningCompliance(gridsInArea, compliant, gridsInArea == 0 ? null : Math.Round((double)compliant / gridsInArea, 4), screeningCadence))
        {
            Risk = Risk.Summarise(),
            Deadlines = completionDays is null ? AreaDeadlines.None : Overdue(today, completionDays),
        };
    }

    private AreaDeadlines Overdue(DateOnly today, Func<DisputeCategory, double> completionDays)
    {
        var byCategory = new Dictionary<DisputeCategory, int>();
        foreach (var (category, days) in OpenByOpeningDay)
        {
            var limit = completionDays(category);
            var overdue = days.Where(d => today.DayNumber - d.Key.DayNumber > limit).Sum(d => d.Value);
            if (overdue > 0) byCategory[category] = overdue;
        }
        return new AreaDeadlines(byCategory.Values.Sum(), byCategory);
    }

    private void AddOpening(DisputeCategory category, DateOnly day, int delta)
    {
        if (!OpenByOpeningDay.TryGetValue(category, out var days)) OpenByOpeningDay[category] = days = new();
        var n = days.GetValueOrDefault(day) + delta;
        // A change recorded before openings were tracked closes a case never counted here: never go below zero.
        if (n > 0) days[day] = n;
        else days.Remove(day);
    }

    private DayTally DayOf(DateOnly day)
    {
        if (!Days.TryGetValue(day, out var tally))
        {
            Days[day] = tally = new DayTally();
            while (Days.Count > DaysKept) Days.Remove(Days.Keys.First());
        }
        return tally;
    }

    private static void Add<TKey>(Dictionary<TKey, int> counts, TKey key, int delta) where TKey : notnull =>
        counts[key] = counts.GetValueOrDefault(key) + delta;
}

/// <summary>
/// The roll-up of open cases' scores: count, exact sum and high-or-critical count in basis points, and a histogram by
/// basis point for the maximum. The histogram is bounded (at most 10,001 keys, in practice a few hundred) and stays
/// correct when the top case closes or drops, which a single running maximum could not.
/// </summary>
[GenerateSerializer, Alias("AreaRiskTally")]
public sealed class AreaRiskTally
{
    [Id(0)] public int Scored { get; set; }
    [Id(1)] public long SumBasisPoints { get; set; }
    [Id(2)] public int High { get; set; }
    [Id(3)] public Dictionary<int, int> Histogram { get; set; } = new();

    public void Apply(CaseRiskChange change)
    {
        if (change.WasOpen && change.PreviousBasisPoints is { } before) Move(before, change.PreviousHigh, -1);
        if (change.IsOpen && change.BasisPoints is { } after) Move(after, change.High, +1);
    }

    private void Move(int basisPoints, bool high, int delta)
    {
        Scored += delta;
        SumBasisPoints += delta * (long)basisPoints;
        if (high) High += delta;
        var n = Histogram.GetValueOrDefault(basisPoints) + delta;
        if (n <= 0) Histogram.Remove(basisPoints);
        else Histogram[basisPoints] = n;
    }

    public AreaRisk Summarise() => Scored <= 0
        ? AreaRisk.None
        : new AreaRisk(Scored, Math.Round(SumBasisPoints / 10_000.0 / Scored, 4), Histogram.Count == 0 ? null : Histogram.Keys.Max() / 10_000.0, High);
}

[GenerateSerializer, Alias("DayTally")]
public sealed class DayTally
{
    [Id(0)] public int Reports { get; set; }
    [Id(1)] public Dictionary<DisputeCategory, int> Opened { get; set; } = new();
    [Id(2)] public Dictionary<DisputeCategory, int> Resolved { get; set; } = new();
    [Id(3)] public int Failed { get; set; }
    [Id(4)] public int Referred { get; set; }
    [Id(5)] public Dictionary<IncidentType, int> Incidents { get; set; } = new();
}

/// <param name="Today">Cases screened (opened) today.</param>
/// <param name="ResolutionRate">Resolved ÷ (resolved + failed + referred) over the last 30 days; null before anything closed.</param>
[GenerateSerializer, Immutable, Alias("AreaCounts")]
public sealed record AreaCounts(
    int Open, int Today, int Last30Days, int ReportsToday, int ResolvedToday, int Resolved30Days,
    IReadOnlyList<CategoryCounts> ByCategory, IReadOnlyDictionary<CaseStatus, int> ByStatus, double? ResolutionRate,
    ScreeningCompliance Screening)
{
    /// <summary>The roll-up of its open cases' escalation risk (DESIGN.md: area risk is a roll-up, not a separate guess).</summary>
    [Id(10)]
    public AreaRisk Risk { get; init; } = AreaRisk.None;

    [Id(11)]
    public AreaDeadlines Deadlines { get; init; } = AreaDeadlines.None;
}

/// <summary>Unsettled cases (open, or failed and not handed on) past their completion deadline (办结时限, per category in configuration), as a meeting reviews them.</summary>
[GenerateSerializer, Immutable, Alias("AreaDeadlines")]
public sealed record AreaDeadlines(int OverdueOpen, IReadOnlyDictionary<DisputeCategory, int> OverdueByCategory)
{
    public static AreaDeadlines None { get; } = new(0, new Dictionary<DisputeCategory, int>());
}

/// <param name="ScoredOpenCases">Open cases that carry a score.</param>
/// <param name="MeanProbability">Mean 30-day harm probability over them; null when none is scored.</param>
/// <param name="HighRiskOpenCases">Open cases at level high or critical.</param>
[GenerateSerializer, Immutable, Alias("AreaRisk")]
public sealed record AreaRisk(int ScoredOpenCases, double? MeanProbability, double? MaxProbability, int HighRiskOpenCases)
{
    public static AreaRisk None { get; } = new(0, null, null, 0);
}

[GenerateSerializer, Immutable, Alias("CategoryCounts")]
public sealed record CategoryCounts(DisputeCategory Category, int Open, int Today, int Last30Days);

/// <summary>Grids whose last screening round or report is within the cadence (DESIGN.md: community level screens daily).</summary>
[GenerateSerializer, Immutable, Alias("ScreeningCompliance")]
public sealed record ScreeningCompliance(int Grids, int Compliant, double? Rate, TimeSpan Cadence);
