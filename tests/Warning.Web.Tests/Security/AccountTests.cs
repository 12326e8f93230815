using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Warning.Web.Accounts;

namespace Warning.Web.Tests.Security;

public sealed class AccountTests(SecureApp app) : IClassFixture<SecureApp>
{
    /// <summary>
    /// The first run's admin: a one-time password in data/initial-admin.txt (0600) that can do nothing but be changed,
    /// then an authenticator to enrol (admin is in Auth:TotpRoles), then a sign-in that needs its code.
    /// </summary>
    [Fact]
    public async Task First_admin_changes_the_one_time_password_enrols_totp_and_then_needs_a_code()
    {
        var file = Path.Combine(app.Factory.DataDirectory, AccountSeeding.InitialAdminFile);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var oneTime = File.ReadAllLines(file).Single(l => l.StartsWith("password: ", StringComparison.Ordinal))["password: ".Length..];

        using var login = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/login", new { userName = "admin", password = oneTime });
        Assert.Equal(HttpStatusCode.NoContent, login.StatusCode);
        var cookie = SecureApp.SessionCookie(login);

        // Only the password change is open to this session.
        using (var users = await app.SendAsync(HttpMethod.Get, "/api/v1/users", cookie))
        {
            Assert.Equal(HttpStatusCode.Forbidden, users.StatusCode);
            Assert.Contains("change_password", await users.Content.ReadAsStringAsync());
        }
        var me = await (await app.SendAsync(HttpMethod.Get, "/api/v1/auth/me", cookie)).Content.ReadFromJsonAsync<JsonNode>();
        Assert.True(me!["mustChangePassword"]!.GetValue<bool>());

        // A weak password is refused naming the field; a strong one is taken and the session moves on to enrolment.
        using (var weak = await app.SendAsync(HttpMethod.Post, "/api/v1/auth/password", cookie, body: new JsonObject { ["current"] = oneTime, ["new"] = "short" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
            Assert.Equal("new", (await weak.Content.ReadFromJsonAsync<JsonNode>())!["errors"]![0]!["field"]!.GetValue<string>());
        }
        const string chosen = "Correct-Horse-Battery-9";
        using var changed = await app.SendAsync(HttpMethod.Post, "/api/v1/auth/password", cookie, body: new JsonObject { ["current"] = oneTime, ["new"] = chosen });
        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
        cookie = SecureApp.SessionCookie(changed);
        using (var users = await app.SendAsync(HttpMethod.Get, "/api/v1/users", cookie))
        {
            Assert.Equal(HttpStatusCode.Forbidden, users.StatusCode);
            Assert.Contains("enrol_totp", await users.Content.ReadAsStringAsync());
        }

        using var enrol = await app.SendAsync(HttpMethod.Post, "/api/v1/auth/totp", cookie);
        Assert.Equal(HttpStatusCode.OK, enrol.StatusCode);
        var key = (await enrol.Content.ReadFromJsonAsync<JsonNode>())!["key"]!.GetValue<string>();
        using (var wrong = await app.SendAsync(HttpMethod.Post, "/api/v1/auth/totp/confirm", cookie, body: new JsonObject { ["code"] = WrongCode(key) }))
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        using var confirmed = await app.SendAsync(HttpMethod.Post, "/api/v1/auth/totp/confirm", cookie, body: new JsonObject { ["code"] = await Totp.NextCodeAsync(key) });
        Assert.Equal(HttpStatusCode.NoContent, confirmed.StatusCode);
        cookie = SecureApp.SessionCookie(confirmed);
        using (var users = await app.SendAsync(HttpMethod.Get, "/api/v1/users", cookie)) Assert.Equal(HttpStatusCode.OK, users.StatusCode);

        // From now on the password alone is not enough, and the old one-time password is dead.
        using (var noCode = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/login", new { userName = "admin", password = chosen }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, noCode.StatusCode);
            Assert.Equal("totp", (await noCode.Content.ReadFromJsonAsync<JsonNode>())!["errors"]![0]!["field"]!.GetValue<string>());
        }
        using (var old = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/login", new { userName = "admin", password = oneTime, totp = Totp.Code(key) }))
            Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        using (var full = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/login", new { userName = "admin", password = chosen, totp = await Totp.NextCodeAsync(key) }))
            Assert.Equal(HttpStatusCode.NoContent, full.StatusCode);
    }

    [Fact]
    public async Task Repeated_failures_lock_the_account_even_for_the_right_password()
    {
        var account = await app.CreateAccountAsync(Roles.Analyst, app.Hierarchy.Roots[0].Id);
        for (var i = 0; i < 5; i++)
            using (var bad = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/login", new { userName = account.UserName, password = "wrong-password-" + i }))
                Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        using var locked = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/login", new { userName = account.UserName, password = account.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Equal("lockout", (await locked.Content.ReadFromJsonAsync<JsonNode>())!["errors"]![0]!["rule"]!.GetValue<string>());
        Assert.True(locked.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task Wrong_totp_codes_count_toward_lockout()
    {
        var account = await app.CreateAccountAsync(Roles.Commander, app.Hierarchy.Roots[0].Id);
        for (var i = 0; i < 5; i++)
            using (await app.Anonymous().PostAsJsonAsync("/api/v1/auth/login", new { userName = account.UserName, password = account.Password, totp = WrongCode(account.TotpKey!) })) { }
        using var locked = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/login", new { userName = account.UserName, password = account.Password, totp = await Totp.NextCodeAsync(account.TotpKey!) });
        Assert.Equal("lockout", (await locked.Content.ReadFromJsonAsync<JsonNode>())!["errors"]![0]!["rule"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_totp_code_signs_in_once_and_an_earlier_step_is_refused_after_it()
    {
        var account = await app.CreateAccountAsync(Roles.Commander, app.Hierarchy.Roots[0].Id);
        var key = account.TotpKey!;
        var code = await Totp.NextCodeAsync(key);
        var used = Totp.LastUsedStep(key);
        object Login(string totp) => new { userName = account.UserName, password = account.Password, totp };
        using (var first = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/login", Login(code)))
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);

        // The same code again, while its step is still inside the window: a replay.
        using (var again = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/login", Login(code)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
            var error = (await again.Content.ReadFromJsonAsync<JsonNode>())!["errors"]![0]!;
            Assert.Equal("totp", error["field"]!.GetValue<string>());
            Assert.Equal("invalid", error["rule"]!.GetValue<string>());
        }
        // The step before it is still within the drift allowance, but steps only move forward.
        using (var earlier = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/login", Login(Totp.CodeAt(key, used - 1))))
            Assert.Equal(HttpStatusCode.Unauthorized, earlier.StatusCode);
        // A fresh step signs in.
        using (var next = await app.Anonymous().PostAsJsonAsync("/api/v1/auth/login", Login(await Totp.NextCodeAsync(key))))
            Assert.Equal(HttpStatusCode.NoContent, next.StatusCode);
    }

    [Fact]
    public async Task A_page_call_that_changes_state_needs_the_antiforgery_token()
    {
        var admin = await app.CreateAccountAsync(Roles.Admin, app.Hierarchy.Roots[0].Id);
        var cookie = await app.SignInAsync(admin);
        var body = new JsonObject { ["name"] = "police_110", ["kinds"] = new JsonArray("incident") };
        using (var without = await app.SendAsync(HttpMethod.Post, "/api/v1/apikeys", cookie, body: body, antiforgery: false))
        {
            Assert.Equal(HttpStatusCode.BadRequest, without.StatusCode);
            Assert.Equal("antiforgery", (await without.Content.ReadFromJsonAsync<JsonNode>())!["errors"]![0]!["rule"]!.GetValue<string>());
        }
        using var with = await app.SendAsync(HttpMethod.Post, "/api/v1/apikeys", cookie, body: body);
        Assert.Equal(HttpStatusCode.Created, with.StatusCode);
        var created = (await with.Content.ReadFromJsonAsync<JsonNode>())!;

        // The key works for its kind only, is stored hashed, and stops at once when revoked.
        var key = created["key"]!.GetValue<string>();
        var incident = new JsonObject
        {
            ["incidentId"] = "i-" + Guid.NewGuid().ToString("N"), ["source"] = "police_110", ["type"] = "threat",
            ["occurredAt"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"), ["gridId"] = app.Factory.GridIds[0], ["severity"] = 2,
        };
        using (var posted = await app.SendAsync(HttpMethod.Post, "/api/v1/incidents", apiKey: key, body: incident)) Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        using (var otherKind = await app.SendAsync(HttpMethod.Post, "/api/v1/reports", apiKey: key, body: new JsonObject())) Assert.Equal(HttpStatusCode.Forbidden, otherKind.StatusCode);
        Assert.DoesNotContain(key, await (await app.SendAsync(HttpMethod.Get, "/api/v1/apikeys", cookie)).Content.ReadAsStringAsync());
        using (var revoke = await app.SendAsync(HttpMethod.Delete, "/api/v1/apikeys/" + created["id"]!.GetValue<string>(), cookie)) Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        using var after = await app.SendAsync(HttpMethod.Post, "/api/v1/incidents", apiKey: key, body: incident);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.DoesNotContain(key, await after.Content.ReadAsStringAsync());
        // Its last use was written with the revocation.
        var listed = (await (await app.SendAsync(HttpMethod.Get, "/api/v1/apikeys", cookie)).Content.ReadFromJsonAsync<JsonArray>())!;
        var revoked = listed.Single(k => k!["id"]!.GetValue<string>() == created["id"]!.GetValue<string>())!;
        Assert.NotNull(revoked["revokedAt"]);
        Assert.True(revoked["lastUsedAt"]!.GetValue<DateTimeOffset>() > DateTimeOffset.UtcNow.AddMinutes(-5));
    }

    [Fact]
    public async Task An_admin_creates_a_user_whose_one_time_password_must_be_changed()
    {
        var admin = await app.CreateAccountAsync(Roles.Admin, app.Hierarchy.Roots[0].Id);
        var cookie = await app.SignInAsync(admin);
        var name = "duty-" + Guid.NewGuid().ToString("N")[..8];
        using var created = await app.SendAsync(HttpMethod.Post, "/api/v1/users", cookie, body: new JsonObject { ["userName"] = name, ["role"] = "duty_officer", ["regionId"] = app.Hierarchy.Roots[0].Id });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var password = (await created.Content.ReadFromJsonAsync<JsonNode>())!["password"]!.GetValue<string>();
        using (var bad = await app.SendAsync(HttpMethod.Post, "/api/v1/users", cookie, body: new JsonObject { ["userName"] = name + "x", ["role"] = "king", ["regionId"] = app.Hierarchy.Roots[0].Id }))
            Assert.Equal("role", (await bad.Content.ReadFromJsonAsync<JsonNode>())!["errors"]![0]!["field"]!.GetValue<string>());

        var session = await app.SignInAsync(new TestAccount(name, "duty_officer", app.Hierarchy.Roots[0].Id, password, null));
        using (var cases = await app.SendAsync(HttpMethod.Get, "/api/v1/cases", session)) Assert.Equal(HttpStatusCode.Forbidden, cases.StatusCode);
        using (var change = await app.SendAsync(HttpMethod.Post, "/api/v1/auth/password", session, body: new JsonObject { ["current"] = password, ["new"] = "Another-Long-Passw0rd" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
            using var cases = await app.SendAsync(HttpMethod.Get, "/api/v1/cases", SecureApp.SessionCookie(change));
            Assert.Equal(HttpStatusCode.OK, cases.StatusCode);
        }
    }

    private static string WrongCode(string key)
    {
        // Not the code of any step Identity accepts (it allows a little clock drift either way).
        var valid = Enumerable.Range(-3, 7).Select(s => Totp.Code(key, DateTimeOffset.UtcNow.AddSeconds(30 * s))).ToHashSet();
        return Enumerable.Range(0, 1000).Select(i => i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).First(c => !valid.Contains(c));
    }
}
