using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Warning.Web.Tests.Live;
using Warning.Web.Tests.Support;
using Xunit.Abstractions;

namespace Warning.Web.Tests.Console;

/// <summary>
/// The duty console at /console/ in Debian's real Chromium against a real service process with Alerts:GroupWait 0:
/// an alert reaches the queue within a second of its report, is acknowledged on one key with a comment, survives a
/// kill -9 of the service with nothing lost or shown twice, and a stale acknowledgement shows the current alert.
/// </summary>
public sealed class DutyConsoleTests(ITestOutputHelper output)
{
    private static readonly AreaHierarchy City = CityGenerator.Generate(CityShape.Small, 7);
    /// <summary>One grid of each village: alerts group by area and rule, so each report here opens an alert of its own.</summary>
    private static readonly string[] Grids = City.AtLevel(AreaLevel.Village).Select(v => City.Descendants(v.Id, AreaLevel.Grid).First().Id).ToArray();

    /// <summary>Each wait of the browser: a busy 2-core machine is slow, never a reason to fail (Playwright's default is 30 s).</summary>
    private static readonly float Limit = (float)TimeSpan.FromMinutes(3).TotalMilliseconds;

    private static readonly string[] NoGroupWait = ["--Alerts:GroupWait=00:00:00"];

    private int _reports;

    [Fact]
    public async Task An_alert_shows_within_a_second_of_its_report_is_acknowledged_on_one_key_and_leaves_a_second_browsers_unacknowledged_view()
    {
        await using var run = await ConsoleRun.StartAsync(output);
        var officer = await run.OpenConsoleAsync();
        var colleague = await run.OpenConsoleAsync();
        await colleague.SelectOptionAsync("#view", "unacked");

        var (caseId, acceptedAt) = await PostCriticalReportAsync(run.Service);
        var item = ItemOf(caseId);
        await officer.WaitForSelectorAsync(item);
        var renderedAt = await officer.EvaluateAsync<long>("id => window.warningConsole.renderedAt(id)", caseId);
        output.WriteLine($"rendered {renderedAt - acceptedAt} ms after the 202");
        Assert.True(renderedAt - acceptedAt < 1000, $"the alert of case {caseId} was on screen {renderedAt - acceptedAt} ms after its report was accepted");
        await colleague.WaitForSelectorAsync(item);

        // One key: A opens the comment of the selected alert, Enter acknowledges.
        await officer.ClickAsync(item);
        await officer.Keyboard.PressAsync("a");
        await officer.Keyboard.TypeAsync("已电话联系村调委会, 调解员正赶往现场");
        await officer.Keyboard.PressAsync("Enter");
        await officer.WaitForSelectorAsync($"{item}[data-state=acknowledged]");
        await colleague.WaitForSelectorAsync(item, new() { State = WaitForSelectorState.Detached });

        var id = (await officer.GetAttributeAsync(item, "data-id"))!;
        var alert = await run.GetAlertAsync(id);
        Assert.Equal("acknowledged", (string?)alert["state"]);
        Assert.Equal("test", (string?)alert["acknowledgedBy"]);
        Assert.Contains(alert["timeline"]!.AsArray(), e => (string?)e!["kind"] == "ack" && ((string?)e["comment"])?.Contains("已电话联系村调委会", StringComparison.Ordinal) == true);
        // The colleague's "all open" view still lists it, as acknowledged.
        await colleague.SelectOptionAsync("#view", "open");
        await colleague.WaitForSelectorAsync($"{item}[data-state=acknowledged]");
        run.AssertNoPageErrors();
    }

    [Fact]
    public async Task After_a_kill_9_and_a_restart_the_open_console_shows_every_alert_once_at_its_latest_version()
    {
        await using var run = await ConsoleRun.StartAsync(output);
        var page = await run.OpenConsoleAsync();
        for (var i = 0; i < 3; i++) await page.WaitForSelectorAsync(ItemOf((await PostCriticalReportAsync(run.Service)).CaseId));
        await run.AssertConsoleAgreesAsync(page);

        run.Service.Kill();
        await page.WaitForSelectorAsync("#connection:not([data-state=live])");
        await run.RestartAsync();

        // While the console is still away (it backs off): new alerts, and a change to one it already shows.
        var later = new List<string>();
        for (var i = 0; i < 3; i++) later.Add((await PostCriticalReportAsync(run.Service)).CaseId);
        var before = (await run.OpenAlertsAsync()).First(a => !later.Contains((string)a["subject"]!["id"]!));
        await run.CommandAsync((string)before["id"]!, "ack", new JsonObject { ["version"] = (int)before["version"]!, ["comment"] = "夜班值班员已签收" });

        await page.WaitForSelectorAsync("#connection[data-state=live]", new() { Timeout = Limit });
        foreach (var caseId in later) await page.WaitForSelectorAsync(ItemOf(caseId));
        await page.WaitForSelectorAsync($"#queue li[data-id='{(string)before["id"]!}'][data-state=acknowledged]");
        await run.AssertConsoleAgreesAsync(page);
    }

