using System.Data.Common;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Storage;
using Warning.Web.Audit;

namespace Warning.Web.Accounts;

/// <summary>
/// First run: the accounts schema, then on an empty store an <c>admin</c> with a one-time password printed once to the
/// console and to data/initial-admin.txt (mode 0600), changed at first sign-in as Grafana does. With Auth:DemoAccounts
/// (scripts/run.sh) also one account per role and a screen token, printed and written to data/demo-accounts.txt (0600).
/// </summary>
public sealed class AccountSeeding(IServiceScopeFactory scopes, IOptions<AuthOptions> options, IOptions<StorageOptions> storage, AreaHierarchy hierarchy,
    TimeProvider time, ILogger<AccountSeeding> logger) : IHostedService
{
    public const string InitialAdminFile = "initial-admin.txt";
    public const string DemoAccountsFile = "demo-accounts.txt";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDb>();
        // Nodes of a cluster start together on one PostgreSQL store: one at a time creates the tables and the first admin
        // (two creating tables at once fail, and one seeing half of them reads a table not yet there). A session lock on
        // the connection the whole seeding uses; SQLite is one node's own file.
        var shared = db.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true;
        if (shared)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_lock(7270013)", cancellationToken);
        }
        try
        {
            await SeedAsync(scope.ServiceProvider, db, cancellationToken);
        }
        finally
        {
            if (shared)
            {
                await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_unlock(7270013)", CancellationToken.None);
                await db.Database.CloseConnectionAsync();
            }
        }
    }

    private async Task SeedAsync(IServiceProvider services, AccountsDb db, CancellationToken cancellationToken)
    {
        await CreateSchemaAsync(db, cancellationToken);
        var users = services.GetRequiredService<UserManager<WarningUser>>();
        if (await users.Users.AnyAsync(cancellationToken)) return;

        var root = hierarchy.Roots[0].Id;
        var (admin, password) = await CreateAsync(users, "admin", Roles.Admin, root, "system", time, mustChange: true);
        var dataDirectory = Path.GetFullPath(storage.Value.DataDirectory);
        WriteSecretFile(Path.Combine(dataDirectory, InitialAdminFile),
            $"user: admin\npassword: {password}\n# one-time: changed at first sign-in (then enrol an authenticator); delete this file afterwards\n");
        // Printed once, on purpose not through the logger: log files are kept and shipped, a console is not.
        Console.WriteLine($"First run: user 'admin', one-time password {password} (also in {Path.Combine(dataDirectory, InitialAdminFile)}, mode 0600)");
        var audit = services.GetRequiredService<AuditLog>();
        await audit.AppendAsync("system", "user.create", "user:admin", outcome: "first run");

        if (!options.Value.DemoAccounts) return;
        var lines = new List<string> { "# demo accounts (Auth:DemoAccounts); for exploring only" };
        foreach (var role in Roles.All.Where(r => r is not Roles.Admin and not Roles.Screen))
        {
            var (user, pw) = await CreateAsync(users, "demo-" + role.Replace('_', '-'), role, root, "system", time, mustChange: false);
            lines.Add($"{user.UserName,-22} {role,-16} {pw}{(options.Value.TotpRoleSet.Contains(role) ? "   (enrols an authenticator at first sign-in)" : "")}");
            await audit.AppendAsync("system", "user.create", "user:" + user.UserName, outcome: "demo");
        }
        var (screen, token) = await AdminEndpoints.CreateScreenAsync(db, "demo-screen", null, "system", time);
        await audit.AppendAsync("system", "screen.create", "screen:" + screen.Id, outcome: "demo");
        lines.Add($"big screen: {KioskTokens.UrlFor(token)}");
        WriteSecretFile(Path.Combine(dataDirectory, DemoAccountsFile), string.Join('\n', lines) + "\n");
        Console.WriteLine(string.Join('\n', lines));
        logger.LogInformation("Demo accounts created ({File})", Path.Combine(dataDirectory, DemoAccountsFile));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static async Task<(WarningUser User, string Password)> CreateAsync(UserManager<WarningUser> users, string userName, string role, string regionId,
        string createdBy, TimeProvider time, bool mustChange)
    {
        var user = new WarningUser
        {
            UserName = userName, Role = role, RegionId = regionId, MustChangePassword = mustChange, CreatedAt = time.GetUtcNow(), CreatedBy = createdBy,
            LockoutEnabled = true,
        };
        var password = Secrets.NewPassword();
        var result = await users.CreateAsync(user, password);
        if (!result.Succeeded) throw new InvalidOperationException($"creating user {userName}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        return (user, password);
    }

    /// <summary>
    /// The tables, created when missing. Not EnsureCreated: in cluster mode the PostgreSQL database already holds
    /// Orleans' and the ingest log's tables, and EnsureCreated does nothing on a database that has any table.
    /// </summary>
    public static async Task CreateSchemaAsync(AccountsDb db, CancellationToken ct)
    {
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync(ct)) await creator.CreateAsync(ct);
        // Asked of the catalogue, not by querying the table: a failed query is logged as an error at every first start.
        var table = db.ApiKeys.EntityType.GetTableName()!;
        var catalogue = db.Database.ProviderName?.Contains("Npgsql", StringComparison.Ordinal) == true
            ? "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = @table"
            : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @table";
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = catalogue;
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@table";
            parameter.Value = table;
            command.Parameters.Add(parameter);
            if (Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) > 0) return;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        await creator.CreateTablesAsync(ct);
    }

    private static void WriteSecretFile(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }
}
