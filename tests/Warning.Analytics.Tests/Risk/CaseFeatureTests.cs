using Warning.Analytics.Disputes;
using Warning.Analytics.Risk;

namespace Warning.Analytics.Tests.Risk;

[Collection(RiskCollection.Name)]
public sealed class CaseFeatureTests(RiskFixture risk)
{
    private static readonly DateTimeOffset Opened = new(2025, 3, 10, 9, 0, 0, TimeSpan.FromHours(8));

    private static SnapshotReport Report(double days, CaseStatus status, int attempts = 0, params CaseFlag[] flags) =>
        new(Opened.AddDays(days), status, DisputeCategory.Neighbor, 2, 3, 20_000, attempts, flags);

    private static CaseSnapshot Case(IReadOnlyList<SnapshotReport> reports, params SnapshotIncident[] incidents) =>
        new(DisputeCategory.Neighbor, Opened, reports, incidents, [], false);

    private static CaseSnapshot Threatening() => Case(
        [Report(0, CaseStatus.Screened, 0, CaseFlag.ThreatOfViolence), Report(2, CaseStatus.Mediating, 1), Report(3, CaseStatus.Failed, 1), Report(5, CaseStatus.Mediating, 2), Report(6, CaseStatus.Failed, 2)],
        new SnapshotIncident(Opened.AddDays(4), IncidentType.Threat));

    private static float Feature(float[] row, string name) => row[RiskFeatures.All.Select(f => f.Name).ToList().IndexOf(name)];

    [Fact]
    public void Petitions_and_complaints_change_neither_features_nor_scores()
    {
        var plain = Threatening();
        var petitioned = plain with
        {
            Incidents = plain.Incidents.Concat([
                new SnapshotIncident(Opened.AddDays(4.5), IncidentType.PetitionVisit),
                new SnapshotIncident(Opened.AddDays(5), IncidentType.PetitionVisit),
                new SnapshotIncident(Opened.AddDays(5.5), IncidentType.Complaint)]).OrderBy(i => i.At).ToArray(),
        };
        var asOf = Opened.AddDays(7);
        var a = CaseFeatureExtractor.Default.Extract(plain, asOf);
        var b = CaseFeatureExtractor.Default.Extract(petitioned, asOf);
        Assert.Equal(a, b);
        var thresholds = new RiskThresholds();
        Assert.Equal(risk.Model.Score(a, asOf, thresholds, 5), risk.Model.Score(b, asOf, thresholds, 5), RiskScoreComparer.Instance);
        Assert.Equal(PointsScore.Score(a, asOf, thresholds, 5).Probability, PointsScore.Score(b, asOf, thresholds, 5).Probability);
        Assert.DoesNotContain(RiskFeatures.All, f => f.Name.Contains("petition") || f.Name.Contains("complaint") || f.Name.Contains("ethnic") || f.Name.Contains("religio"));
    }

    [Fact]
    public void Nothing_after_the_cut_off_is_read()
    {
        var full = Threatening();
        var asOf = Opened.AddDays(3.5);
        var truncated = full with
        {
            Reports = full.Reports.Where(r => r.At <= asOf).ToArray(),
            Incidents = full.Incidents.Where(i => i.At <= asOf).ToArray(),
        };
        Assert.Equal(CaseFeatureExtractor.Default.Extract(truncated, asOf), CaseFeatureExtractor.Default.Extract(full, asOf));
        var row = CaseFeatureExtractor.Default.Extract(full, asOf);
        Assert.Equal(1, Feature(row, "failed_mediations"));
        Assert.Equal(0, Feature(row, "threat_incidents_total"));
    }

    [Fact]
    public void Failures_count_transitions_and_incidents_count_by_window()
    {
        var snapshot = Case([Report(0, CaseStatus.Screened), Report(1, CaseStatus.Failed, 1), Report(1.5, CaseStatus.Failed, 1), Report(2, CaseStatus.Mediating, 2), Report(3, CaseStatus.Failed, 2)],
            new SnapshotIncident(Opened.AddDays(1), IncidentType.Threat), new SnapshotIncident(Opened.AddDays(20), IncidentType.Violence));
        var row = CaseFeatureExtractor.Default.Extract(snapshot, Opened.AddDays(21));
        Assert.Equal(2, Feature(row, "failed_mediations"));
        Assert.Equal(2, Feature(row, "mediation_attempts"));
        Assert.Equal(0, Feature(row, "incidents_threat_7d"));
        Assert.Equal(1, Feature(row, "incidents_threat_30d"));
        Assert.Equal(1, Feature(row, "incidents_violence_7d"));
        Assert.Equal(21, Feature(row, "days_open"), 3);
        Assert.Equal(1, Feature(row, "category_neighbor"));
        Assert.Equal((float)Math.Log10(20_000), Feature(row, "amount_log10"), 4);
    }

