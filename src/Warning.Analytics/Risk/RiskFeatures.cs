using Warning.Analytics.Disputes;
using Warning.Analytics.Simulation;

namespace Warning.Analytics.Risk;

/// <summary>One model input: a stable machine name and the words an officer reads, in Chinese and English.</summary>
public sealed record RiskFeature(string Name, string Zh, string En, string Group);

/// <summary>
/// The feature list, in column order. Deliberately absent: ethnicity, religion, political views, health beyond the care
/// basis, and petitions or complaints filed (DESIGN.md: lawful service requests, never a risk flag against a person).
/// </summary>
public static class RiskFeatures
{
    /// <summary>Incident types a case's risk reads; petition_visit and complaint are not among them on purpose.</summary>
    public static IReadOnlyList<IncidentType> HarmSignals { get; } =
        [IncidentType.Violence, IncidentType.Threat, IncidentType.Injury, IncidentType.SelfHarm, IncidentType.CriminalCase];

    private static readonly Dictionary<DisputeCategory, (string Zh, string En)> CategoryWords = new()
    {
        [DisputeCategory.Land] = ("土地纠纷", "land dispute"),
        [DisputeCategory.Demolition] = ("征地拆迁纠纷", "demolition dispute"),
        [DisputeCategory.MarriageFamily] = ("婚姻家庭纠纷", "marriage and family dispute"),
        [DisputeCategory.Neighbor] = ("邻里纠纷", "neighbour dispute"),
        [DisputeCategory.LaborWage] = ("劳资纠纷", "wage dispute"),
        [DisputeCategory.Debt] = ("债务纠纷", "debt dispute"),
        [DisputeCategory.PropertyMgmt] = ("物业纠纷", "property management dispute"),
        [DisputeCategory.Medical] = ("医疗纠纷", "medical dispute"),
        [DisputeCategory.Traffic] = ("交通事故纠纷", "traffic accident dispute"),
        [DisputeCategory.Consumer] = ("消费纠纷", "consumer dispute"),
        [DisputeCategory.Environment] = ("环境纠纷", "environmental dispute"),
        [DisputeCategory.Other] = ("其他纠纷", "other dispute"),
    };

    private static readonly Dictionary<CaseFlag, (string Zh, string En)> FlagWords = new()
    {
        [CaseFlag.ThreatOfViolence] = ("威胁使用暴力", "threat of violence"),
        [CaseFlag.WeaponMentioned] = ("提及凶器", "weapon mentioned"),
        [CaseFlag.PriorViolence] = ("曾有暴力行为", "prior violence"),
        [CaseFlag.Injury] = ("已有人受伤", "someone injured"),
        [CaseFlag.SelfHarmRisk] = ("有自伤风险", "risk of self-harm"),
        [CaseFlag.VulnerableParty] = ("涉及弱势当事人", "vulnerable party"),
        [CaseFlag.CrossRegion] = ("跨区域", "cross-region"),
        [CaseFlag.RepeatDispute] = ("反复发生", "repeat dispute"),
    };

    private static readonly Dictionary<IncidentType, (string Zh, string En)> IncidentWords = new()
    {
        [IncidentType.Violence] = ("暴力事件", "violence incidents"),
        [IncidentType.Threat] = ("威胁报警", "threat calls"),
        [IncidentType.Injury] = ("伤害事件", "injury incidents"),
        [IncidentType.SelfHarm] = ("自伤事件", "self-harm incidents"),
        [IncidentType.CriminalCase] = ("刑事案件", "criminal cases"),
    };

    private static readonly Dictionary<SupervisionBasis, (string Zh, string En)> BasisWords = new()
    {
        [SupervisionBasis.CommunityCorrections] = ("社区矫正对象参与", "community-corrections subject involved"),
        [SupervisionBasis.ResettlementAssistance] = ("安置帮教对象参与", "person under resettlement assistance involved"),
        [SupervisionBasis.SevereMentalDisorderCare] = ("严重精神障碍患者参与", "person under severe-mental-disorder care involved"),
        [SupervisionBasis.DocumentedThreat] = ("有书面暴力威胁记录者参与", "person with a documented threat involved"),
    };

    public static IReadOnlyList<RiskFeature> All { get; } = Build();

    public static int Count => All.Count;

    public static int CategoryColumn(DisputeCategory c) => (int)c;

    public static readonly int FlagStart = Enum.GetValues<DisputeCategory>().Length;

