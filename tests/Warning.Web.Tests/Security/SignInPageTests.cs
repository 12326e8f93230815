using System.Text.Json;
using Microsoft.Playwright;
using Warning.Web.Accounts;
using Warning.Web.Tests.Live;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Security;

/// <summary>The console's sign-in and the big screen's kiosk token in Debian's real Chromium, against a service with no default identity.</summary>
public sealed class SignInPageTests
{
    [Fact]
    public async Task First_admin_signs_in_through_the_pages_and_a_kiosk_token_opens_the_big_screen()
    {
        var data = Path.Combine(Path.GetTempPath(), "warning-signin-" + Guid.NewGuid().ToString("N"));
        await using var service = await ServiceProcess.StartAsync(data, ServiceProcess.FreePort(), signedInByDefault: false);
        var oneTime = File.ReadAllLines(Path.Combine(data, AccountSeeding.InitialAdminFile)).Single(l => l.StartsWith("password: ", StringComparison.Ordinal))["password: ".Length..];

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ScreenPageTests.ChromiumArgs });
        var console = await browser.NewPageAsync();
        console.SetDefaultTimeout(Limit);
        var errors = new List<string>();
        console.Console += (_, m) => { if (IsError(m)) lock (errors) errors.Add($"{m.Text} ({m.Location})"); };

        // Signed out, the console sends the browser to /login and back after.
        await console.GotoAsync(service.BaseUrl + "/console/");
        Assert.StartsWith(service.BaseUrl + "/login?returnUrl=", console.Url);
        await console.FillAsync("#userName", "admin");
        await console.FillAsync("#password", oneTime);
        await console.ClickAsync("#login-submit");
        await console.WaitForSelectorAsync("#change:not([hidden])");
        await console.FillAsync("#new-password", "Pages-Chosen-Passw0rd");
        await console.ClickAsync("#change-submit");
        await console.WaitForSelectorAsync("#enrol:not([hidden])");
        var key = await console.InnerTextAsync("#totp-key");
        await console.FillAsync("#enrol-code", await Totp.NextCodeAsync(key));
        await console.ClickAsync("#enrol-submit");
        await console.WaitForURLAsync(service.BaseUrl + "/console/");
        await console.WaitForFunctionAsync("() => document.getElementById('who').textContent === 'admin'");
        Assert.Equal("admin", await console.InnerTextAsync("#role"));

        // The admin registers a display; its URL carries the token once.
        var created = await console.EvaluateAsync<JsonElement>(@"async () => {
            const token = (await (await fetch('/api/v1/auth/antiforgery')).json()).token;
            const r = await fetch('/api/v1/screens', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-XSRF-TOKEN': token }, body: JSON.stringify({ name: 'hall-1' }) });
            return { status: r.status, body: await r.json() };
        }");
        Assert.Equal(201, created.GetProperty("status").GetInt32());
        var screenUrl = created.GetProperty("body").GetProperty("url").GetString()!;

        // A display without the token is sent to sign in; with it, the screen goes live and the token leaves the address bar.
        var stranger = await browser.NewPageAsync();
        stranger.SetDefaultTimeout(Limit);
        await stranger.GotoAsync(service.BaseUrl + "/screen/");
        Assert.StartsWith(service.BaseUrl + "/login", stranger.Url);
        var kiosk = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1920, Height = 1080 } });
        kiosk.SetDefaultTimeout(Limit);
        var screen = await kiosk.NewPageAsync();
        screen.Console += (_, m) => { if (IsError(m)) lock (errors) errors.Add($"{m.Text} ({m.Location})"); };
        await screen.GotoAsync(service.BaseUrl + screenUrl);
        Assert.Equal(service.BaseUrl + "/screen/", screen.Url);
        await screen.WaitForSelectorAsync("#connection[data-state=live]");
        await screen.ReloadAsync();
        await screen.WaitForSelectorAsync("#connection[data-state=live]");
        // A kiosk may read aggregates, not cases.
        Assert.Equal(403, await screen.EvaluateAsync<int>("async () => (await fetch('/api/v1/cases')).status"));
        Assert.Empty(errors);
    }

    /// <summary>Each wait of the browser: a busy 2-core machine is slow, never a reason to fail (Playwright's default is 30 s).</summary>
    private static readonly float Limit = (float)TimeSpan.FromMinutes(3).TotalMilliseconds;

    /// <summary>
    /// Errors other than the two this test provokes on purpose: the 401 of /login's signed-out check of
    /// /api/v1/auth/me, and the 403 of the kiosk's try at /api/v1/cases. Chromium logs a failed fetch as "Failed to
    /// load resource" located at the resource's URL, so only those two are let through; a CSP violation ("Refused to
    /// …"), a failing script or any other failed request counts.
    /// </summary>
    private static bool IsError(IConsoleMessage m) =>
        m.Type == "error" && !(m.Text.StartsWith("Failed to load resource", StringComparison.Ordinal)
            && (m.Text.Contains("401", StringComparison.Ordinal) && m.Location.Contains("/api/v1/auth/me", StringComparison.Ordinal)
                || m.Text.Contains("403", StringComparison.Ordinal) && m.Location.Contains("/api/v1/cases", StringComparison.Ordinal)));
}
