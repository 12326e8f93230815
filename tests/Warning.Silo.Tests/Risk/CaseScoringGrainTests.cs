using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Risk;
using Warning.Analytics.Simulation;
using Warning.Silo.Areas;
using Warning.Silo.Cases;
using Warning.Silo.Tests.Support;
using Warning.Silo.Persons;
using Warning.Silo.Risk;
using Warning.Silo.Time;

namespace Warning.Silo.Tests.Risk;

/// <summary>The real case, person and area grains with the points score, driven the way the ingest applier drives them, on a two-silo cluster.</summary>
public sealed class CaseScoringGrainTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Opened = new(2025, 6, 2, 9, 0, 0, TimeSpan.FromHours(8));
    private readonly AreaHierarchy _city = WarningTestCluster.City;
    private readonly string _grid = WarningTestCluster.City.AtLevel(AreaLevel.Grid).First().Id;
    private WarningTestCluster _cluster = null!;

    private IGrainFactory _grains => _cluster.Grains;

    public async Task InitializeAsync() => _cluster = await WarningTestCluster.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private ScreeningReport Report(string id, double hours, CaseStatus status, params string[] persons) =>
        new(id, _grid, Opened.AddHours(hours), "w-1", "case-1", DisputeCategory.Neighbor, status, 2, 4, null, 0, [CaseFlag.ThreatOfViolence], persons, null);

    private Incident Threat(string id, double hours) =>
        new(id, IncidentSource.Police110, IncidentType.Threat, Opened.AddHours(hours), _grid, "case-1", [], 3, null);

    private async Task ApplyReport(long seq, ScreeningReport report)
    {
        var change = await _grains.GetGrain<ICaseGrain>("case-1").ApplyReport(seq, report);
        await Task.WhenAll(_city.PathToRoot(_grid).Select(a => _grains.For(a).ApplyCaseChange(seq, change!)));
    }

    private async Task LinkIncident(long seq, Incident incident)
    {
        var risk = await _grains.GetGrain<ICaseGrain>("case-1").LinkIncident(seq, incident);
        await Task.WhenAll(_city.PathToRoot(_grid).Select(a => _grains.For(a).CountIncident(seq, incident)));
        if (risk is not null) await Task.WhenAll(_city.PathToRoot(risk.GridId).Select(a => _grains.For(a).ApplyCaseRisk(seq, risk)));
    }

    private async Task<AreaRisk> RiskOf(string areaId) => (await _grains.For(_city[areaId]).GetCounts()).Risk;

    [Fact]
    public async Task Scores_move_in_the_turn_and_replays_never_count_twice()
    {
        var person = new KeyIndividual("p-1", _grid, SupervisionBasis.DocumentedThreat, "ref", Opened.AddDays(-30), Opened.AddDays(300));
        await _grains.GetGrain<IPersonGrain>("p-1").Register(1, person);
        await ApplyReport(2, Report("r-1", 0, CaseStatus.Screened, "p-1"));
        var first = (await _grains.GetGrain<ICaseGrain>("case-1").GetView())!.Score!;
        Assert.Equal("points", first.Model);
        // threat 3 + documented-threat key individual 2 + neighbour 1 = 6 points.
        Assert.Equal(Math.Round(0.6 / (1 + Math.Exp(3.6 - 0.45 * 6)), 4), first.Probability);
        Assert.Contains(first.Contributions, c => c.Zh == "有书面暴力威胁记录者参与 +2分");

        await LinkIncident(3, Threat("i-1", 1));
        var second = (await _grains.GetGrain<ICaseGrain>("case-1").GetView())!.Score!;
        Assert.Equal(Math.Round(0.6 / (1 + Math.Exp(3.6 - 0.45 * 8)), 4), second.Probability);

        // A replay of both entries (as after a crash) changes nothing anywhere.
        await ApplyReport(2, Report("r-1", 0, CaseStatus.Screened, "p-1"));
        await LinkIncident(3, Threat("i-1", 1));
        foreach (var area in _city.PathToRoot(_grid))
        {
            var risk = await RiskOf(area.Id);
            Assert.Equal(1, risk.ScoredOpenCases);
            Assert.Equal(second.Probability, risk.MaxProbability!.Value, 4);
            Assert.Equal(second.Probability, risk.MeanProbability!.Value, 4);
            Assert.Equal(second.Level >= RiskLevel.High ? 1 : 0, risk.HighRiskOpenCases);
        }

        // Resolution takes the case out of every roll-up, maximum included.
        await ApplyReport(4, Report("r-2", 5, CaseStatus.Resolved));
        foreach (var area in _city.PathToRoot(_grid)) Assert.Equal(AreaRisk.None, await RiskOf(area.Id));
    }

    [Fact]
    public async Task An_expired_basis_counts_for_nothing_even_in_a_spiking_village()
    {
        var expired = new KeyIndividual("p-2", _grid, SupervisionBasis.DocumentedThreat, "ref", Opened.AddDays(-400), Opened.AddDays(-1));
        await _grains.GetGrain<IPersonGrain>("p-2").Register(1, expired);
        var village = _city[_grid].ParentId!;
        await _grains.GetGrain<IVillageGrain>(village).SetSpikeState(new VillageSpikeState(DateOnly.FromDateTime(Opened.DateTime),
            [new SpikeSignal(null, DateOnly.FromDateTime(Opened.DateTime), 9, 2.1, "ears_c2")]));
        await ApplyReport(2, Report("r-1", 0, CaseStatus.Screened, "p-2"));
        var score = (await _grains.GetGrain<ICaseGrain>("case-1").GetView())!.Score!;
        // The expired basis gives no points: threat 3 + neighbour 1.
        Assert.Equal(Math.Round(0.6 / (1 + Math.Exp(3.6 - 0.45 * 4)), 4), score.Probability);
        Assert.DoesNotContain(score.Contributions, c => c.Feature.StartsWith("key_individual", StringComparison.Ordinal));
    }

    [Fact]
    public void A_village_spikes_for_a_case_in_its_surging_category_or_overall_only()
    {
        var day = DateOnly.FromDateTime(Opened.DateTime);
        var wages = new VillageSpikeState(day, [new SpikeSignal(DisputeCategory.LaborWage, day, 7, 0.4, "poisson_c3")]);
        Assert.True(wages.IsSpikingFor(DisputeCategory.LaborWage));
        Assert.False(wages.IsSpikingFor(DisputeCategory.MarriageFamily));
        var overall = wages with { Active = [.. wages.Active, new SpikeSignal(null, day, 12, 3.0, "poisson_c2")] };
        Assert.True(overall.IsSpikingFor(DisputeCategory.MarriageFamily));
        Assert.False(VillageSpikeState.Quiet.IsSpikingFor(DisputeCategory.LaborWage));
    }

}
