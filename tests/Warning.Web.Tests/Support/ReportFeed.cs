using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;

namespace Warning.Web.Tests.Support;

/// <summary>One report a feed made up: what it says about its case, to count the case from the reports alone.</summary>
public sealed record SentReport(JsonObject Body, string CaseId, string GridId, bool Opens, CaseStatus Status, DateTimeOffset At)
{
    public string Id => (string)Body["reportId"]!;
}

/// <summary>
/// A feed of reports the way the durability tests need it: most open cases, one in five resolves a case whose opening was
/// acknowledged; it remembers every report it made and which got a 202, so a test can re-send the unanswered ones with
/// the same content and then check every area against what the acknowledged reports say.
/// </summary>
public sealed class ReportFeed(string[] grids, string prefix)
{
    private readonly ConcurrentQueue<(string CaseId, string GridId)> _openedCases = new();
    private int _made;

    public ConcurrentDictionary<string, SentReport> Sent { get; } = new();

    public ConcurrentDictionary<string, bool> Acknowledged { get; } = new();

    public int Made => Volatile.Read(ref _made);

    public IReadOnlyList<SentReport> Unanswered => Sent.Values.Where(s => !Acknowledged.ContainsKey(s.Id)).ToList();

    public SentReport Next(Random r)
    {
        var n = Interlocked.Increment(ref _made);
        var at = DateTimeOffset.UtcNow;
        SentReport report;
        if (r.Next(5) == 0 && _openedCases.TryDequeue(out var open))
        {
            var resolve = Reports.Valid(open.GridId, $"{prefix}-{n}");
            resolve["caseId"] = open.CaseId;
            resolve["status"] = "resolved";
            resolve["mediationAttempts"] = 1;
            resolve["reportedAt"] = at.ToString("O");
            report = new SentReport(resolve, open.CaseId, open.GridId, false, CaseStatus.Resolved, at);
        }
        else
        {
            var grid = grids[r.Next(grids.Length)];
            var body = Reports.Valid(grid, $"{prefix}-{n}");
            var status = r.Next(2) == 0 ? CaseStatus.Screened : CaseStatus.Mediating;
            body["status"] = status == CaseStatus.Screened ? "screened" : "mediating";
            body["reportedAt"] = at.ToString("O");
            report = new SentReport(body, CaseIds.FromOpeningReport($"{prefix}-{n}"), grid, true, status, at);
        }
        Sent[report.Id] = report;
        return report;
    }

    /// <summary>Takes a 202's items: each must be accepted or a duplicate of the same content; an opening acknowledged can be resolved.</summary>
    public void Acknowledge(JsonNode answer)
    {
        foreach (var item in answer["items"]!.AsArray())
        {
            var id = (string)item!["id"]!;
            Assert.True((string?)item["status"] is "accepted" or "duplicate", $"{id}: {item}");
            if (Acknowledged.TryAdd(id, true) && Sent[id].Opens) _openedCases.Enqueue((Sent[id].CaseId, Sent[id].GridId));
        }
    }

    public static JsonArray Batch(IEnumerable<SentReport> reports) => new(reports.Select(s => s.Body.DeepClone()).ToArray());

    /// <summary>Every area's counts equal the sum over its cases' states, as the reports define them; waits for the city to agree first.</summary>
    public static async Task AssertCountedOnceAsync(HttpClient client, AreaHierarchy city, IReadOnlyList<SentReport> reports, string when)
    {
        var expected = Expected(city, reports);
        // The applier catches up after the answers: wait until the city says so, then every area must agree.
        var root = city.Roots[0].Id;
        await Poll.UntilAsync(async () => Read((await Reports.GetAsync(client, $"/api/v1/regions/{root}"))["counts"]!) == expected[root], TimeSpan.FromMinutes(3));

        var wrong = new List<string>();
        foreach (var area in city.All)
        {
            var got = Read((await Reports.GetAsync(client, $"/api/v1/regions/{area.Id}"))["counts"]!);
            if (got != expected[area.Id]) wrong.Add($"{area.Level} {area.Id}: got {got}, expected {expected[area.Id]}");
        }
        Assert.True(wrong.Count == 0, $"{when}: {wrong.Count} areas miscounted:\n{string.Join("\n", wrong.Take(20))}");
    }

    /// <summary>Open, today and 30-day counts per area from the cases' states as the reports leave them.</summary>
    public static Dictionary<string, (int Open, int Today, int Last30Days)> Expected(AreaHierarchy city, IReadOnlyList<SentReport> reports)
    {
        var civil = TimeSpan.FromHours(8);
        var cases = reports.Where(r => r.Opens).ToDictionary(r => r.CaseId, r => (r.GridId, Status: r.Status, Opened: r.At));
        foreach (var resolve in reports.Where(r => !r.Opens)) cases[resolve.CaseId] = cases[resolve.CaseId] with { Status = CaseStatus.Resolved };

        var expected = new Dictionary<string, (int Open, int Today, int Last30Days)>();
        foreach (var area in city.All) expected[area.Id] = (0, 0, 0);
        var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(civil).DateTime);
        foreach (var (_, c) in cases)
        {
            foreach (var area in city.PathToRoot(c.GridId))
            {
                var e = expected[area.Id];
                expected[area.Id] = (e.Open + (c.Status.IsOpen() ? 1 : 0),
                    e.Today + (DateOnly.FromDateTime(c.Opened.ToOffset(civil).DateTime) == today ? 1 : 0), e.Last30Days + 1);
            }
        }
        return expected;
    }

    public static (int Open, int Today, int Last30Days) Read(JsonNode counts) => ((int)counts["open"]!, (int)counts["today"]!, (int)counts["last30Days"]!);
}
