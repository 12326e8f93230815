using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Warning.Web.Accounts;

/// <summary>
/// The big screen's kiosk sign-in: <c>/screen/?token=…</c> once, answered with a long-lived cookie of its own scheme and a
/// redirect that drops the token from the address bar (and from the browser history and any proxy's log after it). The
/// cookie stays good while the token is registered: each request checks it is not revoked.
/// </summary>
public static class KioskTokens
{
    public const string Scheme = "Screen";
    public const string CookieName = "warning.screen";
    public const string ScreenPath = "/screen/";

    public static string UrlFor(string token) => ScreenPath + "?token=" + Uri.EscapeDataString(token);

    public static void Configure(CookieAuthenticationOptions o)
    {
        o.Cookie.Name = CookieName;
        o.Cookie.HttpOnly = true;
        o.Cookie.SameSite = SameSiteMode.Strict;
        o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        // A wall display runs for months; the token's registration is what bounds it, checked on every request.
        o.ExpireTimeSpan = TimeSpan.FromDays(400);
        o.SlidingExpiration = true;
        o.Events.OnValidatePrincipal = context =>
        {
            var id = context.Principal?.FindFirst(WarningClaims.ScreenTokenId)?.Value;
            if (id is null || !context.HttpContext.RequestServices.GetRequiredService<CredentialStore>().IsScreenLive(id)) context.RejectPrincipal();
            return Task.CompletedTask;
        };
    }

    public static IApplicationBuilder UseKioskTokens(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.Path.StartsWithSegments("/screen") && http.Request.Query.TryGetValue("token", out var values))
        {
            if (values is [{ Length: > 0 and <= 200 } token] && http.RequestServices.GetRequiredService<CredentialStore>().FindScreen(token) is { } screen)
            {
                var claims = new List<Claim>
                {
                    new(ClaimTypes.Name, "screen:" + screen.Name),
                    new(ClaimTypes.Role, Roles.Screen),
                    new(WarningClaims.ScreenTokenId, screen.Id),
                };
                if (screen.RegionId is { } region) claims.Add(new Claim(WarningClaims.Region, region));
                await http.SignInAsync(Scheme, new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme)), new AuthenticationProperties { IsPersistent = true });
                http.Response.Redirect(ScreenPath);
                return;
            }
            http.Response.Redirect("/login?error=screen-token");
            return;
        }
        await next(http);
    });
}
