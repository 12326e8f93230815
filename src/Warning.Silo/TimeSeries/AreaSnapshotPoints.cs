using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.TimeSeries;
using Warning.Silo.Areas;

namespace Warning.Silo.TimeSeries;

/// <summary>
/// Points for one area's state at a moment (village level and up): open cases, open cases by category, risk roll-up,
/// screening compliance. The snapshot time is cut to the snapshot interval, so a snapshot taken twice for the same
/// slot overwrites itself instead of adding a point.
/// </summary>
public static class AreaSnapshotPoints
{
    public static IEnumerable<LinePoint> Build(Area area, AreaCounts counts, DateTimeOffset slot, AreaHierarchy hierarchy)
    {
        LinePoint Point(string measurement) => new LinePoint(measurement)
            .AreaTags(hierarchy, area.Id)
            .Tag("level", Area.LevelName(area.Level))
            .Tag("area", area.Id);

        yield return Point(Measurements.AreaCases)
            .Field("open", (long)counts.Open)
            .Field("screened", (long)counts.ByStatus.GetValueOrDefault(CaseStatus.Screened))
            .Field("mediating", (long)counts.ByStatus.GetValueOrDefault(CaseStatus.Mediating))
            .Field("opened_today", (long)counts.Today)
            .Field("resolved_today", (long)counts.ResolvedToday)
            .Field("opened_30d", (long)counts.Last30Days)
            .Field("resolved_30d", (long)counts.Resolved30Days)
            .Field("resolution_rate", counts.ResolutionRate)
            .Field("overdue", (long)counts.Deadlines.OverdueOpen)
            .Timestamp(slot);

        foreach (var category in counts.ByCategory.Where(c => c.Open > 0))
            yield return Point(Measurements.AreaOpenByCategory)
                .Tag("category", DisputeVocabulary.WireName(category.Category))
                .Field("open", (long)category.Open)
                .Timestamp(slot);

        yield return Point(Measurements.AreaRisk)
            .Field("scored_cases", (long)counts.Risk.ScoredOpenCases)
            .Field("high_risk_cases", (long)counts.Risk.HighRiskOpenCases)
            .Field("mean_probability", counts.Risk.MeanProbability)
            .Field("max_probability", counts.Risk.MaxProbability)
            .Timestamp(slot);

        yield return Point(Measurements.Screening)
            .Field("grids", (long)counts.Screening.Grids)
            .Field("compliant", (long)counts.Screening.Compliant)
            .Field("rate", counts.Screening.Rate)
            .Timestamp(slot);
    }

    public static DateTimeOffset Slot(DateTimeOffset now, TimeSpan interval) =>
        new(now.UtcTicks - now.UtcTicks % Math.Max(TimeSpan.TicksPerSecond, interval.Ticks), TimeSpan.Zero);
}
