using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Warning.Web.Accounts;

/// <summary>
/// 401 and 403 as problem+json for the API and hubs; a page sends a signed-out browser to /login instead.
/// (Out-of-region reads are the endpoints' own 404s.)
/// </summary>
public sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    public async Task HandleAsync(RequestDelegate next, HttpContext http, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (result.Succeeded)
        {
            await next(http);
            return;
        }
        var isPage = !IsApi(http.Request.Path) && (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method));
        if (result.Challenged)
        {
            if (isPage)
            {
                http.Response.Redirect("/login?returnUrl=" + Uri.EscapeDataString(http.Request.Path + http.Request.QueryString));
                return;
            }
            http.Response.Headers.WWWAuthenticate = $"{ApiKeyAuthenticationHandler.Header}, Cookie";
            await Problems.Field(StatusCodes.Status401Unauthorized, "Unauthenticated", "$", "authentication",
                "sign in (POST /api/v1/auth/login) or send an API key in X-Api-Key").ExecuteAsync(http);
            return;
        }
        var stage = http.User.FindFirst(WarningClaims.Stage)?.Value;
        await Problems.Field(StatusCodes.Status403Forbidden, "Forbidden", "$", stage ?? "role",
            stage switch
            {
                "change_password" => "change the one-time password first (POST /api/v1/auth/password)",
                "enrol_totp" => "enrol an authenticator first (POST /api/v1/auth/totp)",
                _ => "your role does not allow this",
            }).ExecuteAsync(http);
    }

    public static bool IsApi(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/hubs") || path.StartsWithSegments("/readyz") || path.StartsWithSegments("/metrics");
}
