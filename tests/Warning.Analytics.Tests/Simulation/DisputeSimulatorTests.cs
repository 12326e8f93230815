using System.Text.Json;
using Warning.Analytics.Disputes;
using Warning.Analytics.Simulation;

namespace Warning.Analytics.Tests.Simulation;

public class DisputeSimulatorTests
{
    private static readonly JsonSerializerOptions Json = new() { Converters = { DisputeVocabulary.EnumConverter } };

    private static List<string> Fingerprints(int seed, int days) =>
        new DisputeSimulator(Cities.Small, new SimulatorOptions { Seed = seed })
            .Run(Cities.Jan2025, Cities.Jan2025.AddDays(days))
            .Select(e => e.GetType().Name + JsonSerializer.Serialize(e, e.GetType(), Json))
            .ToList();

    [Fact]
    public void Same_seed_gives_the_same_events()
    {
        var a = Fingerprints(7, 120);
        var b = Fingerprints(7, 120);
        Assert.True(a.Count > 500, $"only {a.Count} events");
        Assert.Equal(a, b);
    }

    [Fact]
    public void Different_seed_gives_different_events() => Assert.NotEqual(Fingerprints(7, 60), Fingerprints(8, 60));

    [Fact]
    public void Running_twice_on_one_simulator_replays_the_same_run()
    {
        var sim = new DisputeSimulator(Cities.Small, new SimulatorOptions { Seed = 3 });
        var first = sim.Run(Cities.Jan2025, Cities.Jan2025.AddDays(30)).Select(e => e.At).ToList();
        var second = sim.Run(Cities.Jan2025, Cities.Jan2025.AddDays(30)).Select(e => e.At).ToList();
        Assert.Equal(first, second);
    }

    [Fact]
    public void Events_are_time_ordered_and_inside_the_range()
    {
        var from = Cities.Jan2025.AddHours(13); // not on a day boundary on purpose
        var to = from.AddDays(45);
        DateTimeOffset previous = DateTimeOffset.MinValue;
        var count = 0;
        foreach (var e in new DisputeSimulator(Cities.Dingxi, new SimulatorOptions()).Run(from, to))
        {
            Assert.True(e.At >= previous, $"{e.At:O} after {previous:O}");
            Assert.InRange(e.At, from, to.AddTicks(-1));
            previous = e.At;
            count++;
        }
        Assert.True(count > 10_000);
    }

    [Fact]
    public void Every_event_satisfies_the_contracts()
    {
        foreach (var (city, days) in new[] { (Cities.Dingxi, 45), (Cities.Small, 2 * 365) })
        {
            var sim = new DisputeSimulator(city, new SimulatorOptions { Seed = 11 });
            var persons = sim.KeyIndividuals.Select(k => k.PersonId).ToHashSet();
            var openedCases = new HashSet<string>();
            var reportIds = new HashSet<string>();
            var incidentIds = new HashSet<string>();
            foreach (var e in sim.Run(Cities.Jan2025, Cities.Jan2025.AddDays(days)))
            {
                switch (e)
                {
                    case SimulatedReport { Report: var r }:
                        Assert.Empty(ContractRules.Check(r, city, persons));
                        Assert.True(reportIds.Add(r.ReportId), $"duplicate report id {r.ReportId}");
                        Assert.Equal("w-" + r.GridId, r.ReporterId);
                        if (r.CaseId is null)
                        {
                            Assert.Equal(CaseStatus.Screened, r.Status);
                            Assert.True(openedCases.Add(CaseIds.FromOpeningReport(r.ReportId)));
                        }
                        else Assert.Contains(r.CaseId, openedCases); // follow-ups come after the opening report
                        Assert.DoesNotMatch("[A-Za-z]{3,}", r.Summary ?? ""); // Chinese text, no stray names or codes
                        break;
                    case SimulatedIncident { Incident: var i }:
                        Assert.Empty(ContractRules.Check(i, city, persons));
                        Assert.True(incidentIds.Add(i.IncidentId), $"duplicate incident id {i.IncidentId}");
                        if (i.CaseId is not null) Assert.Contains(i.CaseId, openedCases);
                        break;
                    default:
                        Assert.Fail($"unexpected event {e}");
                        break;
                }
            }
            Assert.NotEmpty(openedCases);
        }
    }