    [Fact]
    public void Spike_state_key_individual_bases_and_season_are_features()
    {
        var snapshot = Case([Report(0, CaseStatus.Screened)]) with
        {
            VillageSpiking = true,
            KeyIndividualBases = [SupervisionBasis.CommunityCorrections, SupervisionBasis.DocumentedThreat],
        };
        var row = CaseFeatureExtractor.Default.Extract(snapshot, Opened.AddDays(1));
        Assert.Equal(1, Feature(row, "village_spiking"));
        Assert.Equal(1, Feature(row, "key_individual_community_corrections"));
        Assert.Equal(1, Feature(row, "key_individual_documented_threat"));
        Assert.Equal(0, Feature(row, "key_individual_resettlement_assistance"));
        Assert.Equal(3, Feature(row, "month"));
        // 2025-03-11 (China time) to Spring Festival 2026 (17 February).
        Assert.Equal(new DateOnly(2026, 2, 17).DayNumber - new DateOnly(2025, 3, 11).DayNumber, Feature(row, "days_to_spring_festival"));
    }

    [Fact]
    public void Deadlines_are_configured_per_category()
    {
        var snapshot = Case([Report(0, CaseStatus.Screened)]);
        var strict = new DeadlineOptions { AcceptDays = 1, MediateDays = 2, CompleteDays = 3, Categories = new() { ["land"] = new() { AcceptDays = 50 } } };
        var lax = new DeadlineOptions { AcceptDays = 30, MediateDays = 60, CompleteDays = 90, Categories = new() };
        var asOf = Opened.AddDays(4);
        Assert.Equal(3, Feature(new CaseFeatureExtractor(strict).Extract(snapshot, asOf), "deadlines_passed"));
        Assert.Equal(0, Feature(new CaseFeatureExtractor(lax).Extract(snapshot, asOf), "deadlines_passed"));
        Assert.Equal((50, 2, 3), strict.For(DisputeCategory.Land));
    }

    [Fact]
    public void Scores_explain_themselves_in_both_languages()
    {
        var asOf = Opened.AddDays(7);
        var row = CaseFeatureExtractor.Default.Extract(Threatening(), asOf);
        var score = risk.Model.Score(row, asOf, new RiskThresholds(), 5);
        Assert.Equal("test-model", score.Model);
        Assert.InRange(score.Contributions.Count, 1, 5);
        Assert.All(score.Contributions, c =>
        {
            Assert.Matches(@" [+−]\d+\.\d\d$", c.Zh);
            Assert.Matches(@" [+−]\d+\.\d\d$", c.En);
        });
        Assert.Contains(score.Contributions, c => c.Zh.StartsWith("威胁使用暴力 +", StringComparison.Ordinal) && c.En.StartsWith("threat of violence +", StringComparison.Ordinal));
        var ordered = score.Contributions.Select(c => Math.Abs(c.Value)).ToArray();
        Assert.Equal(ordered.OrderDescending(), ordered);

        var points = PointsScore.Score(row, asOf, new RiskThresholds(), 5);
        Assert.Equal("points", points.Model);
        Assert.Contains(points.Contributions, c => c.Zh == "威胁使用暴力 +3分");
        // 3 (threat) + 2 (two failures) + 2 (one threat call) + 1 (neighbour dispute) = 8 points.
        Assert.Equal(8, PointsScore.Total(row));
        Assert.Equal(Math.Round(0.6 / (1 + Math.Exp(3.6 - 0.45 * 8)), 4), points.Probability);
    }

    [Fact]
    public void Levels_follow_the_configured_thresholds()
    {
        var t = new RiskThresholds { Medium = 0.1, High = 0.2, Critical = 0.4 };
        Assert.Equal(RiskLevel.Low, t.LevelOf(0.05));
        Assert.Equal(RiskLevel.Medium, t.LevelOf(0.1));
        Assert.Equal(RiskLevel.High, t.LevelOf(0.39));
        Assert.Equal(RiskLevel.Critical, t.LevelOf(0.4));
        Assert.Throws<InvalidOperationException>(() => new RiskThresholds { Medium = 0.3, High = 0.2 }.Validate());
    }

    [Fact]
    public void Platt_scaling_recovers_a_known_calibration()
    {
        var random = new Random(3);
        var margins = new List<float>();
        var labels = new List<float>();
        for (var i = 0; i < 20_000; i++)
        {
            var m = (float)(random.NextDouble() * 6 - 3);
            margins.Add(m);
            labels.Add(random.NextDouble() < 1 / (1 + Math.Exp(-(0.5 * m - 1))) ? 1 : 0);
        }
        var fit = PlattCalibration.Fit(margins, labels);
        Assert.Equal(0.5, fit.A, 1);
        Assert.Equal(-1, fit.B, 1);
    }

    private sealed class RiskScoreComparer : IEqualityComparer<RiskScore>
    {
        public static readonly RiskScoreComparer Instance = new();

        public bool Equals(RiskScore? x, RiskScore? y) => x!.Probability == y!.Probability && x.Level == y.Level && x.Model == y.Model
            && x.Contributions.SequenceEqual(y.Contributions);

        public int GetHashCode(RiskScore obj) => obj.Probability.GetHashCode();
    }
}
