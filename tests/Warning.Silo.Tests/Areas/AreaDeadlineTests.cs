using Warning.Analytics.Disputes;
using Warning.Silo.Areas;
using Warning.Silo.Cases;

namespace Warning.Silo.Tests.Areas;

/// <summary>Unsettled cases past their completion deadline, as an area counts them for the meetings' deadline review.</summary>
public sealed class AreaDeadlineTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 10, 0, 0, TimeSpan.FromHours(8));

    private static DateOnly DayOf(DateTimeOffset t) => DateOnly.FromDateTime(t.ToOffset(TimeSpan.FromHours(8)).DateTime);

    // land: 45 days to complete; labor_wage: 20 (the defaults' shape, written out so the test owns its numbers).
    private static double Completion(DisputeCategory c) => c == DisputeCategory.LaborWage ? 20 : 45;

    private static CaseChange Open(string id, DisputeCategory category, DateTimeOffset at) =>
        new(id, "g1", at, true, null, null, category, CaseStatus.Screened) { OpenedAt = at };

    private static CaseChange Move(string id, DisputeCategory category, CaseStatus from, CaseStatus to, DateTimeOffset at, DateTimeOffset openedAt,
        DateTimeOffset? previousOpenedAt = null) =>
        new(id, "g1", at, false, category, from, category, to) { OpenedAt = openedAt, PreviousOpenedAt = previousOpenedAt ?? openedAt };

    private static AreaDeadlines Overdue(AreaTally tally, DateTimeOffset now) =>
        tally.Summarise(DayOf(now), now, 1, TimeSpan.FromDays(1), Completion).Deadlines;

    [Fact]
    public void Open_cases_become_overdue_by_their_categorys_deadline_and_closing_clears_them()
    {
        var tally = new AreaTally();
        tally.Apply(Open("wage", DisputeCategory.LaborWage, Start), DayOf);
        tally.Apply(Open("land", DisputeCategory.Land, Start), DayOf);
        tally.Apply(Open("land-later", DisputeCategory.Land, Start.AddDays(10)), DayOf);

        Assert.Equal(0, Overdue(tally, Start.AddDays(20)).OverdueOpen);

        var day21 = Overdue(tally, Start.AddDays(21));
        Assert.Equal(1, day21.OverdueOpen);
        Assert.Equal(1, day21.OverdueByCategory[DisputeCategory.LaborWage]);

        var day46 = Overdue(tally, Start.AddDays(46));
        Assert.Equal(2, day46.OverdueOpen);
        Assert.Equal(1, day46.OverdueByCategory[DisputeCategory.Land]);

        // Mediating is still open, a failed mediation is still unsettled; resolving takes the wage case out.
        tally.Apply(Move("wage", DisputeCategory.LaborWage, CaseStatus.Screened, CaseStatus.Mediating, Start.AddDays(22), Start), DayOf);
        Assert.Equal(2, Overdue(tally, Start.AddDays(46)).OverdueOpen);
        tally.Apply(Move("wage", DisputeCategory.LaborWage, CaseStatus.Mediating, CaseStatus.Failed, Start.AddDays(30), Start), DayOf);
        Assert.Equal(2, Overdue(tally, Start.AddDays(46)).OverdueOpen);
        tally.Apply(Move("wage", DisputeCategory.LaborWage, CaseStatus.Failed, CaseStatus.Resolved, Start.AddDays(40), Start), DayOf);
        Assert.Equal(1, Overdue(tally, Start.AddDays(46)).OverdueOpen);
        Assert.Equal(2, Overdue(tally, Start.AddDays(56)).OverdueOpen);
        // Without deadlines configured an area reports none rather than guessing.
        Assert.Same(AreaDeadlines.None, tally.Summarise(DayOf(Start.AddDays(56)), Start.AddDays(56), 1, TimeSpan.FromDays(1)).Deadlines);
    }

    [Fact]
    public void A_late_report_that_moves_the_opening_earlier_moves_the_case_to_its_true_opening_day()
    {
        var tally = new AreaTally();
        tally.Apply(Open("c", DisputeCategory.Land, Start.AddDays(10)), DayOf);
        Assert.Equal(0, Overdue(tally, Start.AddDays(50)).OverdueOpen);

        // A feed's backlog brings a report from ten days before the first one seen.
        tally.Apply(Move("c", DisputeCategory.Land, CaseStatus.Screened, CaseStatus.Mediating, Start, openedAt: Start, previousOpenedAt: Start.AddDays(10)), DayOf);
        Assert.Equal(1, Overdue(tally, Start.AddDays(50)).OverdueOpen);
        Assert.Equal(1, tally.OpenByOpeningDay[DisputeCategory.Land].Values.Sum());
    }
}
