using Warning.Analytics.Disputes;
using Warning.Silo.Cases;
using Warning.Silo.GrainHost;

namespace Warning.Silo.Areas;

/// <summary>What every area grain (grid, village, township, county, city) answers; keyed by the area id.</summary>
public interface IAreaGrain : IGrainWithStringKey
{
    Task ApplyCaseChange(long seq, CaseChange change);

    Task CountIncident(long seq, Incident incident);

    /// <summary>A screening round in a grid below (or at) this area: the grid counts as screened from its time.</summary>
    Task RecordScreening(long seq, ScreeningRound round);

    /// <summary>A case below this area was re-scored when an incident was linked to it.</summary>
    Task ApplyCaseRisk(long seq, CaseRiskChange change);

    /// <summary>The score moves of the cases below this area at one re-score tick, all under the tick's seq.</summary>
    Task ApplyCaseRisks(long seq, IReadOnlyList<CaseRiskChange> changes);

    Task<AreaCounts> GetCounts();

    /// <summary>Cases opened per day and category over [from, to], days with none left out (the spike scan's input).</summary>
    Task<IReadOnlyList<DayOpened>> GetDailyOpened(DateOnly from, DateOnly to);
}

public sealed record DayOpened(DateOnly Day, IReadOnlyDictionary<DisputeCategory, int> Opened);

public interface IGridGrain : IAreaGrain
{
    Task<IReadOnlyList<string>> GetOpenCases();
}

public interface IVillageGrain : IAreaGrain
{
    Task<VillageSpikeState> GetSpikeState();

    /// <summary>Set by the spike scan; read by case scoring (a case's features include its village's spike state).</summary>
    Task SetSpikeState(VillageSpikeState state);
}

/// <summary>Township, county or city.</summary>
public interface IRegionGrain : IAreaGrain;