    private static List<RiskFeature> Build()
    {
        var list = new List<RiskFeature>();
        foreach (var c in Enum.GetValues<DisputeCategory>())
            list.Add(new($"category_{DisputeVocabulary.WireName(c)}", CategoryWords[c].Zh, CategoryWords[c].En, "category"));
        foreach (var f in Enum.GetValues<CaseFlag>())
            list.Add(new($"flag_{DisputeVocabulary.WireName(f)}", FlagWords[f].Zh, FlagWords[f].En, $"flag_{DisputeVocabulary.WireName(f)}"));
        list.Add(new("parties", "当事方人数", "number of parties", "parties"));
        list.Add(new("people_involved", "涉及人数", "people involved", "people_involved"));
        list.Add(new("amount_log10", "争议金额", "amount in dispute", "amount"));
        list.Add(new("mediation_attempts", "调解次数", "mediation attempts", "mediation"));
        list.Add(new("failed_mediations", "调解失败次数", "failed mediations", "failed_mediations"));
        list.Add(new("referred", "已转交", "referred elsewhere", "referred"));
        list.Add(new("status_failed", "当前调解不成", "currently failed mediation", "status"));
        list.Add(new("status_mediating", "正在调解", "mediation under way", "status"));
        list.Add(new("days_since_last_report", "距上次报告天数", "days since the last report", "days_since_last_report"));
        list.Add(new("days_open", "已立案天数", "days open", "days_open"));
        list.Add(new("deadlines_passed", "超过办理时限", "handling deadlines passed", "deadlines"));
        foreach (var t in HarmSignals)
        {
            var w = IncidentWords[t];
            list.Add(new($"incidents_{DisputeVocabulary.WireName(t)}_7d", $"近7天{w.Zh}", $"{w.En} in the last 7 days", $"incidents_{DisputeVocabulary.WireName(t)}"));
            list.Add(new($"incidents_{DisputeVocabulary.WireName(t)}_30d", $"近30天{w.Zh}", $"{w.En} in the last 30 days", $"incidents_{DisputeVocabulary.WireName(t)}"));
        }
        list.Add(new("threat_incidents_total", "立案以来威胁报警次数", "threat calls since opening", "incidents_threat"));
        list.Add(new("village_spiking", "所在村纠纷激增", "village in a dispute spike", "village_spike"));
        foreach (var b in Enum.GetValues<SupervisionBasis>())
            list.Add(new($"key_individual_{DisputeVocabulary.WireName(b)}", BasisWords[b].Zh, BasisWords[b].En, $"key_individual_{DisputeVocabulary.WireName(b)}"));
        list.Add(new("month", "月份", "month of year", "season"));
        list.Add(new("days_to_spring_festival", "距春节天数", "days to Spring Festival", "season"));
        return list;
    }

    public static (string Zh, string En) Words(DisputeCategory c) => CategoryWords[c];
}

/// <summary>Per-category handling deadlines (受理、调处、办结时限, seed 002), in days from opening.</summary>
public sealed class DeadlineOptions
{
    public double AcceptDays { get; set; } = 3;
    public double MediateDays { get; set; } = 15;
    public double CompleteDays { get; set; } = 30;

    /// <summary>Per-category overrides keyed by wire name, e.g. "labor_wage".</summary>
    public Dictionary<string, CategoryDeadlines> Categories { get; set; } = new()
    {
        ["labor_wage"] = new() { AcceptDays = 1, MediateDays = 10, CompleteDays = 20 },
        ["marriage_family"] = new() { AcceptDays = 2, MediateDays = 10, CompleteDays = 30 },
        ["demolition"] = new() { AcceptDays = 3, MediateDays = 20, CompleteDays = 60 },
        ["land"] = new() { AcceptDays = 3, MediateDays = 20, CompleteDays = 45 },
    };

    public (double Accept, double Mediate, double Complete) For(DisputeCategory category) =>
        Categories.TryGetValue(DisputeVocabulary.WireName(category), out var c)
            ? (c.AcceptDays ?? AcceptDays, c.MediateDays ?? MediateDays, c.CompleteDays ?? CompleteDays)
            : (AcceptDays, MediateDays, CompleteDays);
}

public sealed class CategoryDeadlines
{
    public double? AcceptDays { get; set; }
    public double? MediateDays { get; set; }
    public double? CompleteDays { get; set; }
}

