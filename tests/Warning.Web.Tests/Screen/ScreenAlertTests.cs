using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Simulation;
using Warning.Web.Accounts;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Screen;

public sealed class AlertScreen() : ScreenBrowser("--Alerts:GroupWait=00:00:00", "--Auth:DemoAccounts=true");

/// <summary>
/// Issue 15 item 4 in Debian's Chromium against a service process: a critical alert reaches the wall's ticker and its
/// county's unacknowledged count, flashes its village, and once a duty officer signs for it shows "已签收" with the
/// officer's unit, never the officer. A page loaded afterwards starts from the same alerts; a county's screen of
/// another county never sees them.
/// </summary>
public sealed class ScreenAlertTests(AlertScreen screen) : IClassFixture<AlertScreen>
{
    private static readonly AreaHierarchy City = CityGenerator.Generate(CityShape.Small, 7);
    private static readonly float Limit = (float)TimeSpan.FromMinutes(3).TotalMilliseconds;

    [Fact]
    public async Task A_critical_alert_is_on_the_ticker_and_its_countys_count_flashes_its_village_and_shows_the_unit_that_signed_for_it()
    {
        var village = City.AtLevel(AreaLevel.Village).ElementAt(3);
        var grid = City.Descendants(village.Id, AreaLevel.Grid).First();
        var path = City.PathToRoot(village.Id).ToArray();
        var county = path.Single(a => a.Level == AreaLevel.County);
        var otherCounty = City.ChildrenOf(City.Roots[0].Id).First(c => c.Id != county.Id);
        var errors = new List<string>();
        var page = await screen.OpenAsync(1920, 1080, errors: errors);
        var other = await screen.OpenAsync(1920, 1080, "?regionId=" + Uri.EscapeDataString(otherCounty.Id), errors);
        Assert.Equal("0", await page.GetAttributeAsync("#alert-counts", "data-unacked"));

        using var feed = new HttpClient { BaseAddress = new Uri(screen.Service.BaseUrl) };
        var report = Reports.Valid(grid.Id);
        report["reportedAt"] = DateTimeOffset.UtcNow.ToString("O");
        report["category"] = "neighbor";
        report["flags"] = new JsonArray("threat_of_violence", "self_harm_risk", "weapon_mentioned", "prior_violence");
        Assert.Equal(202, (await Reports.PostAsync(feed, "/api/v1/reports", report)).Status);

        var line = "#alerts li[data-state=firing][data-severity=critical]";
        await page.WaitForSelectorAsync(line, new() { Timeout = Limit });
        var id = (await page.GetAttributeAsync(line, "data-id"))!;
        Assert.Contains(village.Name, await page.InnerTextAsync($"#alerts li[data-id='{id}'] .title"));
        Assert.Equal("1", await page.GetAttributeAsync("#alert-counts", "data-unacked"));
        Assert.Contains("极高 1", await page.InnerTextAsync("#alert-counts"));
        Assert.Equal("1 条", await page.InnerTextAsync($"#regions li[data-area='{county.Id}'] [data-field=unacked]"));
        Assert.Contains(village.Id, await page.EvaluateAsync<string[]>("() => window.screenMap.flashes()"));

        // A duty officer signs for it (a real account, whose unit is its region).
        var officer = await SignInAsync("demo-duty-officer");
        var alert = await AlertAsync(officer, id);
        using (var ack = await PostAsync(officer, $"/api/v1/alerts/{id}/ack", new JsonObject { ["version"] = (int)alert["version"]!, ["comment"] = "已联系村调委会" }))
            Assert.True(ack.IsSuccessStatusCode, $"ack: {(int)ack.StatusCode} {await ack.Content.ReadAsStringAsync()}");
        var acked = await AlertAsync(officer, id);
        Assert.Equal("demo-duty-officer", (string?)acked["acknowledgedBy"]);
        var unit = (string)acked["acknowledgedUnit"]!;

        var badge = $"#alerts li[data-id='{id}'][data-state=acknowledged] .signed";
        await page.WaitForSelectorAsync(badge, new() { Timeout = Limit });
        Assert.Equal($"已签收 · {unit}", await page.InnerTextAsync(badge));
        Assert.Equal("0", await page.GetAttributeAsync("#alert-counts", "data-unacked"));
        Assert.Equal("–", await page.InnerTextAsync($"#regions li[data-area='{county.Id}'] [data-field=unacked]"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "warning-screen-alerts.png") });

        // A page loaded now starts from the list, not from pushes it never heard.
        var later = await screen.OpenAsync(3840, 2160, errors: errors);
        await later.WaitForSelectorAsync(badge, new() { Timeout = Limit });
        Assert.Equal($"已签收 · {unit}", await later.InnerTextAsync(badge));
        foreach (var p in new[] { page, later }) Assert.DoesNotContain("demo-duty-officer", await p.ContentAsync());

        // The other county's screen heard nothing of it.
        Assert.Equal(0, await other.Locator("#alerts li[data-id]").CountAsync());
        Assert.Equal("0", await other.GetAttributeAsync("#alert-counts", "data-unacked"));

        // Resolved by hand, it leaves the wall.
        alert = await AlertAsync(officer, id);
        using (var resolve = await PostAsync(officer, $"/api/v1/alerts/{id}/resolve", new JsonObject { ["version"] = (int)alert["version"]!, ["comment"] = "双方已达成调解协议" }))
            Assert.True(resolve.IsSuccessStatusCode, $"resolve: {(int)resolve.StatusCode} {await resolve.Content.ReadAsStringAsync()}");
        await page.WaitForSelectorAsync($"#alerts li[data-id='{id}']", new() { State = WaitForSelectorState.Detached, Timeout = Limit });
        Assert.Equal("无未签收预警", await page.InnerTextAsync("#alert-counts"));
        lock (errors) Assert.Empty(errors);
    }

    private static async Task<JsonNode> AlertAsync(HttpClient client, string id) =>
        (await client.GetFromJsonAsync<JsonNode>($"/api/v1/alerts/{Uri.EscapeDataString(id)}"))!;

    /// <summary>A client signed in as a demo account (password from the data folder), sending the session cookie.</summary>
    private async Task<HttpClient> SignInAsync(string userName)
    {
        var password = File.ReadLines(Path.Combine(screen.DataDirectory, AccountSeeding.DemoAccountsFile))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).First(f => f.Length >= 3 && f[0] == userName)[2];
        var client = new HttpClient(new HttpClientHandler { UseCookies = true }) { BaseAddress = new Uri(screen.Service.BaseUrl) };
        using var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { userName, password });
        Assert.True(login.IsSuccessStatusCode, $"sign-in: {(int)login.StatusCode} {await login.Content.ReadAsStringAsync()}");
        return client;
    }

    /// <summary>A state-changing call as a page makes it: with the antiforgery token of the session.</summary>
    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, JsonObject body)
    {
        var token = (await client.GetFromJsonAsync<JsonNode>("/api/v1/auth/antiforgery"))!["token"]!.GetValue<string>();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add(AuthSetup.AntiforgeryHeader, token);
        return await client.SendAsync(request);
    }
}
