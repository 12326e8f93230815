using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Warning.Analytics.Hierarchy;
using Warning.Web.Audit;

namespace Warning.Web.Accounts;

public sealed record LoginRequest(string? UserName, string? Password, string? Totp);

public sealed record PasswordChange(string? Current, string? New);

public sealed record TotpCode(string? Code);

public sealed record MeView(string UserName, string Role, string RegionId, string? RegionName, bool MustChangePassword, bool TotpRequired, bool TotpEnrolled);

public sealed record TotpEnrolment(string Key, string Uri);

/// <summary>Signing in and out, the first-sign-in password change and TOTP enrolment (CONTRACTS.md "Authentication").</summary>
public static class AuthEndpoints
{
    public static RouteGroupBuilder MapAuth(this RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth").WithTags("Authentication");

        // Pages fetch a token before any state-changing call; it is bound to who is signed in, so fetch again after signing in.
        auth.MapGet("/antiforgery", (HttpContext http, IAntiforgery antiforgery) =>
            Results.Ok(new { token = antiforgery.GetAndStoreTokens(http).RequestToken, header = AuthSetup.AntiforgeryHeader })).AllowAnonymous();

        auth.MapPost("/login", async (LoginRequest body, HttpContext http, UserManager<WarningUser> users, SignInManager<WarningUser> signIn,
            AuditLog audit, IOptions<AuthOptions> options) =>
        {
            if (string.IsNullOrEmpty(body.UserName)) return Problems.Field(400, "Invalid request", "userName", "required", "userName is required");
            if (string.IsNullOrEmpty(body.Password)) return Problems.Field(400, "Invalid request", "password", "required", "password is required");
            var user = await users.FindByNameAsync(body.UserName);
            // The same answer for an unknown name and a wrong password: a failed sign-in must not tell which names exist.
            if (user is null) return Unauthorized("password", "credentials", "user name or password is wrong");
            if (await users.IsLockedOutAsync(user)) return Locked(user);

            var check = await signIn.CheckPasswordSignInAsync(user, body.Password, lockoutOnFailure: true);
            if (check.IsLockedOut) { await audit.AppendAsync(user.UserName!, "login.locked", "user:" + user.UserName); return Locked(user); }
            if (!check.Succeeded) return Unauthorized("password", "credentials", "user name or password is wrong");

            if (user.TwoFactorEnabled)
            {
                if (string.IsNullOrWhiteSpace(body.Totp)) return Unauthorized("totp", "required", "this account needs the 6-digit code from its authenticator");
                var code = body.Totp.Replace(" ", "", StringComparison.Ordinal);
                if (!await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, code))
                {
                    // A wrong code counts toward lockout like a wrong password: six digits would fall to guessing otherwise.
                    await users.AccessFailedAsync(user);
                    return await users.IsLockedOutAsync(user) ? Locked(user) : Unauthorized("totp", "invalid", "the code is wrong, expired or already used");
                }
                await users.ResetAccessFailedCountAsync(user);
            }
            await signIn.SignInAsync(user, isPersistent: false);
            await audit.AppendAsync(user.UserName!, "login", "user:" + user.UserName);
            return Results.NoContent();
        }).AllowAnonymous();

        auth.MapPost("/logout", async (SignInManager<WarningUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return Results.NoContent();
        }).RequireAuthorization(Policies.Session);

        auth.MapGet("/me", async (HttpContext http, UserManager<WarningUser> users, AreaHierarchy hierarchy, IOptions<AuthOptions> options) =>
        {
            if (await users.GetUserAsync(http.User) is not { } user)
            {
                // A kiosk screen (or a key) is signed in without an account: tell it what it is, no more.
                return Results.Ok(new MeView(http.User.Identity?.Name ?? "", http.User.IsInRole(Roles.Screen) ? Roles.Screen : Roles.Feed,
                    WarningClaims.RegionOf(http.User) ?? "", null, false, false, false));
            }
            return Results.Ok(new MeView(user.UserName!, user.Role, user.RegionId, hierarchy.TryGet(user.RegionId, out var a) ? a.Name : null,
                user.MustChangePassword, options.Value.TotpRoleSet.Contains(user.Role), user.TwoFactorEnabled));
        }).RequireAuthorization(Policies.Session);

