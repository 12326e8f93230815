using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;

namespace Warning.Analytics.Spikes;

/// <summary>A case opening as the spike scan counts it: on its civil day, in its grid (or straight in a village).</summary>
public readonly record struct Opening(DateOnly Day, string GridId, DisputeCategory Category);

/// <summary>
/// What the live spike scan would have said each day over a stretch of history: every day scanned as the nightly job does
/// (villages, and grids credited to their village, against the last <see cref="SpikeOptions.HistoryDays"/> days), so a
/// model trained on history sees the village spike state it will be served live. Days are scanned in chunks over
/// matrices of the chunk plus its look-back, which keeps a city's eight thousand grids to tens of megabytes.
/// </summary>
public sealed class SpikeHistory
{
    private readonly Dictionary<DateOnly, Dictionary<string, List<DisputeCategory?>>> _byDay;

    private SpikeHistory(Dictionary<DateOnly, Dictionary<string, List<DisputeCategory?>>> byDay, int scans, int signals)
    {
        _byDay = byDay;
        DaysScanned = scans;
        Signals = signals;
    }

    public int DaysScanned { get; }

    public int Signals { get; }

    /// <summary>
    /// Whether the scan of <paramref name="scanDay"/> left <paramref name="villageId"/> spiking for a case of
    /// <paramref name="category"/> (its category or overall; see VillageSpikeState.IsSpikingFor in the silo).
    /// </summary>
    public bool IsSpikingFor(string villageId, DisputeCategory category, DateOnly scanDay) =>
        _byDay.TryGetValue(scanDay, out var villages) && villages.TryGetValue(villageId, out var categories)
        && categories.Exists(c => c is null || c == category);

    public static SpikeHistory Scan(AreaHierarchy city, IEnumerable<Opening> openings, DateOnly first, DateOnly last, SpikeOptions options,
        int chunkDays = 60, CancellationToken ct = default)
    {
        var villages = city.AtLevel(AreaLevel.Village).Select(v => v.Id).Order(StringComparer.Ordinal).ToArray();
        var grids = options.ScanGrids ? city.AtLevel(AreaLevel.Grid).Select(g => g.Id).Order(StringComparer.Ordinal).ToArray() : [];
        var villageIndex = villages.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        var gridIndex = grids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        var lookBack = options.HistoryDays - 1;

        // Compact: (day number, village, grid or -1, category) per opening in range, sorted by day.
        var counted = new List<(int Day, int Village, int Grid, DisputeCategory Category)>();
        foreach (var o in openings)
        {
            if (o.Day.DayNumber < first.DayNumber - lookBack || o.Day > last) continue;
            if (city.VillageOf(o.GridId) is not { } village || !villageIndex.TryGetValue(village.Id, out var v)) continue;
            counted.Add((o.Day.DayNumber, v, gridIndex.GetValueOrDefault(o.GridId, -1), o.Category));
        }
        counted.Sort((a, b) => a.Day.CompareTo(b.Day));

        var villageDetector = new SpikeDetector(options);
        var gridDetector = new SpikeDetector(options.ForGrids());
        var byDay = new Dictionary<DateOnly, Dictionary<string, List<DisputeCategory?>>>();
        int scans = 0, signals = 0;
        for (var chunkStart = first; chunkStart <= last; chunkStart = chunkStart.AddDays(chunkDays))
        {
            ct.ThrowIfCancellationRequested();
            var chunkEnd = chunkStart.AddDays(chunkDays - 1) > last ? last : chunkStart.AddDays(chunkDays - 1);
            var matrixFirst = chunkStart.AddDays(-lookBack);
            var days = chunkEnd.DayNumber - matrixFirst.DayNumber + 1;
            var villageCounts = new DailyCountMatrix(villages, matrixFirst, days);
            var gridCounts = grids.Length > 0 ? new DailyCountMatrix(grids, matrixFirst, days) : null;
            var lo = LowerBound(counted, matrixFirst.DayNumber);
            for (var i = lo; i < counted.Count && counted[i].Day <= chunkEnd.DayNumber; i++)
            {
                var (day, v, g, category) = counted[i];
                villageCounts.Add(v, category, day - matrixFirst.DayNumber);
                if (gridCounts is not null && g >= 0) gridCounts.Add(g, category, day - matrixFirst.DayNumber);
            }

            for (var day = chunkStart; day <= chunkEnd; day = day.AddDays(1))
            {
                var found = villageDetector.Scan(villageCounts, day).Findings.Select(f => (Village: f.UnitId, f.Category));
                if (gridCounts is not null)
                    found = found.Concat(gridDetector.Scan(gridCounts, day).Findings.Select(f => (Village: city[f.UnitId].ParentId ?? f.UnitId, f.Category)));
                Dictionary<string, List<DisputeCategory?>>? today = null;
                foreach (var (village, category) in found)
                {
                    today ??= byDay[day] = new Dictionary<string, List<DisputeCategory?>>(StringComparer.Ordinal);
                    if (!today.TryGetValue(village, out var list)) today[village] = list = [];
                    list.Add(category);
                    signals++;
                }
                scans++;
            }
        }
        return new SpikeHistory(byDay, scans, signals);
    }

    private static int LowerBound(List<(int Day, int Village, int Grid, DisputeCategory Category)> counted, int day)
    {
        int lo = 0, hi = counted.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (counted[mid].Day < day) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}
