using Warning.Analytics.Disputes;
using Warning.Analytics.Simulation;

namespace Warning.Analytics.Tests.Simulation;

public class AsOfHarmTests
{
    private static readonly DateTimeOffset Opened = new(2025, 3, 3, 9, 0, 0, TimeSpan.FromHours(8));
    private static readonly TimeSpan Month = TimeSpan.FromDays(30);

    private static CaseSetup Land(params CaseFlag[] flags) =>
        new(DisputeCategory.Land, IsGroup: false, Parties: 2, People: 4, Amount: 30_000, flags, [], DocumentedThreatKeyIndividual: false);

    [Fact]
    public void Seeing_failures_and_threat_calls_raises_the_as_of_probability()
    {
        var at = Opened.AddDays(12);
        var setup = Land(CaseFlag.ThreatOfViolence);
        var calm = AsOfHarm.Probability(setup, Opened, at, new CourseSeen(1, 0, false, false, 0), Month, seed: 1, accept: 2000, maxDraws: 400_000);
        var failed = AsOfHarm.Probability(setup, Opened, at, new CourseSeen(2, 2, false, false, 1), Month, seed: 1, accept: 2000, maxDraws: 400_000);
        Assert.True(calm.Found && failed.Found, $"kept {calm.Accepted} and {failed.Accepted}");
        Assert.True(failed.Probability > calm.Probability * 1.3, $"two failures and a threat call {failed.Probability:F4} vs none {calm.Probability:F4}");
    }

    [Fact]
    public void At_opening_the_as_of_probability_is_the_mean_hazard_of_the_course()
    {
        // Nothing is seen yet and the horizon covers the whole window, so the estimate is E[p] over courses: check it
        // against the mean hazard of independently drawn courses.
        var setup = Land();
        var rng = new Random(5);
        var course = new CaseCourse();
        var mean = 0.0;
        const int n = 40_000;
        for (var i = 0; i < n; i++)
        {
            course.Draw(rng, setup, Opened);
            mean += HarmModel.Probability30Days(course.Features(setup)) / n;
        }
        var asOf = AsOfHarm.Probability(setup, Opened, Opened, new CourseSeen(0, 0, false, false, 0), Month, seed: 9, accept: 40_000, maxDraws: 40_000);
        Assert.Equal(40_000, asOf.Accepted);
        Assert.InRange(asOf.Probability, mean * 0.97, mean * 1.03);
    }

    [Fact]
    public void A_course_nobody_could_have_seen_matches_no_draw()
    {
        // Three failed mediations within two hours of opening: every attempt starts at least two hours after the last.
        var e = AsOfHarm.Probability(Land(), Opened, Opened.AddHours(2), new CourseSeen(3, 3, false, false, 0), Month, seed: 3, accept: 100, maxDraws: 5_000);
        Assert.False(e.Found);
        Assert.Equal(5_000, e.Draws);
        Assert.True(double.IsNaN(e.Probability));
    }

    [Fact]
    public void Harm_already_due_leaves_less_in_the_horizon()
    {
        // Late in the window most of a course's harm time has passed; a short horizon holds less than the whole window.
        var setup = Land(CaseFlag.ThreatOfViolence);
        var seen = new CourseSeen(1, 1, false, false, 0);
        var at = Opened.AddDays(5);
        var week = AsOfHarm.Probability(setup, Opened, at, seen, TimeSpan.FromDays(7), seed: 4, accept: 3000, maxDraws: 400_000);
        var month = AsOfHarm.Probability(setup, Opened, at, seen, Month, seed: 4, accept: 3000, maxDraws: 400_000);
        Assert.True(week.Probability < month.Probability, $"7 days {week.Probability:F4} vs 30 days {month.Probability:F4}");
    }
}
