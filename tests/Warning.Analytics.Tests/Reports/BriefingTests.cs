using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Reports;
using Warning.Analytics.Risk;
using Warning.Analytics.Simulation;
using Warning.Analytics.Spikes;

namespace Warning.Analytics.Tests.Reports;

/// <summary>The pack's figures on a handful of hand-written cases whose every number is known.</summary>
public sealed class BriefingTests
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);
    private static readonly AreaHierarchy City = CityGenerator.Generate(CityShape.Small, 7);
    private static readonly string Grid = City.AtLevel(AreaLevel.Grid).OrderBy(g => g.Id, StringComparer.Ordinal).First().Id;

    private static DateTimeOffset At(int month, int day, int hour = 10) => new(2026, month, day, hour, 0, 0, China);

    private static ScreeningReport Report(string caseId, DateTimeOffset at, CaseStatus status, DisputeCategory category = DisputeCategory.Land) =>
        new($"r-{caseId}-{at:MMddHH}-{status}", Grid, at, "w-1", caseId, category, status, 2, 2, null, 0, [], [], null);

    [Fact]
    public void Key_numbers_count_status_changes_in_the_period_and_states_at_its_end()
    {
        var records = new object[]
        {
            // Opened in September, resolved in October: new last period, resolved this one.
            Report("a", At(9, 20), CaseStatus.Screened), Report("a", At(10, 3), CaseStatus.Resolved),
            // Opened and failed in October, then resolved in October: two closures, one resolution.
            Report("b", At(10, 2), CaseStatus.Mediating), Report("b", At(10, 5), CaseStatus.Failed), Report("b", At(10, 9), CaseStatus.Resolved),
            // Opened in October, a category change only (no status step), open at the end; past labour's 1-day acceptance.
            Report("c", At(10, 10), CaseStatus.Screened, DisputeCategory.LaborWage), Report("c", At(10, 11), CaseStatus.Screened, DisputeCategory.Debt),
            // Opened on 31 October at 23:30 China time (15:30 UTC): October's, not November's.
            Report("d", new DateTimeOffset(2026, 10, 31, 23, 30, 0, China), CaseStatus.Screened),
            // Reported in November: after the period, so not counted and not open at its end.
            Report("e", At(11, 1, 0), CaseStatus.Screened),
            new Incident("i-1", IncidentSource.Police110, IncidentType.Violence, At(10, 12), Grid, "c", [], 4, null),
            new Incident("i-2", IncidentSource.Petition, IncidentType.PetitionVisit, At(10, 12), Grid, "c", [], 2, null),
            new ScreeningRound("s-1", Grid, At(10, 1), "w-1", 30, ScreeningFindings.None, []),
            new ScreeningRound("s-2", Grid, At(10, 1, 18), "w-1", 30, ScreeningFindings.None, []),
        };
        var inputs = new BriefingInputs(City, CaseLedger.From(records), new DeadlineOptions(), TimeSpan.FromDays(1), new SpikeOptions(), At(11, 20));
        var period = new BriefingPeriod(new DateOnly(2026, 10, 1), new DateOnly(2026, 10, 31), China);
        var pack = Briefing.Compute(inputs, Grid, period);

        var k = pack.Current;
        Assert.Equal(3, k.New); // b, c, d
        Assert.Equal(2, k.Resolved); // a, b
        Assert.Equal(3, k.Closed); // a resolved, b failed, b resolved
        Assert.Equal(0.6667, k.ResolutionRate);
        Assert.Equal(2, k.Open); // c, d
        // c (debt at the end: 3-day acceptance) has been screened 21 days; d opened half an hour before the end.
        Assert.Equal(1, k.OverdueAccept);
        Assert.Equal(1, k.OverdueMediate);
        Assert.Equal(0, k.OverdueComplete);
        Assert.Equal(1, k.HarmIncidents); // the petition is not harm
        // Screened on 1 Oct (twice), 2, 3, 5, 9, 10, 11 and 31 October by rounds and reports: 8 of 31 grid-days.
        Assert.Equal((31, 8), (k.GridDays, k.GridDaysScreened));
        Assert.Equal(1, pack.Previous.New); // a
        Assert.Equal(0, pack.LastYear.New);
        Assert.Equal(3, pack.Trend.Sum(b => b.Total));
        // A case is shown in the category its last report gave it.
        Assert.Equal(DisputeCategory.Debt, pack.CaseRows.Single(r => r.CaseId == "c").Category);
        Assert.Null(pack.HighestRisk.FirstOrDefault()?.CaseId);
    }

    [Fact]
    public void A_change_reads_in_points_for_rates_and_in_counts_with_a_share_otherwise()
    {
        Assert.Equal("+3 (+30%)", new KeyNumberRow("n", "n", 13, 10, 0, false).Change(10).Replace(" %", "%"));
        Assert.Equal("−1.5 pp", new KeyNumberRow("r", "r", 0.6, 0.615, null, true).Change(0.615));
        Assert.Equal("—", new KeyNumberRow("r", "r", 0.6, null, null, true).Change(null));
        var period = new BriefingPeriod(new DateOnly(2026, 7, 1), new DateOnly(2026, 9, 30), China);
        Assert.Equal((new DateOnly(2026, 3, 31), new DateOnly(2026, 6, 30)), (period.Previous.From, period.Previous.To));
        Assert.Equal((new DateOnly(2025, 7, 1), new DateOnly(2025, 9, 30)), (period.LastYear.From, period.LastYear.To));
    }
}