    [Fact]
    public async Task An_acknowledgement_made_on_a_stale_version_shows_the_current_alert_instead_of_overwriting_it()
    {
        await using var run = await ConsoleRun.StartAsync(output);
        var page = await run.OpenConsoleAsync();
        var (caseId, _) = await PostCriticalReportAsync(run.Service);
        var item = ItemOf(caseId);
        await page.WaitForSelectorAsync(item);
        await page.ClickAsync(item);
        await page.Keyboard.PressAsync("a");
        await page.Keyboard.TypeAsync("准备签收");
        var seen = int.Parse((await page.GetAttributeAsync("#detail", "data-version"))!, System.Globalization.CultureInfo.InvariantCulture);

        // Meanwhile another officer dispatches it; the push reaches this console before the officer presses Enter.
        var id = (await page.GetAttributeAsync(item, "data-id"))!;
        var deadline = DateTimeOffset.UtcNow.AddHours(4).ToString("O");
        await run.CommandAsync(id, "assign", new JsonObject { ["version"] = seen, ["department"] = "justice", ["deadline"] = deadline, ["comment"] = "司法所牵头调处" });
        await page.WaitForFunctionAsync($"() => Number(document.getElementById('detail').dataset.version) > {seen}");
        await page.Keyboard.PressAsync("Enter");

        await page.WaitForSelectorAsync("#conflict:not([hidden])");
        Assert.Equal("准备签收", await page.InputValueAsync("#ack-comment"));
        var current = await run.GetAlertAsync(id);
        Assert.NotEqual("acknowledged", (string?)current["state"]);
        Assert.Equal("justice", (string?)current["assignedTo"]!["department"]);
        Assert.Equal(((int)current["version"]!).ToString(System.Globalization.CultureInfo.InvariantCulture), await page.GetAttributeAsync("#detail", "data-version"));
        Assert.DoesNotContain(current["timeline"]!.AsArray(), e => (string?)e!["comment"] == "准备签收");

        // Having seen it, the officer acknowledges the current version.
        await page.FocusAsync("#ack-comment");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync($"{item}[data-state=acknowledged]");
        Assert.Contains((await run.GetAlertAsync(id))["timeline"]!.AsArray(), e => (string?)e!["comment"] == "准备签收");
        run.AssertNoPageErrors(allowed: "409");
    }

    private static string ItemOf(string caseId) => $"#queue li[data-subjects~='{caseId}']";

    /// <summary>
    /// A report whose points score is critical (threat 3, self-harm 3, weapon 2, prior violence 2: 10 points, ≈42%):
    /// the case opens at Critical risk, which the case-risk rule alerts on. Returns the case and when the 202 came (unix ms).
    /// </summary>
    private async Task<(string CaseId, long AcceptedAt)> PostCriticalReportAsync(ServiceProcess service)
    {
        using var client = new HttpClient { BaseAddress = new Uri(service.BaseUrl) };
        var report = Reports.Valid(Grids[_reports++ % Grids.Length]);
        report["reportedAt"] = DateTimeOffset.UtcNow.ToString("O");
        report["category"] = "neighbor";
        report["flags"] = new JsonArray("threat_of_violence", "self_harm_risk", "weapon_mentioned", "prior_violence");
        var (status, body, _) = await Reports.PostAsync(client, "/api/v1/reports", report);
        var acceptedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Assert.Equal(202, status);
        return ((string)body!["items"]![0]!["caseId"]!, acceptedAt);
    }

    /// <summary>A service process, a browser and the console pages opened on it, all stopped and removed at the end.</summary>
    private sealed class ConsoleRun : IAsyncDisposable
    {
        private readonly ITestOutputHelper _output;
        private readonly string _data = Path.Combine(Path.GetTempPath(), "warning-console-" + Guid.NewGuid().ToString("N"));
        private readonly List<string> _errors = [];
        private IPlaywright _playwright = null!;
        private IBrowser _browser = null!;

        private ConsoleRun(ITestOutputHelper output) => _output = output;