/// <summary>Turns a <see cref="CaseSnapshot"/> into the model's row as of a scoring time; nothing after it is read.</summary>
public sealed class CaseFeatureExtractor(DeadlineOptions deadlines)
{
    public static CaseFeatureExtractor Default { get; } = new(new DeadlineOptions());

    public DeadlineOptions Deadlines { get; } = deadlines;

    public float[] Extract(CaseSnapshot snapshot, DateTimeOffset asOf)
    {
        var row = new float[RiskFeatures.Count];
        Extract(snapshot, asOf, row);
        return row;
    }

    public void Extract(CaseSnapshot s, DateTimeOffset asOf, Span<float> row)
    {
        if (row.Length != RiskFeatures.Count) throw new ArgumentException($"row needs {RiskFeatures.Count} columns", nameof(row));
        row.Clear();
        // Facts as of the latest report at or before the scoring time.
        SnapshotReport? latest = null;
        var flags = new HashSet<CaseFlag>();
        int attempts = 0, failed = 0;
        bool referred = false, mediated = false;
        CaseStatus? previous = null;
        double? amount = null;
        foreach (var r in s.Reports)
        {
            if (r.At > asOf) break;
            latest = r;
            flags.UnionWith(r.Flags);
            attempts = Math.Max(attempts, r.MediationAttempts);
            amount = r.AmountInDispute ?? amount;
            // A failure counts once per transition into failed, not once per report that repeats it.
            if (r.Status == CaseStatus.Failed && previous != CaseStatus.Failed) failed++;
            if (r.Status == CaseStatus.Referred) referred = true;
            if (r.Status != CaseStatus.Screened) mediated = true;
            previous = r.Status;
        }
        var category = latest?.Category ?? s.Category;
        var i = 0;
        row[RiskFeatures.CategoryColumn(category)] = 1;
        i = RiskFeatures.FlagStart;
        foreach (var f in Enum.GetValues<CaseFlag>()) row[i++] = flags.Contains(f) ? 1 : 0;
        row[i++] = latest?.PartiesCount ?? 0;
        row[i++] = latest?.PeopleInvolved ?? 0;
        row[i++] = amount is > 0 and var a ? (float)Math.Log10(a) : float.NaN;
        row[i++] = attempts;
        row[i++] = failed;
        row[i++] = referred ? 1 : 0;
        row[i++] = latest?.Status == CaseStatus.Failed ? 1 : 0;
        row[i++] = latest?.Status == CaseStatus.Mediating ? 1 : 0;
        row[i++] = latest is null ? float.NaN : (float)Math.Max(0, (asOf - latest.At).TotalDays);
        var daysOpen = Math.Max(0, (asOf - s.OpenedAt).TotalDays);
        row[i++] = (float)daysOpen;
        var (accept, mediate, complete) = Deadlines.For(category);
        var open = latest is null || latest.Status.IsOpen() || latest.Status == CaseStatus.Failed;
        var passed = 0;
        if (open && !mediated && daysOpen > accept) passed++;
        if (open && daysOpen > mediate) passed++;
        if (open && daysOpen > complete) passed++;
        row[i++] = passed;
        foreach (var t in RiskFeatures.HarmSignals)
        {
            int last7 = 0, last30 = 0;
            foreach (var inc in s.Incidents)
            {
                if (inc.At > asOf || inc.Type != t) continue;
                var age = (asOf - inc.At).TotalDays;
                if (age <= 7) last7++;
                if (age <= 30) last30++;
            }
            row[i++] = last7;
            row[i++] = last30;
        }
        var threats = 0;
        foreach (var inc in s.Incidents) if (inc.At <= asOf && inc.Type == IncidentType.Threat) threats++;
        row[i++] = threats;
        row[i++] = s.VillageSpiking ? 1 : 0;
        foreach (var b in Enum.GetValues<SupervisionBasis>()) row[i++] = s.KeyIndividualBases.Contains(b) ? 1 : 0;
        var local = asOf.ToOffset(DisputeSimulator.ChinaOffset);
        var date = DateOnly.FromDateTime(local.DateTime);
        row[i++] = date.Month;
        row[i++] = Seasonality.RelativeToSpringFestival(date).DaysBefore;
        if (i != RiskFeatures.Count) throw new InvalidOperationException($"feature layout drifted: wrote {i} of {RiskFeatures.Count}");
    }
}
