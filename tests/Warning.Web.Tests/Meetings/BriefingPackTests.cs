using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Risk;
using Warning.Web.Tests.Support;
using Xunit.Abstractions;

namespace Warning.Web.Tests.Meetings;

/// <summary>
/// The pack's numbers against the same numbers recomputed here, straight from the records the log was given, by code of
/// the test's own (not the service's ledger); the CSV's tables against the pack; the bad requests.
/// </summary>
public sealed class BriefingPackTests(MeetingHistory history, ITestOutputHelper output) : IClassFixture<MeetingHistory>
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    // The month before the fixed "now" (2026-11-23 11:00 in China): whole, inside the history, with last year's inside too.
    private static readonly DateOnly From = new(2026, 10, 1), To = new(2026, 10, 31);

    private AreaHierarchy H => history.Factory.Hierarchy;

    [Fact]
    public async Task Every_key_number_equals_the_same_number_recomputed_from_the_records_for_the_city_and_a_county()
    {
        var client = history.App.CreateClient();
        var county = H.ChildrenOf(history.Factory.CityId).OrderBy(a => a.Id, StringComparer.Ordinal).First();
        foreach (var area in new[] { H[history.Factory.CityId], county })
        {
            var files = await CsvAsync(client, area.Id, From, To);
            var keys = files["key_numbers.csv"].Skip(1).ToDictionary(r => r[0]);
            var periods = new[] { (Col: 2, From, To), (Col: 3, From.AddDays(-31), From.AddDays(-1)), (Col: 4, From.AddYears(-1), To.AddYears(-1)) };
            foreach (var (col, from, to) in periods)
            {
                var expected = Recompute(area, from, to);
                output.WriteLine($"{area.Name} {from}..{to}: {string.Join(", ", expected.Select(e => $"{e.Key}={e.Value}"))}");
                Assert.True(expected["new"] > 20, $"too little history to test on: {expected["new"]} new cases");
                foreach (var (key, value) in expected)
                    Assert.True(Close(value, keys[key][col]), $"{area.Name} {from}..{to} {key}: pack says '{keys[key][col]}', the records say {value}");
            }

            // The tables behind the numbers add up to them.
            var cases = files["cases.csv"];
            var col2 = cases[0].Select((h, i) => (h, i)).ToDictionary(x => x.h, x => x.i);
            int Sum(string column) => cases.Skip(1).Sum(r => int.Parse(r[col2[column]], CultureInfo.InvariantCulture));
            Assert.Equal(keys["new"][2], Sum("new").ToString(CultureInfo.InvariantCulture));
            Assert.Equal(keys["resolved"][2], Sum("resolved").ToString(CultureInfo.InvariantCulture));
            Assert.Equal(keys["open"][2], Sum("open").ToString(CultureInfo.InvariantCulture));
            Assert.Equal(keys["overdue_complete"][2], Sum("overdue_complete").ToString(CultureInfo.InvariantCulture));
            var trend = files["trend.csv"];
            Assert.Equal(keys["new"][2], trend.Skip(1).Sum(r => int.Parse(r[^1], CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture));
            var grids = files["grids.csv"].Skip(1).ToArray();
            Assert.Equal(Blocks(area).Count, grids.Length);
            var areas = files["areas.csv"].Skip(1).ToArray();
            Assert.Equal(H.ChildrenOf(area.Id).Count, areas.Length);
            Assert.Equal(int.Parse(keys["new"][2], CultureInfo.InvariantCulture), areas.Sum(r => int.Parse(r[3], CultureInfo.InvariantCulture)));

            // Model health: the deciles, the counties and the categories each cover the same scored rows, with harms among them.
            var deciles = files["model_calibration.csv"].Skip(1).ToArray();
            Assert.Equal(10, deciles.Length);
            var slices = files["model_slices.csv"].Skip(1).ToArray();
            var scored = deciles.Sum(r => int.Parse(r[1], CultureInfo.InvariantCulture));
            Assert.True(scored > 50, $"{scored} scored rows");
            Assert.Equal(scored, slices.Where(r => r[0] == "county").Sum(r => int.Parse(r[2], CultureInfo.InvariantCulture)));
            Assert.Equal(scored, slices.Where(r => r[0] == "category").Sum(r => int.Parse(r[2], CultureInfo.InvariantCulture)));
            Assert.True(slices.Where(r => r[0] == "county").Sum(r => int.Parse(r[3], CultureInfo.InvariantCulture)) > 0, "no harm among the scored rows");
            // Deciles go up: the top tenth is predicted above the bottom tenth.
            Assert.True(double.Parse(deciles[^1][2], CultureInfo.InvariantCulture) > double.Parse(deciles[0][2], CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task The_html_pack_names_the_area_shows_its_numbers_and_charts_and_no_person()
    {
        var client = history.App.CreateClient();
        var county = H.ChildrenOf(history.Factory.CityId).OrderBy(a => a.Id, StringComparer.Ordinal).Last();
        using var response = await client.GetAsync($"/api/v1/reports/briefing?regionId={county.Id}&from={From:yyyy-MM-dd}&to={To:yyyy-MM-dd}");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains(county.Name, html);
        Assert.Contains("矛盾纠纷风险研判会材料", html);
        Assert.Contains("<svg", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" style=", html, StringComparison.Ordinal);
        var expectedNew = Recompute(county, From, To)["new"];
        Assert.Contains($"<tr data-key=\"new\"><td>新发纠纷</td><td class=\"num\">{expectedNew:N0}</td>", html);
        AssertNoPerson(html);

        var en = await client.GetStringAsync($"/api/v1/reports/briefing?regionId={county.Id}&from={From:yyyy-MM-dd}&to={To:yyyy-MM-dd}&lang=en");
        Assert.Contains("Risk-analysis meeting pack", en);
    }

    [Theory]
    [InlineData("from=2026-10-31&to=2026-10-01", "from")]
    [InlineData("from=2024-01-01&to=2026-10-01", "to")]
    [InlineData("from=2026-10-01&to=2026-10-31&format=docx", "format")]
    [InlineData("from=2026-13-01&to=2026-10-31", "from")]
    [InlineData("from=2026-10-01&to=31.10.2026", "to")]
    [InlineData("to=2026-10-31", "from")]
    [InlineData("from=2026-10-01&to=2026-10-31&lang=fr", "lang")]
    public async Task Bad_input_gets_400_naming_the_parameter(string query, string field)
    {
        var client = history.App.CreateClient();
        using var response = await client.GetAsync($"/api/v1/reports/briefing?regionId={history.Factory.CityId}&{query}");
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(field, (string?)body["errors"]![0]!["field"]);
    }

    [Fact]
    public async Task An_unknown_region_gets_404()
    {
        var client = history.App.CreateClient();
        using var response = await client.GetAsync("/api/v1/reports/briefing?regionId=nowhere&from=2026-10-01&to=2026-10-31");
        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal("regionId", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]![0]!["field"]);
    }

    private HashSet<string> Blocks(Area area) =>
        (area.Level == AreaLevel.Grid ? [area] : H.Descendants(area.Id, AreaLevel.Grid)).Select(g => g.Id).ToHashSet(StringComparer.Ordinal);

    /// <summary>The key numbers of an area and period, from the records as given (definitions: the pack's appendix).</summary>
    private Dictionary<string, double> Recompute(Area area, DateOnly from, DateOnly to)
    {
        var grids = Blocks(area);
        var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), China);
        var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), China);
        bool In(DateTimeOffset t) => t >= start && t < end;
        var deadlines = new DeadlineOptions();
        var byCase = history.Records.OfType<ScreeningReport>().GroupBy(r => r.CaseId!)
            .Select(g => g.OrderBy(r => r.ReportedAt).ToList())
            .Where(reports => grids.Contains(reports[0].GridId))
            .ToList();
        int opened = 0, resolved = 0, closed = 0, open = 0, overdue = 0, overdueMediate = 0, overdueAccept = 0;
        foreach (var reports in byCase)
        {
            if (In(reports[0].ReportedAt)) opened++;
            CaseStatus? before = null;
            foreach (var r in reports)
            {
                if (In(r.ReportedAt) && r.Status != before && r.Status is CaseStatus.Resolved or CaseStatus.Failed or CaseStatus.Referred)
                {
                    closed++;
                    if (r.Status == CaseStatus.Resolved) resolved++;
                }
                before = r.Status;
            }
            var last = reports.LastOrDefault(r => r.ReportedAt < end);
            if (last is null) continue;
            if (last.Status is CaseStatus.Screened or CaseStatus.Mediating) open++;
            var age = (end - reports[0].ReportedAt).TotalDays;
            if (last.Status is CaseStatus.Screened or CaseStatus.Mediating or CaseStatus.Failed)
            {
                if (age > deadlines.For(last.Category).Complete) overdue++;
                if (age > deadlines.For(last.Category).Mediate) overdueMediate++;
                if (last.Status == CaseStatus.Screened && age > deadlines.For(last.Category).Accept) overdueAccept++;
            }
        }
        var screenedDays = history.Records.OfType<ScreeningRound>().Where(s => grids.Contains(s.GridId) && In(s.ScreenedAt)).Select(s => (s.GridId, Day: s.ScreenedAt.ToOffset(China).Date))
            .Concat(history.Records.OfType<ScreeningReport>().Where(r => grids.Contains(r.GridId) && In(r.ReportedAt)).Select(r => (r.GridId, Day: r.ReportedAt.ToOffset(China).Date)))
            .Distinct().Count();
        var days = to.DayNumber - from.DayNumber + 1;
        var harms = history.Records.OfType<Incident>().Count(i => grids.Contains(i.GridId) && In(i.OccurredAt)
            && i.Type is IncidentType.Violence or IncidentType.Injury or IncidentType.SelfHarm or IncidentType.CriminalCase);
        return new Dictionary<string, double>
        {
            ["new"] = opened, ["resolved"] = resolved, ["resolution_rate"] = closed == 0 ? double.NaN : (double)resolved / closed, ["open"] = open,
            ["overdue_accept"] = overdueAccept, ["overdue_mediate"] = overdueMediate, ["overdue_complete"] = overdue, ["screening_compliance"] = (double)screenedDays / (grids.Count * days), ["harm_incidents"] = harms,
        };
    }

    private static bool Close(double expected, string actual) =>
        double.IsNaN(expected) ? actual.Length == 0 : double.TryParse(actual, CultureInfo.InvariantCulture, out var a) && Math.Abs(a - expected) < 0.00006;

    internal static Task<Dictionary<string, List<string[]>>> CsvAsync(HttpClient client, string areaId, DateOnly from, DateOnly to) =>
        Csv.ReadZipAsync(client, $"/api/v1/reports/briefing?regionId={areaId}&from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}&format=csv");

    private void AssertNoPerson(string text)
    {
        foreach (var p in history.KeyIndividuals) Assert.DoesNotContain(p.PersonId, text);
        foreach (var reporter in history.Records.OfType<ScreeningReport>().Select(r => r.ReporterId).Distinct()) Assert.DoesNotContain(reporter, text);
    }
}

/// <summary>RFC 4180 as the pack writes it: quoted fields may hold commas, quotes (doubled) and line breaks.</summary>
internal static class Csv
{
    /// <summary>The zip of CSVs at <paramref name="path"/>, each file checked for its UTF-8 byte-order mark and parsed.</summary>
    public static async Task<Dictionary<string, List<string[]>>> ReadZipAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        var files = new Dictionary<string, List<string[]>>();
        foreach (var entry in zip.Entries)
        {
            using var stream = new MemoryStream();
            await using (var s = entry.Open()) await s.CopyToAsync(stream);
            var bytes = stream.ToArray();
            Assert.True(bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF, $"{entry.Name} has no UTF-8 byte-order mark");
            files[entry.Name] = Parse(Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3));
        }
        return files;
    }

    public static List<string[]> Parse(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(cell.ToString()); cell.Clear(); }
            else if (c == '\r') { }
            else if (c == '\n') { row.Add(cell.ToString()); cell.Clear(); rows.Add(row.ToArray()); row.Clear(); }
            else cell.Append(c);
        }
        if (cell.Length > 0 || row.Count > 0) { row.Add(cell.ToString()); rows.Add(row.ToArray()); }
        return rows;
    }
}
