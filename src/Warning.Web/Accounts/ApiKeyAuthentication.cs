using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Warning.Web.Accounts;

/// <summary><c>X-Api-Key</c>: a machine feed, allowed the ingest kinds its key names, within its region if it has one.</summary>
public sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    CredentialStore credentials) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public new const string Scheme = "ApiKey";
    public const string Header = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values)) return Task.FromResult(AuthenticateResult.NoResult());
        // Never echo the key: a log line or error body holding it would hand it to whoever reads that.
        if (values.Count != 1 || values[0] is not { Length: > 0 and <= 200 } key || credentials.FindKey(key) is not { } found)
            return Task.FromResult(AuthenticateResult.Fail("unknown or revoked API key"));

        var claims = new List<Claim>(4 + found.Kinds.Length)
        {
            new(ClaimTypes.Name, "apikey:" + found.Name),
            new(ClaimTypes.Role, Roles.Feed),
            new(WarningClaims.ApiKeyId, found.Id),
        };
        claims.AddRange(found.Kinds.Select(k => new Claim(WarningClaims.Kind, k)));
        if (found.RegionId is { } region) claims.Add(new Claim(WarningClaims.Region, region));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme)), Scheme)));
    }
}
