using System.Globalization;
using System.Net;
using System.Text;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;

namespace Warning.Analytics.Reports;

/// <summary>
/// The pack as one HTML document: no script, classes only (the page CSP admits no inline style), charts as inline SVG.
/// The stylesheet is linked, so a browser loads it from the service and the PDF renderer adds the same file.
/// </summary>
public static class BriefingHtml
{
    public static string Render(BriefingPack pack, ReportWords w, string stylesheetHref = "/meetings/pack.css")
    {
        var html = new StringBuilder();
        string E(string? s) => WebUtility.HtmlEncode(s ?? "");
        string D(DateTimeOffset? t) => t is { } x ? x.ToOffset(pack.Period.UtcOffset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "—";
        var title = pack.Focus is { } focus
            ? w.T($"{pack.AreaName}{w.Category(focus)}纠纷专报", $"Special bulletin: {w.Category(focus)} disputes in {pack.AreaName}")
            : w.T($"{pack.AreaName}矛盾纠纷风险研判会材料", $"Risk-analysis meeting pack: {pack.AreaName}");
        html.Append(CultureInfo.InvariantCulture, $"<!DOCTYPE html><html lang=\"{w.Language}\"><head><meta charset=\"utf-8\"><title>{E(title)}</title>");
        html.Append(CultureInfo.InvariantCulture, $"<link rel=\"stylesheet\" href=\"{E(stylesheetHref)}\"></head><body class=\"pack\">");

        // Cover
        html.Append("<section class=\"cover\">");
        html.Append(CultureInfo.InvariantCulture, $"<h1>{E(title)}</h1>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"area\">{E(string.Join(" / ", pack.AreaPath))}</p>");
        html.Append("<dl>");
        html.Append(CultureInfo.InvariantCulture, $"<dt>{w.T("研判期间", "Period")}</dt><dd>{pack.Period.From:yyyy-MM-dd} — {pack.Period.To:yyyy-MM-dd}（{pack.Period.Days} {w.T("天", "days")}）</dd>");
        html.Append(CultureInfo.InvariantCulture, $"<dt>{w.T("生成时间", "Generated at")}</dt><dd>{D(pack.GeneratedAt)}</dd>");
        html.Append(CultureInfo.InvariantCulture, $"<dt>{w.T("数据截至", "Data as of")}</dt><dd>{D(pack.DataTo)}</dd>");
        html.Append("</dl></section>");

        var keys = KeyNumberRow.Of(pack, w);
        html.Append(CultureInfo.InvariantCulture, $"<section class=\"summary\"><h2>{w.T("概要", "Summary")}</h2><p>{E(Summary(pack, keys, w))}</p></section>");

        // Key numbers
        html.Append(CultureInfo.InvariantCulture, $"<section><h2>{w.T("主要指标", "Key numbers")}</h2><table class=\"keys\"><thead><tr>");
        foreach (var h in new[] { w.T("指标", "Measure"), w.T("本期", "This period"), w.T("上期", "Previous period"), w.T("环比", "Change"), w.T("去年同期", "Same period last year"), w.T("同比", "Change") })
            html.Append(CultureInfo.InvariantCulture, $"<th>{E(h)}</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var k in keys)
            html.Append(CultureInfo.InvariantCulture, $"<tr data-key=\"{k.Key}\"><td>{E(k.Label)}</td><td class=\"num\">{k.Format(k.Current)}</td><td class=\"num\">{k.Format(k.Previous)}</td><td class=\"num\">{k.Change(k.Previous)}</td><td class=\"num\">{k.Format(k.LastYear)}</td><td class=\"num\">{k.Change(k.LastYear)}</td></tr>");
        html.Append("</tbody></table>");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">{(pack.Focus is null && (pack.Previous.HighRisk is not null || pack.LastYear.HighRisk is not null)
            ? w.T("高/极高风险：本期按各案件当前评分统计；上期与去年同期取自当时的区域风险快照。", "High and critical risk: this period by each case's current score; earlier periods from the area's risk snapshots taken then.")
            : w.T("高/极高风险只能按各案件当前评分统计，无时序库快照时无上期与去年同期对比。", "High and critical risk counts use each case's current score; without the time series' snapshots they have no earlier periods to compare with."))}</p></section>");

        // Trends
        var categories = pack.Trend.SelectMany(b => b.New.Keys).Distinct().OrderBy(c => (int)c).ToArray();
        var labels = pack.Trend.Select(b => b.Start.ToString("MM-dd", CultureInfo.InvariantCulture)).ToArray();
        var series = categories.Select(c => (w.Category(c), (IReadOnlyList<int>)pack.Trend.Select(b => b.New.GetValueOrDefault(c)).ToArray())).ToArray();
        html.Append(CultureInfo.InvariantCulture, $"<section class=\"trends\"><h2>{w.T("趋势", "Trends")}</h2><p>{(pack.Weekly ? w.T("每周新发纠纷（按类别）", "New cases per week, by category") : w.T("每日新发纠纷（按类别）", "New cases per day, by category"))}</p>");
        html.Append(SvgCharts.StackedBars(labels, series, w.T("新发纠纷趋势", "New cases")));
        html.Append("<ul class=\"legend\">");
        for (var i = 0; i < categories.Length; i++)
            html.Append(CultureInfo.InvariantCulture, $"<li><svg width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\" fill=\"{SvgCharts.Palette[i % SvgCharts.Palette.Length]}\"/></svg> {E(w.Category(categories[i]))} {pack.Trend.Sum(b => b.New.GetValueOrDefault(categories[i]))}</li>");
        html.Append("</ul></section>");

        // Areas
        if (pack.Children.Count > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<section><h2>{w.T("下级区域", "Areas")}</h2>");
            Table(html, [w.T("名次", "Rank"), w.T("区域", "Area"), w.T("新发", "New"), w.T("上期", "Previous"), w.T("增减", "Change"), w.T("在办", "Open"), w.T("超办结时限", "Past completion"), w.T("排查率", "Screening"), w.T("趋势", "Trend")],
                pack.Children.Select((r, i) => new[] { (i + 1).ToString(CultureInfo.InvariantCulture), E(r.Name), N(r.New), N(r.PreviousNew), Signed(r.Increase), N(r.Open), N(r.OverdueComplete), P(r.ScreeningCompliance), SvgCharts.Sparkline(r.Trend) }));
            var rising = pack.Children.Where(r => r.Increase > 0).OrderByDescending(r => r.Increase).ThenBy(r => r.Id, StringComparer.Ordinal).Take(5).ToArray();
            html.Append(CultureInfo.InvariantCulture, $"<h3>{w.T("上升最快的区域", "Largest increases")}</h3>");
            if (rising.Length == 0) html.Append(CultureInfo.InvariantCulture, $"<p>{w.T("无区域新发数高于上期。", "No area rose above the previous period.")}</p>");
            else Table(html, [w.T("区域", "Area"), w.T("新发", "New"), w.T("上期", "Previous"), w.T("增减", "Change")], rising.Select(r => new[] { E(r.Name), N(r.New), N(r.PreviousNew), Signed(r.Increase) }));
            html.Append("</section>");
        }
        html.Append(CultureInfo.InvariantCulture, $"<section><h3>{w.T("异常升高信号（村）", "Spike signals (villages)")}</h3>");
        if (pack.Spikes.Count == 0) html.Append(CultureInfo.InvariantCulture, $"<p>{w.T("本期无异常升高信号。", "No spike signal in the period.")}</p>");
        else Table(html, [w.T("信号日期", "Raised"), w.T("村/社区", "Village"), w.T("类别", "Category"), w.T("窗口起始", "Window from"), w.T("观测", "Observed"), w.T("基线期望", "Expected"), w.T("方法", "Method")],
            pack.Spikes.Select(s => new[] { Days(s.Day, s.Until), E(s.Village), E(w.Category(s.Category)), s.Since.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), N(s.Observed), s.Expected.ToString("0.00", CultureInfo.InvariantCulture), E(s.Method) }));
        html.Append(CultureInfo.InvariantCulture, $"<h3>{w.T("未按期排查时间最长的网格", "Grids longest without screening")}</h3>");
        if (pack.GridGaps.Count == 0) html.Append(CultureInfo.InvariantCulture, $"<p>{w.T("期末所有网格均按期排查。", "Every grid was screened within its cadence at the period's end.")}</p>");
        else Table(html, [w.T("网格", "Grid"), w.T("村/社区", "Village"), w.T("最近排查", "Last screened"), w.T("未排查天数", "Days without")],
            pack.GridGaps.Select(g => new[] { E(g.Grid), E(g.Village), D(g.LastScreened), double.IsInfinity(g.DaysWithout) ? w.T("从未", "never") : g.DaysWithout.ToString("0.0", CultureInfo.InvariantCulture) }));
        html.Append("</section>");

        // Cases for discussion
        html.Append(CultureInfo.InvariantCulture, $"<section><h2>{w.T("提请研判的案件", "Cases for discussion")}</h2>");
        html.Append(CultureInfo.InvariantCulture, $"<h3>{w.T("升级风险最高的在办案件", "Open cases with the highest escalation risk")}</h3>");
        if (pack.HighestRisk.Count == 0) html.Append(CultureInfo.InvariantCulture, $"<p>{w.T("无（风险评分只对截至当前的期间列出）。", "None (scores are listed only for a period that ends now).")}</p>");
        else Table(html, [w.T("案件", "Case"), w.T("村/社区", "Village"), w.T("类别", "Category"), w.T("已办天数", "Days open"), w.T("30天风险", "30-day risk"), w.T("主要原因", "Top reasons")],
            pack.HighestRisk.Select((c, i) => new[] { E(c.CaseId ?? $"#{i + 1}"), E(c.Village), E(w.Category(c.Category)), N(c.DaysOpen), c.Probability.ToString("P1", CultureInfo.InvariantCulture), E(string.Join("；", c.Reasons)) }));
        html.Append(CultureInfo.InvariantCulture, $"<h3>{w.T("超期案件", "Overdue cases")}</h3>");
        if (pack.Overdue.Count == 0) html.Append(CultureInfo.InvariantCulture, $"<p>{w.T("无。", "None.")}</p>");
        else Table(html, [w.T("案件", "Case"), w.T("村/社区", "Village"), w.T("类别", "Category"), w.T("状态", "Status"), w.T("已办天数", "Days open"), w.T("已超时限", "Deadline passed")],
            pack.Overdue.Select((c, i) => new[] { E(c.CaseId ?? $"#{i + 1}"), E(c.Village), E(w.Category(c.Category)), DisputeVocabulary.WireName(c.Status), N(c.DaysOpen), E(Deadline(c.Deadline, w)) }));
        html.Append(CultureInfo.InvariantCulture, $"<h3>{w.T("本期发生伤害事件的案件", "Cases with a harm incident in the period")}</h3>");
        if (pack.Harms.Count == 0) html.Append(CultureInfo.InvariantCulture, $"<p>{w.T("无。", "None.")}</p>");
        else Table(html, [w.T("日期", "Day"), w.T("案件", "Case"), w.T("村/社区", "Village"), w.T("类别", "Category"), w.T("事件", "Incident")],
            pack.Harms.Select((c, i) => new[] { c.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), E(c.CaseId ?? $"#{i + 1}"), E(c.Village), E(c.Category is { } cat ? w.Category(cat) : "—"), E(w.Incident(c.Type)) }));
        html.Append("</section>");

