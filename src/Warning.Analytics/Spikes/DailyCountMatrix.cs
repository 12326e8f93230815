using Warning.Analytics.Disputes;

namespace Warning.Analytics.Spikes;

/// <summary>
/// New cases per unit (village or grid), per series (each <see cref="DisputeCategory"/>, then the overall count), per
/// day. The sum over all units is the reference the detectors scale baselines by: it carries the season and the
/// weekday, which every unit shares, while one unit's spike moves it by a fraction of a percent.
/// </summary>
public sealed class DailyCountMatrix
{
    public static readonly int Categories = Enum.GetValues<DisputeCategory>().Length;

    /// <summary>Series index of a unit's count over all categories.</summary>
    public static readonly int Overall = Categories;

    public static readonly int SeriesCount = Categories + 1;

    private readonly int[] _counts;
    private int[]? _prefix;
    private long[]? _referencePrefix;

    public DailyCountMatrix(IReadOnlyList<string> units, DateOnly firstDay, int days)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(days);
        Units = units;
        FirstDay = firstDay;
        Days = days;
        _counts = new int[units.Count * SeriesCount * days];
    }

    public IReadOnlyList<string> Units { get; }

    public DateOnly FirstDay { get; }

    public int Days { get; }

    public DateOnly DayAt(int index) => FirstDay.AddDays(index);

    public int IndexOf(DateOnly day) => day.DayNumber - FirstDay.DayNumber;

    public static DisputeCategory? CategoryOf(int series) => series == Overall ? null : (DisputeCategory)series;

    public static int SeriesOf(DisputeCategory? category) => category is { } c ? (int)c : Overall;

    /// <summary>Counts <paramref name="n"/> new cases of <paramref name="category"/>; days outside the matrix are ignored.</summary>
    public void Add(int unit, DisputeCategory category, int day, int n = 1)
    {
        if ((uint)day >= (uint)Days || n == 0) return;
        _counts[(unit * SeriesCount + (int)category) * Days + day] += n;
        _counts[(unit * SeriesCount + Overall) * Days + day] += n;
        _prefix = null;
        _referencePrefix = null;
    }

    public int this[int unit, int series, int day] => _counts[(unit * SeriesCount + series) * Days + day];

    /// <summary>Cases of one unit and series over days [from, to] (inclusive, clipped to the matrix).</summary>
    public int Sum(int unit, int series, int from, int to)
    {
        Seal();
        from = Math.Max(from, 0);
        to = Math.Min(to, Days - 1);
        if (to < from) return 0;
        var row = (unit * SeriesCount + series) * (Days + 1);
        return _prefix![row + to + 1] - _prefix[row + from];
    }

    /// <summary>Cases of one series over all units, days [from, to] (inclusive, clipped).</summary>
    public long ReferenceSum(int series, int from, int to)
    {
        Seal();
        from = Math.Max(from, 0);
        to = Math.Min(to, Days - 1);
        if (to < from) return 0;
        var row = series * (Days + 1);
        return _referencePrefix![row + to + 1] - _referencePrefix[row + from];
    }

    /// <summary>Builds the prefix sums once after filling, so every window sum is O(1) in the scan.</summary>
    public void Seal()
    {
        if (_prefix is not null) return;
        var prefix = new int[Units.Count * SeriesCount * (Days + 1)];
        var reference = new long[SeriesCount * (Days + 1)];
        for (var u = 0; u < Units.Count; u++)
        for (var s = 0; s < SeriesCount; s++)
        {
            var src = (u * SeriesCount + s) * Days;
            var dst = (u * SeriesCount + s) * (Days + 1);
            for (var d = 0; d < Days; d++)
            {
                prefix[dst + d + 1] = prefix[dst + d] + _counts[src + d];
                reference[s * (Days + 1) + d + 1] += _counts[src + d];
            }
        }
        for (var s = 0; s < SeriesCount; s++)
        for (var d = 0; d < Days; d++)
            reference[s * (Days + 1) + d + 1] += reference[s * (Days + 1) + d];
        _referencePrefix = reference;
        _prefix = prefix;
    }
}
