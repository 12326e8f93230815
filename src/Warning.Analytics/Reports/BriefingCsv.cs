using System.Globalization;
using System.IO.Compression;
using System.Text;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;

namespace Warning.Analytics.Reports;

/// <summary>
/// The tables behind the pack's numbers as a zip of CSV files, UTF-8 with a byte-order mark so that Excel opens the
/// Chinese correctly. Every key number is a sum or count over cases.csv or grids.csv (definitions.csv says which).
/// </summary>
public static class BriefingCsv
{
    private static readonly UTF8Encoding Utf8Bom = new(encoderShouldEmitUTF8Identifier: true);

    public static byte[] Zip(BriefingPack pack, ReportWords w, AreaHierarchy hierarchy)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            void File(string name, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<object?>> rows)
            {
                var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
                using var writer = new StreamWriter(entry.Open(), Utf8Bom);
                writer.Write(Line(header));
                foreach (var row in rows) writer.Write(Line(row));
            }
            string D(DateTimeOffset t) => t.ToOffset(pack.Period.UtcOffset).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            string Name(string id) => hierarchy.TryGet(id, out var a) ? a.Name : id;
            string Village(string gridId) => hierarchy.TryGet(gridId, out _) && hierarchy.VillageOf(gridId) is { } v ? v.Name : "";
            string? Cat(DisputeCategory? c) => c is { } x ? DisputeVocabulary.WireName(x) : null;

            var keys = KeyNumberRow.Of(pack, w);
            File("key_numbers.csv", ["key", "label", "current", "previous", "last_year", "from", "to"],
                keys.Select(k => new object?[] { k.Key, k.Label, k.Current, k.Previous, k.LastYear, Day(pack.Period.From), Day(pack.Period.To) }));
            var seq = 0;
            File("cases.csv", ["case", "village", "grid", "grid_name", "category", "opened_at", "status_at_end", "new", "resolved", "closed", "open", "overdue_accept", "overdue_mediate", "overdue_complete"],
                pack.CaseRows.OrderBy(r => r.OpenedAt).Select(r => new object?[]
                {
                    pack.ShowsCaseIds ? r.CaseId : $"#{++seq}", Village(r.GridId), r.GridId, Name(r.GridId), Cat(r.Category), D(r.OpenedAt), r.StatusAtEnd is { } s ? DisputeVocabulary.WireName(s) : null,
                    B(r.New), r.Resolved, r.Closed, B(r.Open), B(r.OverdueAccept), B(r.OverdueMediate), B(r.OverdueComplete),
                }));
            File("grids.csv", ["grid", "name", "days", "days_screened"], pack.GridRows.Select(g => new object?[] { g.GridId, Name(g.GridId), g.Days, g.DaysScreened }));
            var categories = Enum.GetValues<DisputeCategory>();
            File("trend.csv", ["bucket_start", .. categories.Select(c => DisputeVocabulary.WireName(c)), "total"],
                pack.Trend.Select(b => new object?[] { Day(b.Start) }.Concat(categories.Select(c => (object?)b.New.GetValueOrDefault(c))).Append(b.Total).ToArray()));
            File("areas.csv", ["rank", "area", "name", "new", "previous_new", "increase", "open", "overdue_complete", "screening_compliance"],
                pack.Children.Select((r, i) => new object?[] { i + 1, r.Id, r.Name, r.New, r.PreviousNew, r.Increase, r.Open, r.OverdueComplete, r.ScreeningCompliance }));
            File("spikes.csv", ["day", "until", "village", "name", "category", "since", "observed", "expected", "method"],
                pack.Spikes.Select(s => new object?[] { Day(s.Day), Day(s.Until), s.VillageId, s.Village, Cat(s.Category), Day(s.Since), s.Observed, s.Expected, s.Method }));
            File("grid_gaps.csv", ["grid", "name", "village", "last_screened", "days_without"],
                pack.GridGaps.Select(g => new object?[] { g.GridId, g.Grid, g.Village, g.LastScreened is { } t ? D(t) : null, double.IsInfinity(g.DaysWithout) ? null : g.DaysWithout }));
            File("highest_risk.csv", ["case", "village", "category", "days_open", "probability", "level", "reasons"],
                pack.HighestRisk.Select((c, i) => new object?[] { c.CaseId ?? $"#{i + 1}", c.Village, Cat(c.Category), c.DaysOpen, c.Probability, c.Level.ToString().ToLowerInvariant(), string.Join("；", c.Reasons) }));
            File("overdue.csv", ["case", "village", "category", "status", "days_open", "deadline"],
                pack.Overdue.Select((c, i) => new object?[] { c.CaseId ?? $"#{i + 1}", c.Village, Cat(c.Category), DisputeVocabulary.WireName(c.Status), c.DaysOpen, c.Deadline }));
            File("harms.csv", ["day", "case", "village", "category", "incident"],
                pack.Harms.Select((c, i) => new object?[] { Day(c.Day), c.CaseId ?? $"#{i + 1}", c.Village, Cat(c.Category), DisputeVocabulary.WireName(c.Type) }));
            if (pack.Model is { } m)
            {
                File("model_calibration.csv", ["decile", "rows", "mean_predicted", "observed"], m.Calibration.Select(c => new object?[] { c.Decile, c.Rows, c.MeanPredicted, c.Observed }));
                File("model_slices.csv", ["kind", "slice", "rows", "harms", "mean_predicted", "brier"],
                    m.ByCounty.Select(s => new object?[] { "county", s.Slice, s.Rows, s.Harms, s.MeanPredicted, s.Brier })
                        .Concat(m.ByCategory.Select(s => new object?[] { "category", s.Slice, s.Rows, s.Harms, s.MeanPredicted, s.Brier })));
            }
            File("definitions.csv", ["term", "definition"], BriefingHtml.Definitions(pack, w).Select(d => new object?[] { d.Term, d.Definition })
                .Append(["data_from", pack.DataFrom is { } f ? D(f) : null]).Append(["data_to", pack.DataTo is { } t ? D(t) : null]));
        }
        return buffer.ToArray();
    }

    private static int B(bool b) => b ? 1 : 0;

    private static string Line(IReadOnlyList<object?> cells) => string.Join(',', cells.Select(Cell)) + "\r\n";

    private static string Cell(object? v)
    {
        var s = v switch
        {
            null => "",
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => v.ToString() ?? "",
        };
        // Quote what a spreadsheet would split or read as a formula.
        if (s.Length > 0 && s[0] is '=' or '+' or '-' or '@' && v is string) s = "'" + s;
        return s.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
    }
}
