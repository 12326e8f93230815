using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Placement;
using Orleans.Runtime;
using Warning.Silo.Ingest;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Risk;
using Warning.Silo.Time;
using Warning.Silo.Alerts;
using Warning.Analytics.Disputes;
using Microsoft.Extensions.Logging;

namespace Warning.Silo.Areas;

[GenerateSerializer, Alias("RegionState")]
public sealed class RegionState : AreaState
{
    /// <summary>A county's recent harm and threat incidents by time, for the mass-incident rule (the window's worth only).</summary>
    [Id(0)]
    public List<DateTimeOffset> RecentHarm { get; set; } = new();

    [Id(1)]
    public bool MassRaised { get; set; }
}

/// <summary>A township, county or city: the roll-up the big screen and the meetings read.</summary>
// Activated on the silo that first calls it: in cluster mode the owner of its county's partition, so a county's grains
// live beside the owner that applies them instead of a remote call (and a write) away; one silo alone is unaffected.
[GrainType("region"), PreferLocalPlacement]
public sealed class RegionGrain([PersistentState("state")] IPersistentState<RegionState> state, DirtyGrains dirty,
    AreaHierarchy hierarchy, WarningClock clock, IOptions<ScreeningOptions> screening, IOptions<RiskOptions> risk,
    IOptions<AlertsOptions> alerts, ILogger<RegionGrain> logger)
    : AreaGrain<RegionState>(state, dirty, hierarchy, clock, screening, risk), IRegionGrain
{
    private static readonly IncidentType[] MassTypes = [IncidentType.Violence, IncidentType.Threat, IncidentType.Injury, IncidentType.CriminalCase];

    /// <summary>
    /// The mass-incident rule, a county's: many harm or threat incidents within the window (petitions and complaints never
    /// count). Its alert inhibits the county's villages' derivative alerts, which the mass incident already explains.
    /// </summary>
    protected override async Task OnIncidentsAsync(IReadOnlyList<Incident> incidents)
    {
        if (!Hierarchy.TryGet(Key, out var area) || area.Level != AreaLevel.County) return;
        var harm = incidents.Where(i => MassTypes.Contains(i.Type)).Select(i => i.OccurredAt).ToArray();
        if (harm.Length == 0) return;
        var o = alerts.Value;
        State.RecentHarm.AddRange(harm);
        var latest = State.RecentHarm.Max();
        State.RecentHarm.RemoveAll(t => t < latest - o.MassIncidentWindow);
        MarkChanged();
        var count = State.RecentHarm.Count;
        if (count >= o.MassIncidentThreshold)
        {
            State.MassRaised = true;
            await GrainFactory.RaiseAsync(new AlertSignal(AlertRules.MassIncident, new AlertSubject("county", Key), Key, AlertSeverity.Critical, latest,
                new AlertText($"疑似群体性事件：{area.Name}", $"Possible mass incident: {area.Name}"),
                new AlertText($"{o.MassIncidentWindow} 内发生 {count} 起暴力、威胁或伤害事件", $"{count} violence, threat or injury incidents within {o.MassIncidentWindow}")), logger);
        }
        else if (State.MassRaised)
        {
            State.MassRaised = false;
            await GrainFactory.ClearAsync(AlertRules.MassIncident, Key, logger);
        }
    }
}
