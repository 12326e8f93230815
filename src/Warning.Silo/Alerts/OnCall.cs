using Warning.Analytics.Hierarchy;

namespace Warning.Silo.Alerts;

/// <summary>Who is on duty for an area: shifts by civil time of day, and overrides (a swap, leave) that win over them.</summary>
public sealed class OnCallSchedule
{
    public string RegionId { get; set; } = "";

    /// <summary>The desk on duty, e.g. "乡镇综治中心值班室": who an escalation to this area reaches.</summary>
    public string Desk { get; set; } = "";

    public List<OnCallShift> Shifts { get; set; } = new();

    public List<OnCallOverride> Overrides { get; set; } = new();
}

/// <param name="Start">Civil time of day the shift starts; a shift whose end is before its start runs past midnight, one whose end is its start runs all day.</param>
public sealed class OnCallShift
{
    public TimeOnly Start { get; set; }
    public TimeOnly End { get; set; }
    public string Who { get; set; } = "";
}

public sealed class OnCallOverride
{
    public DateTimeOffset From { get; set; }
    public DateTimeOffset To { get; set; }
    public string Who { get; set; } = "";
}

/// <summary>One level of an area's escalation chain at a moment: the area, its desk and who is on duty there.</summary>
public sealed record OnCallLevel(int Level, string RegionId, string RegionName, string AreaLevel, string? Desk, string? OnDuty, string Source);

public static class OnCall
{
    /// <summary>The levels escalation climbs from an area: its township, then its county, then its city (level 0, 1, 2).</summary>
    public static IReadOnlyList<Area> Chain(AreaHierarchy hierarchy, string regionId) =>
        hierarchy.PathToRoot(regionId).Where(a => a.Level <= AreaLevel.Township).ToArray();

    public static IReadOnlyList<OnCallLevel> At(AreaHierarchy hierarchy, IReadOnlyList<OnCallSchedule> schedules, string regionId, DateTimeOffset at, TimeSpan utcOffset)
    {
        var civil = TimeOnly.FromTimeSpan(at.ToOffset(utcOffset).TimeOfDay);
        return Chain(hierarchy, regionId).Select((area, level) =>
        {
            var schedule = schedules.FirstOrDefault(s => s.RegionId == area.Id);
            var levelName = Area.LevelName(area.Level);
            if (schedule is null) return new OnCallLevel(level, area.Id, area.Name, levelName, null, null, "none");
            if (schedule.Overrides.FirstOrDefault(o => o.From <= at && at < o.To) is { } o)
                return new OnCallLevel(level, area.Id, area.Name, levelName, schedule.Desk, o.Who, "override");
            var shift = schedule.Shifts.FirstOrDefault(s => s.Start == s.End || (s.Start < s.End ? civil >= s.Start && civil < s.End : civil >= s.Start || civil < s.End));
            return new OnCallLevel(level, area.Id, area.Name, levelName, schedule.Desk, shift?.Who, shift is null ? "none" : "shift");
        }).ToArray();
    }
}
