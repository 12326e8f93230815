using Warning.Analytics.Disputes;
using Warning.Silo.Cases;
using Orleans;
using Warning.Silo.Ingest;

namespace Warning.Silo.Areas;

/// <summary>What every area grain (grid, village, township, county, city) answers; keyed by the area id.</summary>
[Alias("IAreaGrain")]
public interface IAreaGrain : ILogAppliedGrain
{
    [Alias("ApplyCaseChange")]
    Task ApplyCaseChange(long seq, CaseChange change);

    [Alias("CountIncident")]
    Task CountIncident(long seq, Incident incident);

    /// <summary>A screening round in a grid below (or at) this area: the grid counts as screened from its time.</summary>
    [Alias("RecordScreening")]
    Task RecordScreening(long seq, ScreeningRound round);

    /// <summary>A case below this area was re-scored when an incident was linked to it.</summary>
    [Alias("ApplyCaseRisk")]
    Task ApplyCaseRisk(long seq, CaseRiskChange change);

    /// <summary>The score moves of the cases below this area at one re-score tick, all under the tick's seq.</summary>
    [Alias("ApplyCaseRisks")]
    Task ApplyCaseRisks(long seq, IReadOnlyList<CaseRiskChange> changes);

    /// <summary>What a segment of the ingest log changed below this area, in log order; each update applied at most once.</summary>
    [Alias("Apply")]
    Task Apply(IReadOnlyList<AreaUpdate> updates);

    [Alias("GetCounts")]
    Task<AreaCounts> GetCounts();

    /// <summary>Cases opened per day and category over [from, to], days with none left out (the spike scan's input).</summary>
    [Alias("GetDailyOpened")]
    Task<IReadOnlyList<DayOpened>> GetDailyOpened(DateOnly from, DateOnly to);
}

/// <summary>One applied log entry as an area sees it: exactly one of the payloads is set.</summary>
[GenerateSerializer, Immutable, Alias("AreaUpdate")]
public sealed record AreaUpdate(long Seq)
{
    [Id(1)] public CaseChange? Change { get; init; }
    [Id(2)] public Incident? Incident { get; init; }
    [Id(3)] public CaseRiskChange? Risk { get; init; }
    [Id(4)] public ScreeningRound? Screening { get; init; }
}

[GenerateSerializer, Immutable, Alias("DayOpened")]
public sealed record DayOpened(DateOnly Day, IReadOnlyDictionary<DisputeCategory, int> Opened);

[Alias("IGridGrain")]
public interface IGridGrain : IAreaGrain
{
    /// <summary>The screening-cadence rule as of a re-score tick: raises screening_overdue for a grid that stopped screening.</summary>
    [Alias("CheckScreening")]
    Task CheckScreening(DateTimeOffset asOf);

    [Alias("GetOpenCases")]
    Task<IReadOnlyList<string>> GetOpenCases();
}

[Alias("IVillageGrain")]
public interface IVillageGrain : IAreaGrain
{
    [Alias("GetSpikeState")]
    Task<VillageSpikeState> GetSpikeState();

    /// <summary>Set by the spike scan; read by case scoring (a case's features include its village's spike state).</summary>
    [Alias("SetSpikeState")]
    Task SetSpikeState(VillageSpikeState state);
}

/// <summary>Township, county or city.</summary>
[Alias("IRegionGrain")]
public interface IRegionGrain : IAreaGrain;
