using Warning.Silo.Cluster;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Warning.Web.Audit;
using Warning.Web.Hardening;

namespace Warning.Web.Accounts;

/// <summary>Accounts, API keys, kiosk tokens and policies: registration and the request pipeline.</summary>
public static class AuthSetup
{
    /// <summary>The default scheme: picks API key, kiosk cookie or session cookie by what the request carries.</summary>
    public const string DefaultScheme = "Warning";
    public const string SessionCookie = "warning.session";
    public const string AntiforgeryHeader = "X-XSRF-TOKEN";

    public static IServiceCollection AddWarningAuth(this IServiceCollection services, IConfiguration config, string dataDirectory)
    {
        // First of the hosted services here: it creates the accounts tables, and Data Protection's own hosted service
        // (registered by the first AddDataProtection, from Identity, cookies or antiforgery) reads the key ring from them
        // at start. After it, a fresh store logged "error reading the key ring" at every first start.
        services.AddHostedService<AccountSeeding>();
        services.Configure<AuthOptions>(config.GetSection(AuthOptions.Section));
        var auth = config.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        var store = config.GetSection(AccountsStoreOptions.Section).Get<AccountsStoreOptions>() ?? new AccountsStoreOptions();
        if (ClusterModeOptions.SharedStoreFor(config, $"{AccountsStoreOptions.Section}:Provider") is { } shared)
        {
            store.Provider = "postgres";
            store.ConnectionString = shared;
        }

        services.AddDbContext<AccountsDb>(o =>
        {
            if (store.Provider.Equals("postgres", StringComparison.OrdinalIgnoreCase)) o.UseNpgsql(store.ConnectionString);
            else if (store.Provider.Equals("sqlite", StringComparison.OrdinalIgnoreCase))
                o.UseSqlite($"Data Source={Path.Combine(dataDirectory, "accounts.db")};Pooling=True");
            else throw new InvalidOperationException($"Accounts:Provider must be sqlite or postgres, not '{store.Provider}'");
        });

        services.AddIdentityCore<WarningUser>(o =>
            {
                o.Password.RequiredLength = auth.PasswordMinLength;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.MaxFailedAccessAttempts = auth.LockoutAttempts;
                o.Lockout.DefaultLockoutTimeSpan = auth.LockoutDuration;
                o.Lockout.AllowedForNewUsers = true;
                o.User.AllowedUserNameCharacters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-";
            })
            .AddSignInManager()
            .AddEntityFrameworkStores<AccountsDb>()
            .AddDefaultTokenProviders()
            // In place of Identity's authenticator check: a code is good once (OneTimeTotpProvider).
            .AddTokenProvider<OneTimeTotpProvider>(TokenOptions.DefaultAuthenticatorProvider)
            .AddClaimsPrincipalFactory<WarningClaimsFactory>();

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = DefaultScheme;
                o.DefaultChallengeScheme = DefaultScheme;
            })
            .AddPolicyScheme(DefaultScheme, DefaultScheme, o => o.ForwardDefaultSelector = SelectScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.Scheme, null)
            .AddCookie(KioskTokens.Scheme, KioskTokens.Configure)
            .AddIdentityCookies();
        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = SessionCookie;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = auth.SessionIdle;
            o.SlidingExpiration = true;
            o.LoginPath = "/login";
        });
        // A deleted user or a changed password signs the other sessions out within a minute, not the default 30.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));
        services.AddAuthorization(o => Policies.Add(o, auth.LoopbackIsOperator));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        services.AddAntiforgery(o =>
        {
            o.HeaderName = AntiforgeryHeader;
            o.Cookie.Name = "warning.af";
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        // In the accounts store: the data folder's accounts.db, or the cluster's PostgreSQL that every node reads.
        services.AddDataProtection().SetApplicationName("warning").PersistKeysToDbContext<AccountsDb>();

        services.AddSingleton<AuditLog>();
        // Seeding first: it creates the schema the credential cache reads at its start.
        services.AddSingleton<CredentialStore>();
        services.AddHostedService(sp => sp.GetRequiredService<CredentialStore>());
        services.AddWarningRateLimits(auth.RateLimits);
        if (auth.CorsOrigins.Length > 0)
            services.AddCors(o => o.AddDefaultPolicy(p => p.WithOrigins(auth.CorsOrigins).WithHeaders("Content-Type", ApiKeyAuthenticationHandler.Header).WithMethods("GET", "POST")));
        return services;
    }

    public static string SelectScheme(HttpContext http) =>
        http.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.Header) ? ApiKeyAuthenticationHandler.Scheme
        : !http.Request.Cookies.ContainsKey(SessionCookie) && http.Request.Cookies.ContainsKey(KioskTokens.CookieName) ? KioskTokens.Scheme
        : IdentityConstants.ApplicationScheme;

    /// <summary>Authentication, rate limits, antiforgery and authorization, in that order (rate limits partition by who is calling).</summary>
    public static WebApplication UseWarningAuth(this WebApplication app)
    {
        if (app.Services.GetService<Microsoft.AspNetCore.Cors.Infrastructure.ICorsService>() is not null) app.UseCors();
        app.UseKioskTokens();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.Use(ValidateAntiforgeryAsync);
        app.UseAuthorization();
        return app;
    }

    /// <summary>
    /// Every state-changing call made with a cookie (a page) carries the antiforgery header; API keys are not sent by
    /// browsers on their own, so they need none. The hub's negotiate is exempt: SignalR cannot send the header, and the
    /// hub only reads.
    /// </summary>
    private static async Task ValidateAntiforgeryAsync(HttpContext http, RequestDelegate next)
    {
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method) && !HttpMethods.IsOptions(http.Request.Method)
            && !http.Request.Path.StartsWithSegments("/hubs")
            && http.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Ticket?.AuthenticationScheme is { } scheme
            && (scheme == IdentityConstants.ApplicationScheme || scheme == KioskTokens.Scheme)
            && !await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http))
        {
            await Problems.Field(StatusCodes.Status400BadRequest, "Antiforgery token missing or invalid", AntiforgeryHeader, "antiforgery",
                $"a page's state-changing call carries the token from GET /api/v1/auth/antiforgery in the {AntiforgeryHeader} header").ExecuteAsync(http);
            return;
        }
        await next(http);
    }
}
