using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;

namespace Warning.Analytics.TimeSeries;

/// <summary>Measurement names of Warning's time series (grafana/README.md documents their tags and fields).</summary>
public static class Measurements
{
    public const string Reports = "reports";
    public const string GridReports = "grid_reports";
    public const string Incidents = "incidents";
    public const string ServiceRequests = "service_requests";
    public const string Supervision = "supervision";
    public const string AreaCases = "area_cases";
    public const string AreaOpenByCategory = "area_open_by_category";
    public const string AreaRisk = "area_risk";
    public const string Screening = "screening";
    public const string Alerts = "alerts";
    public const string Spikes = "spikes";
}

/// <summary>
/// Points for single events (a report, an incident, an alert transition): one point each, the event's own time as
/// timestamp. Two events of one series must never share a timestamp (InfluxDB would keep only the last), and the
/// same event written twice (a replay after a restart, a spill replayed after a partial success) must land on the
/// same timestamp so InfluxDB keeps one: the time is cut to the millisecond and a tiebreak below a millisecond, a
/// pure function of the event's identity (its ingest sequence number), fills the nanoseconds.
/// </summary>
/// <remarks>
/// Per-minute aggregation would write less, but an aggregate that is rewritten after a restart only sees the events
/// replayed since the last checkpoint and would overwrite a larger count with a smaller one; per-event points are
/// idempotent by construction and the hourly and daily continuous queries keep long ranges small.
/// Tags are area ids and vocabulary words only: never a person, case, report or reporter id.
/// </remarks>
public static class EventPoints
{
    public static long Tiebreak(long sequence) => ((sequence % 1_000_000) + 1_000_000) % 1_000_000;

    /// <summary>The area tags of a grid (county, township, village ids); empty when the grid is not in the hierarchy.</summary>
    public static LinePoint AreaTags(this LinePoint point, AreaHierarchy hierarchy, string areaId)
    {
        if (!hierarchy.TryGet(areaId, out _)) return point;
        foreach (var area in hierarchy.PathToRoot(areaId))
        {
            switch (area.Level)
            {
                case AreaLevel.County: point.Tag("county", area.Id); break;
                case AreaLevel.Township: point.Tag("township", area.Id); break;
                case AreaLevel.Village: point.Tag("village", area.Id); break;
            }
        }
        return point;
    }

    public static IEnumerable<LinePoint> Report(ScreeningReport report, long sequence, AreaHierarchy hierarchy)
    {
        var at = TruncateToMillisecond(report.ReportedAt);
        var tiebreak = Tiebreak(sequence);
        var opened = CaseIds.Opens(report);
        var risky = report.Flags.Any(f => f is CaseFlag.ThreatOfViolence or CaseFlag.WeaponMentioned or CaseFlag.PriorViolence or CaseFlag.SelfHarmRisk);
        yield return new LinePoint(Measurements.Reports)
            .AreaTags(hierarchy, report.GridId)
            .Tag("category", DisputeVocabulary.WireName(report.Category))
            .Tag("status", DisputeVocabulary.WireName(report.Status))
            .Field("count", 1L)
            .Field("opened", opened ? 1L : 0L)
            .Field("people", (long)report.PeopleInvolved)
            .Field("violence_flagged", risky ? 1L : 0L)
            .Field("amount", report.AmountInDispute)
            .Timestamp(at, tiebreak);
        // By grid without category and status: ~8,000 series instead of grids × categories × statuses.
        yield return new LinePoint(Measurements.GridReports)
            .AreaTags(hierarchy, report.GridId)
            .Tag("grid", report.GridId)
            .Field("count", 1L)
            .Timestamp(at, tiebreak);
    }

    public static LinePoint Incident(Incident incident, long sequence, AreaHierarchy hierarchy)
    {
        var at = TruncateToMillisecond(incident.OccurredAt);
        var tiebreak = Tiebreak(sequence);
        switch (incident.Type)
        {
            // Supervision of key individuals is counted per area only: the person is never a tag or a field.
            case IncidentType.CheckIn or IncidentType.CheckInMissed:
                return new LinePoint(Measurements.Supervision)
                    .AreaTags(hierarchy, incident.GridId)
                    .Field(incident.Type == IncidentType.CheckIn ? "check_ins" : "missed", 1L)
                    .Timestamp(at, tiebreak);
            // Petitions and complaints are a lawful channel (DESIGN.md): service requests per area, not incidents.
            case IncidentType.PetitionVisit or IncidentType.Complaint:
                return new LinePoint(Measurements.ServiceRequests)
                    .AreaTags(hierarchy, incident.GridId)
                    .Tag("source", DisputeVocabulary.WireName(incident.Source))
                    .Tag("type", DisputeVocabulary.WireName(incident.Type))
                    .Field("count", 1L)
                    .Timestamp(at, tiebreak);
            default:
                return new LinePoint(Measurements.Incidents)
                    .AreaTags(hierarchy, incident.GridId)
                    .Tag("source", DisputeVocabulary.WireName(incident.Source))
                    .Tag("type", DisputeVocabulary.WireName(incident.Type))
                    .Field("count", 1L)
                    .Field("severity", (long)incident.Severity)
                    .Field("severe", incident.Severity >= 4 ? 1L : 0L)
                    .Timestamp(at, tiebreak);
        }
    }

