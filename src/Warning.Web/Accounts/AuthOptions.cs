namespace Warning.Web.Accounts;

/// <summary>Settings under "Auth".</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>Roles that must enrol a TOTP authenticator and give a code at every sign-in (comma-separated).</summary>
    public string TotpRoles { get; set; } = "admin,commander";

    /// <summary>Failed sign-ins (passwords and TOTP codes) before the account is locked for <see cref="LockoutDuration"/>.</summary>
    public int LockoutAttempts { get; set; } = 5;

    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    public int PasswordMinLength { get; set; } = 12;

    /// <summary>How long a signed-in person stays signed in without activity.</summary>
    public TimeSpan SessionIdle { get; set; } = TimeSpan.FromHours(8);

    /// <summary>A direct connection from this machine counts as an operator for /readyz, /metrics, /orleans and /jobs.</summary>
    public bool LoopbackIsOperator { get; set; } = true;

    /// <summary>First run on an empty store: also create one demo account per role and a screen token, and print them (scripts/run.sh).</summary>
    public bool DemoAccounts { get; set; }

    /// <summary>How often a node re-reads API keys and screen tokens (another node may have revoked one).</summary>
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Keys provisioned from configuration by hash (a secret store holds the key, the service only its SHA-256), e.g.
    /// for a feed set up before any admin signs in, or a benchmark.
    /// </summary>
    public List<ProvisionedKey> ProvisionedKeys { get; set; } = [];

    public RateLimitOptions RateLimits { get; set; } = new();

    /// <summary>Origins allowed to call the API from a browser; empty: CORS stays closed.</summary>
    public string[] CorsOrigins { get; set; } = [];

    public ISet<string> TotpRoleSet => TotpRoles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
}

public sealed class ProvisionedKey
{
    public string Name { get; set; } = "";
    public string Sha256 { get; set; } = "";
    public string[] Kinds { get; set; } = [];
    public string? RegionId { get; set; }
}

/// <summary>Token buckets per API key, per signed-in user and per anonymous address; over them: 429 with Retry-After.</summary>
public sealed class RateLimitOptions
{
    public int ApiKeyPerSecond { get; set; } = 5000;
    public int ApiKeyBurst { get; set; } = 10000;
    public int UserPerSecond { get; set; } = 50;
    public int UserBurst { get; set; } = 200;
    public int AnonymousPerSecond { get; set; } = 10;
    public int AnonymousBurst { get; set; } = 50;
}

/// <summary>Settings under "Accounts": where accounts, keys and the audit log are kept.</summary>
public sealed class AccountsStoreOptions
{
    public const string Section = "Accounts";

    /// <summary><c>sqlite</c> (accounts.db in the data folder) or <c>postgres</c> (cluster mode; all nodes share it).</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>For postgres: the Npgsql connection string.</summary>
    public string ConnectionString { get; set; } = "";
}
