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
    public async Task A_queue_longer_than_a_page_shows_its_top_and_pages_on_with_the_keys_or_the_button()
    {
        await using var run = await ConsoleRun.StartAsync(output);
        // Two rows a page (?rows=2): a night's 1,400 alerts are 14 pages of 100.
        var page = await run.OpenConsoleAsync("?rows=2");
        var cases = new List<string>();
        for (var i = 0; i < 5; i++) cases.Add((await PostCriticalReportAsync(run.Service)).CaseId);
        // Newest first: the last two reports' alerts are the page, the other three wait behind "show more".
        foreach (var caseId in cases) await run.AlertOfAsync(caseId);
        var total = (await run.OpenAlertsAsync()).Count;
        await page.WaitForSelectorAsync("#queue-more:not([hidden])");
        await page.WaitForFunctionAsync($"() => document.getElementById('queue-more-text').textContent === '显示前 2 条，共 {total} 条'");
        Assert.Equal(2, await page.EvalOnSelectorAllAsync<int>("#queue li", "items => items.length"));
        foreach (var caseId in cases[3..]) Assert.True(await page.IsVisibleAsync(ItemOf(caseId)), $"case {caseId}'s alert is not on the first page");

        // J past the last row brings the next page and selects its first row.
        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("j");
        await page.WaitForSelectorAsync($"{ItemOf(cases[2])}.selected");
        Assert.Equal(4, await page.EvalOnSelectorAllAsync<int>("#queue li", "items => items.length"));

        // The button brings the rest, and the note goes once nothing is left behind it.
        await page.ClickAsync("#show-more");
        await page.WaitForSelectorAsync(ItemOf(cases[0]));
        await page.WaitForSelectorAsync("#queue-more", new() { State = WaitForSelectorState.Hidden });
        await run.AssertConsoleAgreesAsync(page);
        run.AssertNoPageErrors();
    }

    [Fact]
    public async Task The_area_filter_and_the_silence_form_offer_each_alerts_areas_once_in_order_and_the_filter_narrows_the_queue()
    {
        await using var run = await ConsoleRun.StartAsync(output);
        var page = await run.OpenConsoleAsync();
        var alerts = new List<JsonNode>();
        for (var i = 0; i < 3; i++)
        {
            var (caseId, _) = await PostCriticalReportAsync(run.Service);
            await page.WaitForSelectorAsync(ItemOf(caseId));
            alerts.Add(await run.AlertOfAsync(caseId));
        }

        // Options come one by one as alerts arrive, each in the place a full rebuild would give it.
        var areas = await page.EvalOnSelectorAllAsync<string[]>("#filter-area option", "os => os.map(o => o.value)");
        Assert.Equal("", areas[0]);
        Assert.Equal(areas.Skip(1).Order(StringComparer.Ordinal), areas.Skip(1));
        Assert.Equal(areas.Length, areas.Distinct().Count());
        foreach (var alert in alerts)
            Assert.Subset(areas.ToHashSet(), alert["areaPath"]!.AsArray().Select(n => (string)n!).ToHashSet());
        var regions = await page.EvalOnSelectorAllAsync<string[]>("#silence-region option", "os => os.map(o => o.value)");
        Assert.Equal(regions.Skip(1).Order(StringComparer.Ordinal), regions.Skip(1));
        Assert.Subset(regions.ToHashSet(), alerts.Select(a => (string)a["regionId"]!).ToHashSet());

        // The first alert's village: the queue keeps only the alerts in it.
        var village = (string)alerts[0]["areaPath"]!.AsArray()[^1]!;
        await page.SelectOptionAsync("#filter-area", village);
        await page.WaitForFunctionAsync("n => document.querySelectorAll('#queue li').length === n",
            alerts.Count(a => a["areaPath"]!.AsArray().Any(n => (string)n! == village)));
        Assert.Equal((string)alerts[0]["id"]!, await page.GetAttributeAsync("#queue li", "data-id"));
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
        run.AssertNoPageErrors((409, "/ack"));
    }

    [Fact]
    public async Task The_desk_shows_the_case_reasons_dispatches_silences_sounds_and_switches_to_english()
    {
        await using var run = await ConsoleRun.StartAsync(output);
        var page = await run.OpenConsoleAsync();
        var (caseId, _) = await PostCriticalReportAsync(run.Service);
        var item = ItemOf(caseId);
        await page.WaitForSelectorAsync(item);
        // A new critical alert is heard (counted on the page: headless Chromium has no speakers).
        await page.WaitForFunctionAsync("() => Number(document.body.dataset.beeps ?? 0) === 1");

        // The case behind the alert, with its reasons in words (the points score's, see PointsScore).
        await page.ClickAsync(item);
        await page.WaitForSelectorAsync("#case-reasons li[data-feature=flag_threat_of_violence]");
        Assert.Equal("威胁使用暴力 +3分", await page.InnerTextAsync("#case-reasons li[data-feature=flag_threat_of_violence]"));
        await page.WaitForSelectorAsync("#oncall li[data-level='0']");

        // Dispatch (吹哨报到) to the justice bureau with the form's deadline.
        var id = (await page.GetAttributeAsync(item, "data-id"))!;
        await page.SelectOptionAsync("#assign-department", "justice");
        await page.FillAsync("#assign-comment", "司法所牵头, 两小时内到场");
        await page.ClickAsync("#assign-form button[type=submit]");
        await page.WaitForSelectorAsync("#timeline li[data-kind=assign]");
        var assigned = await run.GetAlertAsync(id);
        Assert.Equal("justice", (string?)assigned["assignedTo"]!["department"]);
        Assert.InRange(DateTimeOffset.Parse((string)assigned["assignedTo"]!["deadline"]!, System.Globalization.CultureInfo.InvariantCulture) - DateTimeOffset.UtcNow,
            TimeSpan.FromHours(1), TimeSpan.FromHours(2));
        Assert.Contains("司法", await page.InnerTextAsync("#detail-facts"));

        // A silence with its reason and expiry, listed, then expired from the list.
        await page.SelectOptionAsync("#silence-rule", "harm_incident");
        await page.FillAsync("#silence-reason", "春节集中排查期间, 已安排专人跟进");
        await page.ClickAsync("#silence-form button[type=submit]");
        await page.WaitForSelectorAsync("#silence-list li[data-id]");
        Assert.Contains("春节集中排查期间", await page.InnerTextAsync("#silence-list"));
        await page.ClickAsync("#silence-list li[data-id] button");
        await page.WaitForSelectorAsync("#silence-list li[data-id]", new() { State = WaitForSelectorState.Detached });
        using (var client = new HttpClient { BaseAddress = new Uri(run.Service.BaseUrl) })
        {
            var silences = (await Reports.GetAsync(client, "/api/v1/silences")).AsArray();
            Assert.Equal("harm_incident", (string?)silences.Single()!["matchers"]!["rule"]);
            Assert.False((bool)silences.Single()!["active"]!);
        }

        // Muted, the next critical alert is shown and not heard.
        await page.ClickAsync("#mute");
        Assert.Equal("true", await page.GetAttributeAsync("#mute", "aria-pressed"));
        await page.WaitForSelectorAsync(ItemOf((await PostCriticalReportAsync(run.Service)).CaseId));
        Assert.Equal("1", await page.GetAttributeAsync("body", "data-beeps"));

        // English: the page's words and the case's reasons.
        await page.ClickAsync("#lang");
        Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));
        Assert.Equal("Acknowledge (A)", await page.InnerTextAsync("#ack-submit"));
        await page.ClickAsync(item);
        await page.WaitForFunctionAsync("() => document.querySelector('#case-reasons li[data-feature=flag_threat_of_violence]')?.textContent === 'threat of violence +3 pt'");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "warning-console-desk.png") });
        run.AssertNoPageErrors();
    }

    [Fact]
    public async Task Signed_in_with_real_accounts_a_duty_officer_gets_the_live_desk_and_an_analyst_only_the_landing_page()
    {
        var key = "wk_" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key))).ToLowerInvariant();
        await using var run = await ConsoleRun.StartAsync(output, signedInByDefault: false, "--Auth:DemoAccounts=true",
            "--Auth:ProvisionedKeys:0:Name=feed", $"--Auth:ProvisionedKeys:0:Sha256={hash}", "--Auth:ProvisionedKeys:0:Kinds:0=report");
        var demo = File.ReadAllLines(Path.Combine(run.DataDirectory, "demo-accounts.txt")).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 3).ToDictionary(f => f[1], f => (User: f[0], Password: f[2]));

        var officer = await run.SignInAsync(demo["duty_officer"].User, demo["duty_officer"].Password);
        await officer.WaitForSelectorAsync("#connection[data-state=live]");
        Assert.Equal("duty_officer", await officer.InnerTextAsync("#role"));
        var analyst = await run.SignInAsync(demo["analyst"].User, demo["analyst"].Password);
        await analyst.WaitForSelectorAsync("body[data-ready=true]");
        Assert.Equal("analyst", await analyst.InnerTextAsync("#role"));
        Assert.False(await analyst.IsVisibleAsync("#desk"));
        Assert.False(await analyst.IsVisibleAsync("#status"));
        Assert.True(await analyst.IsVisibleAsync("#logout"));
        // The officer acknowledges a feed's alert under their own name, through the session cookie and the antiforgery token.
        var (caseId, _) = await PostCriticalReportAsync(run.Service, key);
        await officer.ClickAsync(ItemOf(caseId));
        await officer.Keyboard.PressAsync("a");
        await officer.Keyboard.TypeAsync("已通知镇综治中心");
        await officer.Keyboard.PressAsync("Enter");
        await officer.WaitForSelectorAsync($"{ItemOf(caseId)}[data-state=acknowledged]");
        var id = (await officer.GetAttributeAsync(ItemOf(caseId), "data-id"))!;
        Assert.Equal(demo["duty_officer"].User, await officer.EvaluateAsync<string>("async id => (await (await fetch(`/api/v1/alerts/${encodeURIComponent(id)}`)).json()).acknowledgedBy", id));

        // The login page's signed-out check (401) and the service turning the analyst away from the desk (the 403 of the
        // console's probe: silences are the desk's); nothing else failed.
        run.AssertNoPageErrors((401, "/api/v1/auth/me"), (403, "/api/v1/silences"));
    }

    private static string ItemOf(string caseId) => $"#queue li[data-subjects~='{caseId}']";

    /// <summary>
    /// A report whose points score is critical (threat 3, self-harm 3, weapon 2, prior violence 2: 10 points, ≈42%):
    /// the case opens at Critical risk, which the case-risk rule alerts on. Returns the case and when the 202 came (unix ms).
    /// </summary>
    private async Task<(string CaseId, long AcceptedAt)> PostCriticalReportAsync(ServiceProcess service, string? apiKey = null)
    {
        using var client = new HttpClient { BaseAddress = new Uri(service.BaseUrl) };
        if (apiKey is not null) client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
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

        public string DataDirectory => _data;

        private string[] _settings = NoGroupWait;
        private bool _signedInByDefault = true;

        /// <param name="signedInByDefault">False: no test identity, pages sign in with real accounts (<see cref="SignInAsync"/>).</param>
        public static async Task<ConsoleRun> StartAsync(ITestOutputHelper output, bool signedInByDefault = true, params string[] settings)
        {
            var run = new ConsoleRun(output) { _settings = [.. NoGroupWait, .. settings], _signedInByDefault = signedInByDefault };
            run.Service = await ServiceProcess.StartAsync(run._data, ServiceProcess.FreePort(), signedInByDefault, run._settings);
            run._playwright = await Playwright.CreateAsync();
            run._browser = await run._playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ScreenPageTests.ChromiumArgs });
            return run;
        }

        /// <summary>Kill -9 happened; the same data folder and port again, as systemd would restart it.</summary>
        public async Task RestartAsync()
        {
            var port = Service.Port;
            await Service.DisposeAsync();
            Service = await ServiceProcess.StartAsync(_data, port, _signedInByDefault, _settings);
        }

        /// <summary>A console in a browser context of its own (a second officer's desk), once it is live.</summary>
        public async Task<IPage> OpenConsoleAsync(string query = "")
        {
            var page = await NewPageAsync();
            await page.GotoAsync(Service.BaseUrl + "/console/" + query);
            await page.WaitForSelectorAsync("#connection[data-state=live]");
            return page;
        }

        /// <summary>Signs in through /login in a browser context of its own and lands on the console.</summary>
        public async Task<IPage> SignInAsync(string userName, string password)
        {
            var page = await NewPageAsync();
            await page.GotoAsync(Service.BaseUrl + "/console/");
            await page.FillAsync("#userName", userName);
            await page.FillAsync("#password", password);
            await page.ClickAsync("#login-submit");
            await page.WaitForURLAsync(Service.BaseUrl + "/console/");
            return page;
        }

        private async Task<IPage> NewPageAsync()
        {
            var context = await _browser.NewContextAsync(new() { ViewportSize = new() { Width = 1600, Height = 900 } });
            context.SetDefaultTimeout(Limit);
            var page = await context.NewPageAsync();
            page.Console += (_, m) => { if (m.Type == "error") lock (_errors) _errors.Add($"{m.Text} ({m.Location})"); };
            page.PageError += (_, e) => { lock (_errors) _errors.Add("page error: " + e); };
            return page;
        }

        /// <summary>No script error, CSP refusal or failed request, except the failed requests a test provokes: a status on a path.</summary>
        public void AssertNoPageErrors(params (int Status, string Path)[] allowed)
        {
            string[] unexpected;
            lock (_errors)
                unexpected = _errors.Where(e => !(e.StartsWith("Failed to load resource", StringComparison.Ordinal)
                    && allowed.Any(a => e.Contains($"status of {a.Status} ", StringComparison.Ordinal) && e.Contains(a.Path, StringComparison.Ordinal)))).ToArray();
            Assert.True(unexpected.Length == 0, "errors in the console pages:\n" + string.Join("\n", unexpected));
        }

        public async Task<JsonNode> GetAlertAsync(string id)
        {
            using var client = new HttpClient { BaseAddress = new Uri(Service.BaseUrl) };
            return await Reports.GetAsync(client, $"/api/v1/alerts/{Uri.EscapeDataString(id)}");
        }

        /// <summary>The open alert listing the case, once the service lists it.</summary>
        public async Task<JsonNode> AlertOfAsync(string caseId)
        {
            JsonNode? found = null;
            Assert.True(await Poll.UntilAsync(async () => (found = (await OpenAlertsAsync()).FirstOrDefault(a => a.ToJsonString().Contains(caseId, StringComparison.Ordinal))) is not null,
                TimeSpan.FromMinutes(2)), $"no open alert lists case {caseId}");
            return found!;
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