        auth.MapPost("/password", async (PasswordChange body, HttpContext http, UserManager<WarningUser> users, SignInManager<WarningUser> signIn, AuditLog audit) =>
        {
            if (await users.GetUserAsync(http.User) is not { } user) return Problems.Field(403, "Forbidden", "$", "account", "only a person's account has a password");
            if (string.IsNullOrEmpty(body.Current)) return Problems.Field(400, "Invalid request", "current", "required", "current is required");
            if (string.IsNullOrEmpty(body.New)) return Problems.Field(400, "Invalid request", "new", "required", "new is required");
            if (body.New == body.Current) return Problems.Field(400, "Invalid request", "new", "different", "the new password must differ from the current one");
            var result = await users.ChangePasswordAsync(user, body.Current, body.New);
            if (!result.Succeeded)
            {
                var wrongCurrent = result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.PasswordMismatch));
                return Problems.Field(400, "Password not changed", wrongCurrent ? "current" : "new", wrongCurrent ? "credentials" : "strength",
                    string.Join(" ", result.Errors.Select(e => e.Description)));
            }
            user.MustChangePassword = false;
            await users.UpdateAsync(user);
            await signIn.RefreshSignInAsync(user);
            await audit.AppendAsync(user.UserName!, "password.change", "user:" + user.UserName);
            return Results.NoContent();
        }).RequireAuthorization(Policies.Session);

        // Enrolment: a new authenticator key (replacing any unconfirmed one); confirmed by the first code it produces.
        auth.MapPost("/totp", async (HttpContext http, UserManager<WarningUser> users) =>
        {
            if (await users.GetUserAsync(http.User) is not { } user) return Problems.Field(403, "Forbidden", "$", "account", "only a person's account has an authenticator");
            if (user.MustChangePassword) return Problems.Field(403, "Forbidden", "$", "change_password", "change the one-time password first");
            if (user.TwoFactorEnabled) return Problems.Field(409, "Already enrolled", "$", "enrolled", "this account already has an authenticator; an admin can reset it");
            await users.ResetAuthenticatorKeyAsync(user);
            var key = (await users.GetAuthenticatorKeyAsync(user))!;
            var label = Uri.EscapeDataString("Warning:" + user.UserName);
            return Results.Ok(new TotpEnrolment(key, $"otpauth://totp/{label}?secret={key}&issuer=Warning&digits=6&period=30"));
        }).RequireAuthorization(Policies.Session);

        auth.MapPost("/totp/confirm", async (TotpCode body, HttpContext http, UserManager<WarningUser> users, SignInManager<WarningUser> signIn, AuditLog audit) =>
        {
            if (await users.GetUserAsync(http.User) is not { } user) return Problems.Field(403, "Forbidden", "$", "account", "only a person's account has an authenticator");
            if (string.IsNullOrWhiteSpace(body.Code)) return Problems.Field(400, "Invalid request", "code", "required", "code is required");
            if (await users.GetAuthenticatorKeyAsync(user) is null) return Problems.Field(409, "Not enrolling", "code", "enrol_first", "POST /api/v1/auth/totp first");
            if (!await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, body.Code.Replace(" ", "", StringComparison.Ordinal)))
                return Problems.Field(400, "Invalid code", "code", "invalid", "the code is wrong, expired or already used");
            await users.SetTwoFactorEnabledAsync(user, true);
            await signIn.RefreshSignInAsync(user);
            await audit.AppendAsync(user.UserName!, "totp.enrol", "user:" + user.UserName);
            return Results.NoContent();
        }).RequireAuthorization(Policies.Session);

        return api;
    }

    private static IResult Unauthorized(string field, string rule, string message) =>
        Problems.Field(StatusCodes.Status401Unauthorized, "Sign-in failed", field, rule, message);

    private static IResult Locked(WarningUser user)
    {
        var seconds = user.LockoutEnd is { } end ? Math.Max(1, (int)Math.Ceiling((end - DateTimeOffset.UtcNow).TotalSeconds)) : 60;
        return new RetryAfterResult(Problems.Field(StatusCodes.Status401Unauthorized, "Locked out", "userName", "lockout",
            $"too many failed sign-ins; try again in {seconds} s"), seconds);
    }

    private sealed class RetryAfterResult(IResult inner, int seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(http);
        }
    }
}
