using Warning.Analytics.Disputes;
using Warning.Analytics.Simulation;

namespace Warning.Analytics.Tests.Simulation;

public class GroundTruthTests
{
    private static readonly CaseFeatures Ordinary = new(DisputeCategory.Neighbor, [], 3, 2_000, 0, 0, 5, false);

    [Fact]
    public void Petitions_and_complaints_do_not_change_the_hazard()
    {
        var petitioned = Ordinary with { PetitionsFiled = 4, ComplaintsFiled = 3 };
        Assert.Equal(HarmModel.Probability30Days(Ordinary), HarmModel.Probability30Days(petitioned));

        var tense = Ordinary with { Flags = [CaseFlag.ThreatOfViolence], FailedMediations = 2 };
        Assert.Equal(HarmModel.Probability30Days(tense), HarmModel.Probability30Days(tense with { PetitionsFiled = 10 }));
    }

    [Fact]
    public void Hazard_has_a_low_base_and_a_long_tail()
    {
        Assert.InRange(HarmModel.Probability30Days(Ordinary), 0.01, 0.04);
        var worst = Ordinary with
        {
            Category = DisputeCategory.MarriageFamily,
            Flags = [CaseFlag.ThreatOfViolence, CaseFlag.WeaponMentioned, CaseFlag.PriorViolence, CaseFlag.SelfHarmRisk],
            FailedMediations = 4, ThreatIncidents = 3, DaysOpen = 30, DocumentedThreatKeyIndividual = true,
        };
        Assert.InRange(HarmModel.Probability30Days(worst), 0.5, HarmModel.Ceiling);
    }

    [Theory]
    [InlineData(nameof(CaseFeatures.Flags))]
    [InlineData(nameof(CaseFeatures.FailedMediations))]
    [InlineData(nameof(CaseFeatures.ThreatIncidents))]
    [InlineData(nameof(CaseFeatures.AmountInDispute))]
    [InlineData(nameof(CaseFeatures.DaysOpen))]
    [InlineData(nameof(CaseFeatures.DocumentedThreatKeyIndividual))]
    public void Risk_features_raise_the_hazard(string feature)
    {
        var raised = feature switch
        {
            nameof(CaseFeatures.Flags) => Ordinary with { Flags = [CaseFlag.WeaponMentioned] },
            nameof(CaseFeatures.FailedMediations) => Ordinary with { FailedMediations = 1 },
            nameof(CaseFeatures.ThreatIncidents) => Ordinary with { ThreatIncidents = 1 },
            nameof(CaseFeatures.AmountInDispute) => Ordinary with { AmountInDispute = 500_000 },
            nameof(CaseFeatures.DaysOpen) => Ordinary with { DaysOpen = 25 },
            _ => Ordinary with { DocumentedThreatKeyIndividual = true },
        };
        Assert.True(HarmModel.Probability30Days(raised) > HarmModel.Probability30Days(Ordinary));
    }

    [Fact]
    public void Truth_probability_is_the_hazard_of_the_recorded_features()
    {
        var sim = new DisputeSimulator(Cities.Small, new SimulatorOptions());
        foreach (var _ in sim.Run(Cities.Jan2025, Cities.Jan2025.AddDays(120))) { }
        Assert.All(sim.Truths, t => Assert.Equal(HarmModel.Probability30Days(t.Features!), t.HarmProbability30Days));
    }

    [Fact]
    public void Harm_rate_matches_the_mean_probability_and_shows_up_as_incidents()
    {
        var sim = new DisputeSimulator(Cities.Dingxi, new SimulatorOptions { Seed = 5 });
        var from = Cities.Jan2025;
        var to = from.AddDays(60);
        var harmIncidents = sim.Run(from, to).OfType<SimulatedIncident>().Select(e => e.Incident)
            .Where(i => i.CaseId is not null && i.Type is IncidentType.Violence or IncidentType.Injury or IncidentType.CriminalCase or IncidentType.SelfHarm)
            .ToDictionary(i => i.CaseId!);

        var truths = sim.Truths.ToList();
        Assert.True(truths.Count > 20_000);
        var expected = truths.Sum(t => t.HarmProbability30Days);
        var sd = Math.Sqrt(truths.Sum(t => t.HarmProbability30Days * (1 - t.HarmProbability30Days)));
        var observed = truths.Count(t => t.HarmOccurred);
        Assert.InRange(observed, expected - 4 * sd, expected + 4 * sd);

        var mean = expected / truths.Count;
        Assert.InRange(mean, 0.02, 0.06);
        Assert.InRange(truths.Max(t => t.HarmProbability30Days), 0.3, HarmModel.Ceiling);

        foreach (var t in truths)
        {
            if (t.HarmOccurred)
            {
                Assert.NotNull(t.HarmAt);
                Assert.InRange(t.HarmAt!.Value, t.OpenedAt, t.OpenedAt.AddDays(31));
                if (t.HarmAt < to)
                {
                    var incident = harmIncidents[t.CaseId];
                    Assert.Equal(t.HarmAt, incident.OccurredAt);
                    Assert.Equal(t.HarmKind, incident.Type);
                    Assert.Equal(t.GridId, incident.GridId);
                }
            }
            else
            {
                Assert.Null(t.HarmAt);
                Assert.False(harmIncidents.ContainsKey(t.CaseId));
            }
        }
    }

    [Fact]
    public void Nothing_is_reported_on_a_harmed_case_between_harm_and_handover()
    {
        var sim = new DisputeSimulator(Cities.Small, new SimulatorOptions { Seed = 9 });
        var events = sim.Run(Cities.Jan2025, Cities.Jan2025.AddDays(365)).ToList();
        var harmed = sim.Truths.Where(t => t.HarmOccurred).ToDictionary(t => t.CaseId);
        Assert.NotEmpty(harmed);
        foreach (var report in events.OfType<SimulatedReport>().Select(r => r.Report))
        {
            if (report.CaseId is null || !harmed.TryGetValue(report.CaseId, out var truth) || report.ReportedAt <= truth.HarmAt) continue;
            // After the harm the only reports are the hand-over to the police and, maybe, a late resolution.
            Assert.Contains(report.Status, new[] { CaseStatus.Referred, CaseStatus.Resolved });
        }
    }
}
