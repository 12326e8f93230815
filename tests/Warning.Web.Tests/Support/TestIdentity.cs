using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Warning.Web.Accounts;

[assembly: HostingStartup(typeof(Warning.Web.Tests.Support.TestIdentityStartup))]

namespace Warning.Web.Tests.Support;

/// <summary>
/// Tests of other features run signed in: a request that carries no credential of its own (no X-Api-Key, no session or
/// kiosk cookie) is a caller holding every role and every ingest kind, in no region. Only test code adds this, in
/// process through the factory and in a service process as a hosting startup; the security tests turn it off and use
/// real accounts, keys and tokens. A request that does carry a credential gets exactly what that credential allows.
/// </summary>
public static class TestIdentity
{
    public const string Scheme = "TestIdentity";

    /// <summary>Set for a service process whose requests should run signed in (<see cref="ServiceProcess"/>).</summary>
    public const string EnvironmentVariable = "WARNING_TEST_IDENTITY";

    public static void AddTo(IServiceCollection services)
    {
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, Handler>(Scheme, null);
        services.PostConfigure<PolicySchemeOptions>(AuthSetup.DefaultScheme, o =>
        {
            var real = o.ForwardDefaultSelector!;
            o.ForwardDefaultSelector = http =>
            {
                var scheme = real(http);
                return scheme == IdentityConstants.ApplicationScheme && !http.Request.Cookies.ContainsKey(AuthSetup.SessionCookie) ? Scheme : scheme;
            };
        });
    }

    private sealed class Handler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var claims = new List<Claim> { new(ClaimTypes.Name, "test") };
            claims.AddRange(Roles.All.Select(r => new Claim(ClaimTypes.Role, r)));
            claims.AddRange(IngestKinds.All.Select(k => new Claim(WarningClaims.Kind, k)));
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, TestIdentity.Scheme)), TestIdentity.Scheme)));
        }
    }
}

/// <summary>Loaded by a service process through ASPNETCORE_HOSTINGSTARTUPASSEMBLIES (<see cref="ServiceProcess"/>).</summary>
public sealed class TestIdentityStartup : IHostingStartup
{
    public void Configure(IWebHostBuilder builder)
    {
        if (Environment.GetEnvironmentVariable(TestIdentity.EnvironmentVariable) == "1") builder.ConfigureServices(TestIdentity.AddTo);
    }
}