        // Model health
        html.Append(CultureInfo.InvariantCulture, $"<section><h2>{w.T("模型健康状况", "Model health")}</h2>");
        if (pack.Model is not { } m) html.Append(CultureInfo.InvariantCulture, $"<p>{w.T("无模型信息。", "No model information.")}</p>");
        else
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>{w.T("当前模型", "Current model")} {E(m.Model)}: {w.T("测试集", "test")} AUC {F(m.TestAuc)}, Brier {F(m.TestBrier)}. " +
                $"{w.T("本期已知30天结局的评分", "Scores of this period with a known 30-day outcome")}: {m.Rows:N0}, {w.T("伤害", "harms")} {m.Harms:N0}, Brier {F(m.PeriodBrier)}.</p>");
            if (m.Calibration.Count > 0)
            {
                html.Append(CultureInfo.InvariantCulture, $"<h3>{w.T("按十分位的校准", "Calibration by decile")}</h3>");
                Table(html, [w.T("十分位", "Decile"), w.T("评分数", "Rows"), w.T("平均预测", "Mean predicted"), w.T("实际发生率", "Observed")],
                    m.Calibration.Select(c => new[] { N(c.Decile), N(c.Rows), c.MeanPredicted.ToString("P1", CultureInfo.InvariantCulture), c.Observed.ToString("P1", CultureInfo.InvariantCulture) }));
            }
            foreach (var (name, slices) in new[] { (w.T("各县（区）误差", "Error by county"), m.ByCounty), (w.T("各类别误差", "Error by category"), m.ByCategory) })
            {
                if (slices.Count == 0) continue;
                html.Append(CultureInfo.InvariantCulture, $"<h3>{name}</h3>");
                Table(html, [w.T("分组", "Slice"), w.T("评分数", "Rows"), w.T("伤害", "Harms"), w.T("平均预测", "Mean predicted"), "Brier"],
                    slices.Select(s => new[] { E(s.Slice), N(s.Rows), N(s.Harms), s.MeanPredicted.ToString("P1", CultureInfo.InvariantCulture), s.Brier.ToString("0.0000", CultureInfo.InvariantCulture) }));
            }
        }
        html.Append("</section>");

        // Appendix
        html.Append(CultureInfo.InvariantCulture, $"<section class=\"appendix\"><h2>{w.T("附录：指标定义", "Appendix: definitions")}</h2><dl>");
        foreach (var (term, definition) in Definitions(pack, w))
            html.Append(CultureInfo.InvariantCulture, $"<dt>{E(term)}</dt><dd>{E(definition)}</dd>");
        html.Append("</dl>");
        html.Append(CultureInfo.InvariantCulture, $"<p>{w.T("数据时间范围", "Data time range")}: {D(pack.DataFrom)} — {D(pack.DataTo)}</p></section>");
        html.Append("</body></html>");
        return html.ToString();
    }

    public static string Summary(BriefingPack pack, IReadOnlyList<KeyNumberRow> keys, ReportWords w)
    {
        var k = keys.ToDictionary(x => x.Key);
        string F(string key) => k[key].Format(k[key].Current);
        string Say(string key) => $"{k[key].Format(k[key].Current)}（{w.T("环比", "vs previous")} {k[key].Change(k[key].Previous)}，{w.T("同比", "vs last year")} {k[key].Change(k[key].LastYear)}）";
        var top = pack.Trend.SelectMany(b => b.New).GroupBy(x => x.Key).Select(g => (g.Key, Sum: g.Sum(x => x.Value))).OrderByDescending(x => x.Sum).FirstOrDefault();
        return w.Zh
            ? $"{pack.Period.From:yyyy年M月d日}至{pack.Period.To:yyyy年M月d日}，{pack.AreaName}新发矛盾纠纷{Say("new")}，化解{Say("resolved")}，化解率{Say("resolution_rate")}；期末在办{k["open"].Format(k["open"].Current)}件，未了结案件中超办结时限{k["overdue_complete"].Format(k["overdue_complete"].Current)}件；网格排查率{Say("screening_compliance")}；发生伤害事件{k["harm_incidents"].Format(k["harm_incidents"].Current)}起。" +
              (top.Sum > 0 ? $"新发最多的类别为{w.Category(top.Key)}（{top.Sum}件）。" : "") + (pack.Spikes.Count > 0 ? $"本期出现{pack.Spikes.Count}个异常升高信号。" : "") +
              (pack.Alerts?.Current is not null ? $"触发预警{Say("alerts_fired")}，按时签收{F("alerts_acknowledged_in_time")}次，升级{F("alerts_escalated")}次，签收用时中位数{F("alerts_median_ack_minutes")}分钟。" : "")
            : $"From {pack.Period.From:yyyy-MM-dd} to {pack.Period.To:yyyy-MM-dd}, {pack.AreaName} had {Say("new")} new cases; {Say("resolved")} were resolved, a resolution rate of {Say("resolution_rate")}. " +
              $"{k["open"].Format(k["open"].Current)} cases were open at the end; {k["overdue_complete"].Format(k["overdue_complete"].Current)} unsettled cases were past their completion deadline; grid screening compliance was {Say("screening_compliance")}; {k["harm_incidents"].Format(k["harm_incidents"].Current)} harm incidents. " +
              (top.Sum > 0 ? $"The largest category was {w.Category(top.Key)} ({top.Sum}). " : "") + (pack.Spikes.Count > 0 ? $"{pack.Spikes.Count} spike signals were raised. " : "") +
              (pack.Alerts?.Current is not null ? $"Alerts fired {Say("alerts_fired")} times; {F("alerts_acknowledged_in_time")} were acknowledged in time, {F("alerts_escalated")} escalations, median time to acknowledge {F("alerts_median_ack_minutes")} minutes." : "");
    }

    public static IReadOnlyList<(string Term, string Definition)> Definitions(BriefingPack pack, ReportWords w) =>
    [
        (w.T("期间", "Period"), w.T($"自然日（UTC{Offset(pack.Period.UtcOffset)}），含首尾两日。上期为紧邻的等长期间，去年同期为同日期前推一年。", $"Civil days (UTC{Offset(pack.Period.UtcOffset)}), both ends included. The previous period is the same length just before; last year's is the same dates a year earlier.")),
        (w.T("新发纠纷", "New cases"), w.T("首份排查报告的事件时间落在期间内的案件。", "Cases whose first screening report's event time falls in the period.")),
        (w.T("化解、化解率", "Resolved, resolution rate"), w.T("期间内状态变为“化解”的次数；化解率 = 化解 ÷（化解 + 调解不成 + 转交），均按期间内的状态变化计。", "Status changes to resolved in the period; rate = resolved ÷ (resolved + failed + referred) changes in the period.")),
        (w.T("期末在办", "Open at period end"), w.T("期末时点状态为排查或调处中的案件。", "Cases screened or mediating at the end of the period.")),
        (w.T("超时限", "Past deadlines"), w.T($"期末未了结（在办或调解不成）且自受理起超过该类别时限的案件：受理时限仅计仍处排查状态者；调处、办结按天数。默认时限 {pack.Deadlines.AcceptDays}/{pack.Deadlines.MediateDays}/{pack.Deadlines.CompleteDays} 天，部分类别另有规定。", $"Unsettled cases (open, or failed) at the end, older than their category's deadline: acceptance counts only cases still screened; mediation and completion count days. Defaults {pack.Deadlines.AcceptDays}/{pack.Deadlines.MediateDays}/{pack.Deadlines.CompleteDays} days, some categories differ.")),
        (w.T("网格排查率", "Screening compliance"), w.T($"期间内有排查（含零报告或排查报告）的“网格·日”占全部“网格·日”的比例（排查周期 {pack.ScreeningCadence.TotalDays:0.#} 天）。", $"Grid-days with a screening round (zero reports included) or report, over all grid-days of the period (cadence {pack.ScreeningCadence.TotalDays:0.#} days).")),
        (w.T("伤害事件", "Harm incidents"), w.T("期间内的暴力、伤害、自伤、刑事案件类事件。信访、投诉不计入风险。", "Violence, injury, self-harm and criminal-case incidents in the period. Petitions and complaints are never counted as risk.")),
        (w.T("高/极高风险", "High or critical risk"), w.T("期末在办且升级风险评分为高或极高的案件：截至当下的期间按各案件当前评分；已结束的期间按期末前最后一次区域风险快照（时序库 area_risk，3 天内；无快照则不可得）。", "Cases open at the end whose escalation score is high or critical: for a period ending now, by each case's current score; for a period already over, the area's last risk snapshot before its end (time series area_risk, within 3 days; unknown without one).")),
        (w.T("异常升高信号", "Spike signals"), w.T("按夜间扫描的方法（泊松窗口、CUSUM）逐日重算的村级信号：观测数对比按全市参照缩放的自身基线。", "Village signals recomputed day by day with the nightly scan's methods (Poisson windows, CUSUM): observed counts against the village's own baseline scaled by the city's.")),
        .. pack.Focus is not null ? [] : new[] { (w.T("预警", "Alerts"), pack.Alerts is null
            ? w.T("本服务未接入时序库（InfluxDB），预警数字不可得。", "The service runs without its time series (InfluxDB): the alert numbers are unknown.")
            : w.T("按预警生命周期时序点统计：触发含首次触发及签收超时后再次触发；按时签收为升级前完成的签收；升级为无人签收时逐级上报的次数；签收用时为触发至签收。原始时序点保留期外只可得触发、签收、升级次数。",
                "From the alerts' lifecycle points: fired counts first firings and firings again after an acknowledgement ran out; in time means acknowledged before the alert escalated; escalations are the steps taken because nobody acknowledged; time to acknowledge runs from firing. Beyond the raw points' retention only the counts of firings, acknowledgements and escalations are known.")) },
        (w.T("个人信息", "Personal data"), w.T("本材料不含任何人员姓名或编号；案件编号仅向有权查看案件的角色显示。", "This pack holds no person's name or id; case ids show only for roles allowed to open cases.")),
    ];

    private static string Offset(TimeSpan o) => $"{(o < TimeSpan.Zero ? "-" : "+")}{o:hh\\:mm}";

    private static string Deadline(string key, ReportWords w) => key switch
    {
        "accept" => w.T("受理", "acceptance"),
        "mediate" => w.T("调处", "mediation"),
        _ => w.T("办结", "completion"),
    };

    private static void Table(StringBuilder html, IReadOnlyList<string> headers, IEnumerable<string[]> rows)
    {
        html.Append("<table><thead><tr>");
        foreach (var h in headers) html.Append(CultureInfo.InvariantCulture, $"<th>{WebUtility.HtmlEncode(h)}</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            foreach (var cell in row) html.Append(CultureInfo.InvariantCulture, $"<td>{cell}</td>");
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
    }

    private static string Days(DateOnly from, DateOnly until) =>
        from == until ? from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : $"{from:yyyy-MM-dd}–{until:MM-dd}";

    private static string N(int v) => v.ToString("N0", CultureInfo.InvariantCulture);
    private static string Signed(int v) => v > 0 ? $"+{v}" : v < 0 ? $"−{-v}" : "0";
    private static string P(double? v) => v is { } x ? x.ToString("P1", CultureInfo.InvariantCulture) : "—";
    private static string F(double? v) => v is { } x ? x.ToString("0.000", CultureInfo.InvariantCulture) : "—";
}