        public ServiceProcess Service { get; private set; } = null!;

        public static async Task<ConsoleRun> StartAsync(ITestOutputHelper output)
        {
            var run = new ConsoleRun(output);
            run.Service = await ServiceProcess.StartAsync(run._data, NoGroupWait);
            run._playwright = await Playwright.CreateAsync();
            run._browser = await run._playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ScreenPageTests.ChromiumArgs });
            return run;
        }

        /// <summary>Kill -9 happened; the same data folder and port again, as systemd would restart it.</summary>
        public async Task RestartAsync()
        {
            var port = Service.Port;
            await Service.DisposeAsync();
            Service = await ServiceProcess.StartAsync(_data, port, NoGroupWait);
        }

        /// <summary>A console in a browser context of its own (a second officer's desk), once it is live.</summary>
        public async Task<IPage> OpenConsoleAsync()
        {
            var context = await _browser.NewContextAsync(new() { ViewportSize = new() { Width = 1600, Height = 900 } });
            context.SetDefaultTimeout(Limit);
            var page = await context.NewPageAsync();
            page.Console += (_, m) => { if (m.Type == "error") lock (_errors) _errors.Add($"{m.Text} ({m.Location})"); };
            page.PageError += (_, e) => { lock (_errors) _errors.Add("page error: " + e); };
            await page.GotoAsync(Service.BaseUrl + "/console/");
            await page.WaitForSelectorAsync("#connection[data-state=live]");
            return page;
        }

        /// <summary>No script error, CSP refusal or failed request, except failed requests of the status <paramref name="allowed"/>.</summary>
        public void AssertNoPageErrors(string? allowed = null)
        {
            string[] unexpected;
            lock (_errors)
                unexpected = _errors.Where(e => !(allowed is not null && e.StartsWith("Failed to load resource", StringComparison.Ordinal) && e.Contains(allowed, StringComparison.Ordinal))).ToArray();
            Assert.True(unexpected.Length == 0, "errors in the console pages:\n" + string.Join("\n", unexpected));
        }

        public async Task<JsonNode> GetAlertAsync(string id)
        {
            using var client = new HttpClient { BaseAddress = new Uri(Service.BaseUrl) };
            return await Reports.GetAsync(client, $"/api/v1/alerts/{Uri.EscapeDataString(id)}");
        }

        public async Task<List<JsonNode>> OpenAlertsAsync()
        {
            using var client = new HttpClient { BaseAddress = new Uri(Service.BaseUrl) };
            var all = new List<JsonNode>();
            string? cursor = null;
            do
            {
                var page = await Reports.GetAsync(client, "/api/v1/alerts?state=open&limit=500" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
                all.AddRange(page["alerts"]!.AsArray().Select(x => x!));
                cursor = (string?)page["nextCursor"];
            } while (cursor is not null);
            return all;
        }

        public async Task CommandAsync(string id, string verb, JsonObject body)
        {
            using var client = new HttpClient { BaseAddress = new Uri(Service.BaseUrl) };
            var (status, answer, _) = await Reports.PostAsync(client, $"/api/v1/alerts/{Uri.EscapeDataString(id)}/{verb}", body);
            Assert.True(status == 200, $"{verb} {id}: {status} {answer}");
        }

        /// <summary>
        /// Until the console's "all open" queue holds exactly the service's open alerts, each once, at the version the
        /// service holds (a duplicate, a missing alert or a stale version would keep this from ever holding).
        /// </summary>
        public async Task AssertConsoleAgreesAsync(IPage page)
        {
            string expected = "", shown = "";
            var agreed = await Poll.UntilAsync(async () =>
            {
                expected = string.Join(" ", (await OpenAlertsAsync()).Select(a => $"{a["id"]}@{a["version"]}").Order(StringComparer.Ordinal));
                shown = string.Join(" ", (await page.EvalOnSelectorAllAsync<string[]>("#queue li", "items => items.map(li => `${li.dataset.id}@${li.dataset.version}`)"))
                    .Order(StringComparer.Ordinal));
                return expected.Length > 0 && expected == shown;
            }, TimeSpan.FromMinutes(2));
            if (!agreed) _output.WriteLine(Service.Output.Length > 6000 ? Service.Output[^6000..] : Service.Output);
            Assert.True(agreed, $"the service's open alerts [{expected}]; the console shows [{shown}]");
        }

        public async ValueTask DisposeAsync()
        {
            await _browser.DisposeAsync();
            _playwright.Dispose();
            await Service.DisposeAsync();
            try { Directory.Delete(_data, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
