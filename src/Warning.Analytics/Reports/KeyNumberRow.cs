using System.Globalization;

namespace Warning.Analytics.Reports;

/// <summary>One key number of the pack, this period against the previous one and the same period last year.</summary>
/// <param name="Key">Stable name, the CSV's first column.</param>
/// <param name="IsRate">A share from 0 to 1 (changes in percentage points), else a count.</param>
public sealed record KeyNumberRow(string Key, string Label, double? Current, double? Previous, double? LastYear, bool IsRate)
{
    /// <summary>How a count is written: whole numbers, or one decimal for a duration in minutes.</summary>
    public string NumberFormat { get; init; } = "N0";

    /// <summary>The key numbers in the order the pack shows them; the HTML, the summary and the CSV all read this list.</summary>
    public static IReadOnlyList<KeyNumberRow> Of(BriefingPack pack, ReportWords w)
    {
        KeyNumberRow Row(string key, string zh, string en, Func<KeyFigures, double?> value, bool rate = false) =>
            new(key, w.T(zh, en), value(pack.Current), value(pack.Previous), value(pack.LastYear), rate);
        IReadOnlyList<KeyNumberRow> rows =
        [
            Row("new", "新发纠纷", "New cases", f => f.New),
            Row("resolved", "化解", "Resolved", f => f.Resolved),
            Row("resolution_rate", "化解率", "Resolution rate", f => f.ResolutionRate, rate: true),
            Row("open", "期末在办", "Open at period end", f => f.Open),
            Row("overdue_accept", "超受理时限", "Past acceptance deadline (受理)", f => f.OverdueAccept),
            Row("overdue_mediate", "超调处时限", "Past mediation deadline (调处)", f => f.OverdueMediate),
            Row("overdue_complete", "超办结时限", "Past completion deadline (办结)", f => f.OverdueComplete),
            Row("screening_compliance", "网格排查率", "Grid screening compliance", f => f.ScreeningCompliance, rate: true),
            Row("harm_incidents", "伤害事件", "Harm incidents", f => f.HarmIncidents),
            Row("high_risk_open", "高/极高风险在办", "Open cases at high or critical risk", f => f.HighRisk),
            AlertRow("alerts_fired", "预警触发", "Alerts fired", a => a.Fired),
            AlertRow("alerts_acknowledged", "预警签收", "Alerts acknowledged", a => a.Acknowledged),
            AlertRow("alerts_acknowledged_in_time", "按时签收（升级前）", "Acknowledged in time (before escalating)", a => a.AcknowledgedInTime),
            AlertRow("alerts_escalated", "预警升级", "Alert escalations", a => a.Escalated),
            AlertRow("alerts_median_ack_minutes", "签收用时中位数（分钟）", "Median time to acknowledge (minutes)", a => a.MedianAckMinutes) with { NumberFormat = "N1" },
        ];
        // A special bulletin is about one category; alerts are not counted by category.
        return pack.Focus is null ? rows : rows.Where(r => !r.Key.StartsWith("alerts_", StringComparison.Ordinal)).ToArray();

        KeyNumberRow AlertRow(string key, string zh, string en, Func<AlertFigures, double?> value) =>
            new(key, w.T(zh, en), pack.Alerts?.Current is { } c ? value(c) : null, pack.Alerts?.Previous is { } p ? value(p) : null,
                pack.Alerts?.LastYear is { } y ? value(y) : null, false);
    }

    public string Format(double? v) => v is not { } x ? "—" : IsRate ? x.ToString("P1", CultureInfo.InvariantCulture) : x.ToString(NumberFormat, CultureInfo.InvariantCulture);

    /// <summary>The change from <paramref name="then"/>: in points for a rate, else a count and its percentage.</summary>
    public string Change(double? then)
    {
        if (Current is not { } now || then is not { } before) return "—";
        var d = now - before;
        if (IsRate) return $"{(d >= 0 ? "+" : "−")}{Math.Abs(d * 100).ToString("0.0", CultureInfo.InvariantCulture)} pp";
        var count = $"{(d >= 0 ? "+" : "−")}{Math.Abs(d).ToString(NumberFormat, CultureInfo.InvariantCulture)}";
        return before == 0 ? count : $"{count} ({(d >= 0 ? "+" : "−")}{Math.Abs(d / before).ToString("P0", CultureInfo.InvariantCulture)})";
    }
}
