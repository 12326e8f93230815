using Warning.Analytics.Disputes;

namespace Warning.Analytics.Risk;

/// <summary>
/// The transparent score used while no trained model exists (labelled <c>"model": "points"</c>). Every point is
/// listed here and in Risk/README.md, so an officer can recompute it by hand:
/// threat of violence 3, self-harm risk 3, weapon mentioned 2, prior violence 2, injury 1, repeat dispute 1,
/// vulnerable party 1; each failed mediation 1 (at most 4); each threat call since opening 2 (at most 3 calls);
/// any violence, injury, self-harm or criminal-case incident in the last 30 days 3; a key individual with a documented
/// threat 2; 30 or more people 1; amount ≥ ¥100,000 1; family or neighbour dispute 1.
/// Probability = 0.6 / (1 + exp(3.6 − 0.45 · points)): 0 points ≈ 1.6%, 5 ≈ 12%, 10 ≈ 42%.
/// </summary>
public static class PointsScore
{
    public const string ModelName = "points";

    public static RiskScore Score(float[] row, DateTimeOffset asOf, RiskThresholds thresholds, int top)
    {
        var items = Points(row);
        var total = items.Sum(x => x.Points);
        var p = 0.6 / (1 + Math.Exp(3.6 - 0.45 * total));
        var contributions = items.Where(x => x.Points > 0).OrderByDescending(x => x.Points).Take(top)
            .Select(x => new RiskContribution(x.Feature, x.Points, $"{x.Zh} +{x.Points}分", $"{x.En} +{x.Points} pt"))
            .ToArray();
        return new RiskScore(Math.Round(p, 4), thresholds.LevelOf(p), ModelName, asOf, contributions);
    }

    public static int Total(float[] row) => Points(row).Sum(x => x.Points);

    private static List<(string Feature, int Points, string Zh, string En)> Points(float[] row)
    {
        var f = RiskFeatures.All;
        var list = new List<(string, int, string, string)>();
        int Col(string name) => Index[name];
        void Flag(CaseFlag flag, int points)
        {
            var c = RiskFeatures.FlagStart + (int)flag;
            if (row[c] > 0) list.Add((f[c].Name, points, f[c].Zh, f[c].En));
        }
        Flag(CaseFlag.ThreatOfViolence, 3);
        Flag(CaseFlag.SelfHarmRisk, 3);
        Flag(CaseFlag.WeaponMentioned, 2);
        Flag(CaseFlag.PriorViolence, 2);
        Flag(CaseFlag.Injury, 1);
        Flag(CaseFlag.RepeatDispute, 1);
        Flag(CaseFlag.VulnerableParty, 1);
        var failed = (int)Math.Min(row[Col("failed_mediations")], 4);
        if (failed > 0) list.Add(("failed_mediations", failed, $"调解失败{failed}次", $"{failed} failed mediation(s)"));
        var threats = (int)Math.Min(row[Col("threat_incidents_total")], 3);
        if (threats > 0) list.Add(("threat_incidents_total", 2 * threats, $"威胁报警{threats}次", $"{threats} threat call(s)"));
        var harm = row[Col("incidents_violence_30d")] + row[Col("incidents_injury_30d")] + row[Col("incidents_self_harm_30d")] + row[Col("incidents_criminal_case_30d")];
        if (harm > 0) list.Add(("harm_incidents_30d", 3, "近30天已发生暴力/伤害事件", "violence or injury in the last 30 days"));
        if (row[Col("key_individual_documented_threat")] > 0) list.Add(("key_individual_documented_threat", 2, "有书面暴力威胁记录者参与", "person with a documented threat involved"));
        if (row[Col("people_involved")] >= 30) list.Add(("people_involved", 1, "涉及30人以上", "30 or more people involved"));
        if (row[Col("amount_log10")] >= 5) list.Add(("amount_log10", 1, "争议金额10万元以上", "amount ≥ ¥100,000"));
        if (row[RiskFeatures.CategoryColumn(DisputeCategory.MarriageFamily)] > 0 || row[RiskFeatures.CategoryColumn(DisputeCategory.Neighbor)] > 0)
            list.Add(("category", 1, "婚姻家庭或邻里纠纷", "family or neighbour dispute"));
        return list;
    }

    private static readonly Dictionary<string, int> Index = RiskFeatures.All.Select((x, i) => (x.Name, i)).ToDictionary(t => t.Name, t => t.i);
}