    /// <summary>One alert transition; the alert id only feeds the tiebreak, it is never written.</summary>
    public static LinePoint Alert(AlertEvent alert, AreaHierarchy hierarchy)
    {
        var point = new LinePoint(Measurements.Alerts)
            .AreaTags(hierarchy, alert.AreaId)
            .Tag("level", hierarchy.TryGet(alert.AreaId, out var area) ? Area.LevelName(area.Level) : null)
            .Tag("event", alert.Kind.ToString().ToLowerInvariant())
            .Tag("rule", alert.Rule)
            .Tag("severity", alert.Severity)
            .Field("count", 1L)
            .Field("escalation_level", (long)alert.EscalationLevel);
        if (alert.SinceRaised is { } since)
        {
            if (alert.Kind == AlertEventKind.Acknowledged) point.Field("ack_seconds", since.TotalSeconds);
            if (alert.Kind == AlertEventKind.Resolved) point.Field("resolve_seconds", since.TotalSeconds);
        }
        var identity = StableHash($"{alert.AlertId}\n{alert.Kind}\n{alert.EscalationLevel}");
        return point.Timestamp(TruncateToMillisecond(alert.At), Tiebreak(identity));
    }

    /// <summary>
    /// One signal of a nightly spike scan, at civil noon of the day scanned (the daily rollup cuts days at civil midnight).
    /// A re-scan of the same day lands on the same points. The grid is only a tag value <c>unit=grid</c>: eight thousand
    /// grid ids as tags would swell the series for little the meetings use.
    /// </summary>
    public static LinePoint Spike(DateOnly day, TimeSpan utcOffset, string villageId, DisputeCategory? category, string method, string? gridId,
        int observed, double expected, AreaHierarchy hierarchy)
    {
        var at = new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), utcOffset);
        var series = category is { } c ? DisputeVocabulary.WireName(c) : "overall";
        return new LinePoint(Measurements.Spikes)
            .AreaTags(hierarchy, villageId)
            .Tag("category", series)
            .Tag("method", method)
            .Tag("unit", gridId is null ? "village" : "grid")
            .Field("count", 1L)
            .Field("observed", (long)observed)
            .Field("expected", Math.Round(expected, 3))
            .Field("excess", Math.Round(observed - expected, 3))
            .Timestamp(TruncateToMillisecond(at), Tiebreak(StableHash($"{villageId}\n{series}\n{method}\n{gridId}")));
    }

    public static DateTimeOffset TruncateToMillisecond(DateTimeOffset moment) =>
        new(moment.UtcTicks - moment.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);

    private static long StableHash(string text)
    {
        // FNV-1a: string.GetHashCode is randomised per process, and the tiebreak must be the same after a restart.
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }
        return (long)(hash >> 1);
    }
}

public enum AlertEventKind { Raised, Acknowledged, Escalated, Resolved }

/// <summary>
/// One step in an alert's life, as the alert store will report it (there is no alert store yet: until it lands the
/// dashboards' alert panels are fed by simulated events in tests).
/// </summary>
/// <param name="Rule">What raised it: <c>spike</c>, <c>case_risk</c>, <c>screening_overdue</c>, <c>deadline</c>…</param>
/// <param name="Severity">The alert's: <c>info</c>, <c>warning</c>, <c>high</c> or <c>critical</c>.</param>
/// <param name="SinceRaised">Time from raising to this step; for acknowledged and resolved it is the time to acknowledge or resolve.</param>
/// <param name="EscalationLevel">0 at the level it was raised; +1 per escalation (township → county → city).</param>
public sealed record AlertEvent(string AlertId, AlertEventKind Kind, DateTimeOffset At, string AreaId, string Rule, string Severity,
    TimeSpan? SinceRaised = null, int EscalationLevel = 0);
