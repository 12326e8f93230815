using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Warning.Analytics.Hierarchy;
using Warning.Web.Accounts;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Security;

/// <summary>A person account made for a test: sign in with <see cref="Password"/> and, if set, a code from <see cref="TotpKey"/>.</summary>
public sealed record TestAccount(string UserName, string Role, string RegionId, string Password, string? TotpKey);

/// <summary>The service as a stranger sees it (no default identity), with helpers that make real accounts, keys and tokens.</summary>
public sealed class SecureApp : IAsyncLifetime
{
    public WarningAppFactory Factory { get; } = new() { SignedInByDefault = false };

    public AreaHierarchy Hierarchy => Factory.Hierarchy;

    public Task InitializeAsync()
    {
        _ = Factory.Server;
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>A client that sends no credential unless a request adds one (no cookie jar: each call says who it is).</summary>
    public HttpClient Anonymous() => Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });

    /// <summary>An account made directly in the store, enrolled in TOTP if its role needs it, password already changed.</summary>
    public async Task<TestAccount> CreateAccountAsync(string role, string regionId, string? userName = null)
    {
        using var scope = Factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<WarningUser>>();
        var (user, password) = await AccountSeeding.CreateAsync(users, userName ?? $"{role}-{Guid.NewGuid():N}"[..30], role, regionId, "test", TimeProvider.System, mustChange: false);
        string? key = null;
        if (Factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthOptions>>().Value.TotpRoleSet.Contains(role))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user);
            await users.SetTwoFactorEnabledAsync(user, true);
        }
        return new TestAccount(user.UserName!, role, regionId, password, key);
    }

    /// <summary>Signs in through the API and returns the session cookie ("name=value").</summary>
    public async Task<string> SignInAsync(TestAccount account)
    {
        using var client = Anonymous();
        using var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { userName = account.UserName, password = account.Password, totp = account.TotpKey is { } k ? await Totp.NextCodeAsync(k) : null });
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        return SessionCookie(response);
    }

    public static string SessionCookie(HttpResponseMessage response) =>
        response.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith(AuthSetup.SessionCookie + "=", StringComparison.Ordinal));

    /// <summary>An API key made by the store directly (not through an admin), live at once.</summary>
    public async Task<(string Id, string Key)> CreateKeyAsync(string[] kinds, string? regionId = null)
    {
        using var scope = Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDb>();
        var key = Secrets.NewKey("wk");
        var record = new ApiKeyRecord { Id = Secrets.NewId("key"), Name = "test", Hash = Secrets.Sha256(key), Kinds = string.Join(',', kinds), RegionId = regionId, CreatedAt = DateTimeOffset.UtcNow, CreatedBy = "test" };
        db.ApiKeys.Add(record);
        await db.SaveChangesAsync();
        await Factory.Services.GetRequiredService<CredentialStore>().RefreshAsync();
        return (record.Id, key);
    }

    public async Task RevokeKeyAsync(string id)
    {
        using var scope = Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDb>();
        (await db.ApiKeys.FindAsync(id))!.RevokedAt = DateTimeOffset.UtcNow;
        await db.SaveChangesAsync();
        await Factory.Services.GetRequiredService<CredentialStore>().RefreshAsync();
    }

    /// <summary>A kiosk cookie ("name=value") for a new screen token, through /screen/?token=.</summary>
    public async Task<string> ScreenCookieAsync(string? regionId = null)
    {
        string token;
        using (var scope = Factory.Services.CreateScope())
            (_, token) = await AdminEndpoints.CreateScreenAsync(scope.ServiceProvider.GetRequiredService<AccountsDb>(), "test-screen", regionId, "test", TimeProvider.System);
        await Factory.Services.GetRequiredService<CredentialStore>().RefreshAsync();
        using var client = Anonymous();
        using var response = await client.GetAsync(KioskTokens.UrlFor(token));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(KioskTokens.ScreenPath, response.Headers.Location?.OriginalString);
        return response.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith(KioskTokens.CookieName + "=", StringComparison.Ordinal));
    }

    /// <summary>Sends with a cookie, adding the antiforgery token a page would (fetched for that same session).</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? cookie = null, string? apiKey = null, JsonNode? body = null, bool antiforgery = true)
    {
        using var client = Anonymous();
        var request = new HttpRequestMessage(method, path);
        if (cookie is not null) request.Headers.Add("Cookie", cookie);
        if (apiKey is not null) request.Headers.Add(ApiKeyAuthenticationHandler.Header, apiKey);
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        if (cookie is not null && antiforgery && method != HttpMethod.Get)
        {
            using var tokenRequest = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/antiforgery");
            tokenRequest.Headers.Add("Cookie", cookie);
            using var tokenResponse = await client.SendAsync(tokenRequest);
            var token = (await tokenResponse.Content.ReadFromJsonAsync<JsonNode>())!["token"]!.GetValue<string>();
            var afCookie = tokenResponse.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith("warning.af=", StringComparison.Ordinal));
            request.Headers.Remove("Cookie");
            request.Headers.Add("Cookie", cookie + "; " + afCookie);
            request.Headers.Add(AuthSetup.AntiforgeryHeader, token);
        }
        return await client.SendAsync(request);
    }
}
