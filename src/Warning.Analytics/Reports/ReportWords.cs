using Warning.Analytics.Disputes;

namespace Warning.Analytics.Reports;

/// <summary>The pack's words in its two languages: zh-CN is what the meetings read, en is the option.</summary>
public sealed record ReportWords(bool Zh)
{
    public static ReportWords Chinese { get; } = new(true);
    public static ReportWords English { get; } = new(false);

    public static ReportWords For(string language) => language == "en" ? English : Chinese;

    public string Language => Zh ? "zh-CN" : "en";

    public string T(string zh, string en) => Zh ? zh : en;

    private static readonly Dictionary<DisputeCategory, (string Zh, string En)> Categories = new()
    {
        [DisputeCategory.Land] = ("土地", "Land"),
        [DisputeCategory.Demolition] = ("征地拆迁", "Demolition"),
        [DisputeCategory.MarriageFamily] = ("婚姻家庭", "Marriage & family"),
        [DisputeCategory.Neighbor] = ("邻里", "Neighbours"),
        [DisputeCategory.LaborWage] = ("劳资欠薪", "Labour & wages"),
        [DisputeCategory.Debt] = ("债务", "Debt"),
        [DisputeCategory.PropertyMgmt] = ("物业", "Property management"),
        [DisputeCategory.Medical] = ("医疗", "Medical"),
        [DisputeCategory.Traffic] = ("交通事故", "Traffic"),
        [DisputeCategory.Consumer] = ("消费", "Consumer"),
        [DisputeCategory.Environment] = ("环境", "Environment"),
        [DisputeCategory.Other] = ("其他", "Other"),
    };

    public string Category(DisputeCategory c) => Zh ? Categories[c].Zh : Categories[c].En;

    public string Category(DisputeCategory? c) => c is { } x ? Category(x) : T("全部类别", "all categories");

    public string Incident(IncidentType t) => t switch
    {
        IncidentType.Violence => T("暴力", "violence"),
        IncidentType.Injury => T("伤害", "injury"),
        IncidentType.SelfHarm => T("自伤", "self-harm"),
        IncidentType.CriminalCase => T("刑事案件（民转刑）", "criminal case"),
        _ => DisputeVocabulary.WireName(t),
    };
}