    [Fact]
    public void Key_individuals_have_a_basis_that_expires()
    {
        var sim = new DisputeSimulator(Cities.Dingxi, new SimulatorOptions());
        var people = sim.KeyIndividuals;
        var villages = Cities.Dingxi.AtLevel(Warning.Analytics.Hierarchy.AreaLevel.Village).Count();
        Assert.InRange(people.Count, villages * 1.3, villages * 1.7);
        Assert.Equal(people.Count, people.Select(p => p.PersonId).Distinct().Count());
        Assert.All(people, p =>
        {
            Assert.True(ContractRules.IsId(p.PersonId) && ContractRules.IsId(p.BasisReference));
            Assert.True(Cities.Dingxi.Contains(p.GridId));
            Assert.True(p.BasisExpiresAt > p.BasisReviewedAt);
        });
        Assert.Equal(4, people.Select(p => p.Basis).Distinct().Count());
    }

    [Fact]
    public void Check_ins_come_only_from_corrections_subjects()
    {
        var sim = new DisputeSimulator(Cities.Dingxi, new SimulatorOptions());
        var bases = sim.KeyIndividuals.ToDictionary(k => k.PersonId, k => k.Basis);
        var checkIns = sim.Run(Cities.Jan2025, Cities.Jan2025.AddDays(21)).OfType<SimulatedIncident>()
            .Select(e => e.Incident).Where(i => i.Type is IncidentType.CheckIn or IncidentType.CheckInMissed).ToList();
        Assert.NotEmpty(checkIns);
        Assert.Contains(checkIns, i => i.Type == IncidentType.CheckInMissed);
        Assert.All(checkIns, i =>
        {
            Assert.Equal(IncidentSource.Corrections, i.Source);
            Assert.Equal(SupervisionBasis.CommunityCorrections, bases[Assert.Single(i.PersonIds)]);
        });
    }

    [Fact]
    public void Cases_follow_a_plausible_course()
    {
        var sim = new DisputeSimulator(Cities.Dingxi, new SimulatorOptions());
        var reports = sim.Run(Cities.Jan2025, Cities.Jan2025.AddDays(30)).OfType<SimulatedReport>().Select(r => r.Report).ToList();
        var byCase = reports.GroupBy(r => r.CaseId ?? CaseIds.FromOpeningReport(r.ReportId)).ToList();

        foreach (var course in byCase)
        {
            var list = course.ToList();
            Assert.Null(list[0].CaseId);
            Assert.All(list.Skip(1), r => Assert.Equal(course.Key, r.CaseId));
            for (var i = 1; i < list.Count; i++) Assert.True(list[i].MediationAttempts >= list[i - 1].MediationAttempts);
            Assert.Single(list.Select(r => (r.GridId, r.Category)).Distinct());
        }

        var opening = reports.Where(r => r.CaseId is null).ToList();
        // Group wage disputes exist and are large; many reports carry no amount.
        Assert.Contains(opening, r => r.Category == DisputeCategory.LaborWage && r.PeopleInvolved is >= 30 and <= 200);
        Assert.Contains(opening, r => r.AmountInDispute is null);
        Assert.Contains(opening, r => r.PersonIds.Count > 0);
        Assert.Contains(opening, r => r.Flags.Contains(CaseFlag.ThreatOfViolence));
        var statuses = reports.Select(r => r.Status).ToHashSet();
        Assert.Equal(Enum.GetValues<CaseStatus>().Length, statuses.Count);
    }

    [Fact]
    public void Most_cases_resolve_eventually()
    {
        var sim = new DisputeSimulator(Cities.Dingxi, new SimulatorOptions());
        foreach (var _ in sim.Run(Cities.Jan2025, Cities.Jan2025.AddDays(30))) { }
        var rate = sim.Truths.Average(t => t.ResolvesEventually ? 1.0 : 0.0);
        Assert.InRange(rate, 0.92, 0.98);
    }
}
