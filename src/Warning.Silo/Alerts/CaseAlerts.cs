using Microsoft.Extensions.Logging;
using Orleans;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Risk;

namespace Warning.Silo.Alerts;

/// <summary>The rules a case evaluates in the turn that changed it: risk entering High/Critical or climbing, and harm linked to an open case.</summary>
public static class CaseAlerts
{
    public static readonly IncidentType[] Harm = [IncidentType.Violence, IncidentType.Injury, IncidentType.SelfHarm, IncidentType.CriminalCase];

    /// <summary>After a re-score: raise when the case enters High or Critical or moves up a level; clear when it drops below High or closes.</summary>
    public static Task AfterScoreAsync(IGrainFactory grains, AreaHierarchy hierarchy, ILogger logger, string caseId, string gridId,
        DisputeCategory category, RiskScore? previous, RiskScore? current, bool open, DateTimeOffset at, long? position = null)
    {
        var wasHigh = previous?.Level >= RiskLevel.High;
        if (open && current is { Level: >= RiskLevel.High } now && (previous is null || previous.Level < now.Level))
        {
            var critical = now.Level == RiskLevel.Critical;
            var level = critical ? ("极高", "critical") : ("高", "high");
            var reasons = string.Join("；", now.Contributions.Take(3).Select(c => c.Zh));
            var reasonsEn = string.Join("; ", now.Contributions.Take(3).Select(c => c.En));
            return grains.RaiseAsync(new AlertSignal(AlertRules.CaseHigh, new AlertSubject("case", caseId), AreaOf(hierarchy, gridId),
                critical ? AlertSeverity.Critical : AlertSeverity.High, at,
                new AlertText($"案件风险升至{level.Item1}：{PlaceOf(hierarchy, gridId)}", $"Case risk rose to {level.Item2}: {PlaceOf(hierarchy, gridId)}"),
                new AlertText($"案件 {caseId}（{DisputeVocabulary.WireName(category)}）激化概率 {now.Probability:P0}。{reasons}",
                    $"Case {caseId} ({DisputeVocabulary.WireName(category)}) escalation probability {now.Probability:P0}. {reasonsEn}"),
                DisputeVocabulary.WireName(category), position), logger);
        }
        if (!open) return ClearClosedAsync(grains, logger, caseId, wasHigh);
        if (wasHigh && (current is null || current.Level < RiskLevel.High))
            return grains.ClearAsync(AlertRules.CaseHigh, caseId, logger);
        return Task.CompletedTask;
    }

    /// <summary>A case that closed (resolved, failed, referred) clears its alerts; they resolve after the keep-firing window.</summary>
    private static async Task ClearClosedAsync(IGrainFactory grains, ILogger logger, string caseId, bool wasHigh)
    {
        if (wasHigh) await grains.ClearAsync(AlertRules.CaseHigh, caseId, logger);
        await grains.ClearAsync(AlertRules.HarmIncident, caseId, logger);
    }

    /// <summary>A harm incident (violence, injury, self-harm, a criminal case) linked to an open case.</summary>
    public static Task AfterIncidentAsync(IGrainFactory grains, AreaHierarchy hierarchy, ILogger logger, string caseId, string gridId,
        DisputeCategory category, bool open, Incident incident, long? position = null)
    {
        if (!open || !Harm.Contains(incident.Type)) return Task.CompletedTask;
        var type = DisputeVocabulary.WireName(incident.Type);
        return grains.RaiseAsync(new AlertSignal(AlertRules.HarmIncident, new AlertSubject("case", caseId), AreaOf(hierarchy, gridId),
            incident.Type is IncidentType.Injury && incident.Severity < 4 ? AlertSeverity.High : AlertSeverity.Critical, incident.OccurredAt,
            new AlertText($"在办案件发生伤害事件（{ZhHarm(incident.Type)}）：{PlaceOf(hierarchy, gridId)}", $"Harm incident ({type}) on an open case: {PlaceOf(hierarchy, gridId)}"),
            new AlertText($"案件 {caseId} 关联事件 {incident.IncidentId}（{DisputeVocabulary.WireName(incident.Source)}，严重程度 {incident.Severity}）",
                $"Case {caseId} linked incident {incident.IncidentId} ({DisputeVocabulary.WireName(incident.Source)}, severity {incident.Severity})"),
            DisputeVocabulary.WireName(category), position), logger);
    }

    /// <summary>0 in time; 1 past acceptance (still only screened); 2 past mediation; 3 past completion. Closed cases are never overdue.</summary>
    public static int OverdueStage(CaseStatus status, TimeSpan open, double acceptDays, double mediateDays, double completeDays) =>
        !status.IsOpen() ? 0
        : open.TotalDays > completeDays ? 3
        : open.TotalDays > mediateDays ? 2
        : status == CaseStatus.Screened && open.TotalDays > acceptDays ? 1
        : 0;

    /// <summary>
    /// The moment the case next becomes overdue at a stage above <paramref name="alerted"/> (<see cref="OverdueStage"/>),
    /// if it stays as it is; null when closed or past all three.
    /// </summary>
    public static DateTimeOffset? NextDeadline(CaseStatus status, DateTimeOffset openedAt, int alerted, double acceptDays, double mediateDays, double completeDays)
    {
        if (!status.IsOpen()) return null;
        // Strictly past, as OverdueStage counts it: the first tick after the moment itself.
        DateTimeOffset At(double days) => openedAt.AddDays(days).AddTicks(1);
        if (alerted < 1 && status == CaseStatus.Screened) return At(Math.Min(acceptDays, mediateDays));
        if (alerted < 2) return At(Math.Min(mediateDays, completeDays));
        if (alerted < 3) return At(completeDays);
        return null;
    }

    public static Task OverdueAsync(IGrainFactory grains, AreaHierarchy hierarchy, ILogger logger, string caseId, string gridId, DisputeCategory category, int stage, DateTimeOffset at)
    {
        var (zh, en) = stage switch { 1 => ("受理", "acceptance"), 2 => ("调处", "mediation"), _ => ("办结", "completion") };
        return grains.RaiseAsync(new AlertSignal(AlertRules.CaseOverdue, new AlertSubject("case", caseId), AreaOf(hierarchy, gridId),
            stage == 3 ? AlertSeverity.High : AlertSeverity.Warning, at,
            new AlertText($"案件超过{zh}时限：{PlaceOf(hierarchy, gridId)}", $"Case past its {en} deadline: {PlaceOf(hierarchy, gridId)}"),
            new AlertText($"案件 {caseId}（{DisputeVocabulary.WireName(category)}）已超过{zh}时限", $"Case {caseId} ({DisputeVocabulary.WireName(category)}) is past its {en} deadline"),
            DisputeVocabulary.WireName(category)), logger);
    }

    /// <summary>The area a grid's alerts belong to: its village (alerts group by area and rule), else the grid itself.</summary>
    public static string AreaOf(AreaHierarchy hierarchy, string gridId) => hierarchy.VillageOf(gridId)?.Id ?? gridId;

    public static string PlaceOf(AreaHierarchy hierarchy, string areaId) =>
        hierarchy.TryGet(areaId, out _) ? string.Join(" ", hierarchy.PathToRoot(areaId).Reverse().Skip(1).Select(a => a.Name)) : areaId;

    private static string ZhHarm(IncidentType t) => t switch
    {
        IncidentType.Violence => "暴力",
        IncidentType.Injury => "伤害",
        IncidentType.SelfHarm => "自伤",
        _ => "刑事案件",
    };
}
