using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Warning.Analytics.Hierarchy;
using Warning.Web.Audit;

namespace Warning.Web.Accounts;

public sealed record NewUser(string? UserName, string? Role, string? RegionId);

public sealed record UserView(string UserName, string Role, string RegionId, bool MustChangePassword, bool TotpEnrolled, bool LockedOut, DateTimeOffset CreatedAt);

public sealed record CreatedUser(string UserName, string Role, string RegionId, string Password);

public sealed record NewApiKey(string? Name, string[]? Kinds, string? RegionId);

public sealed record ApiKeyView(string Id, string Name, string[] Kinds, string? RegionId, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

public sealed record CreatedApiKey(string Id, string Name, string[] Kinds, string? RegionId, string Key);

public sealed record NewScreen(string? Name, string? RegionId);

public sealed record ScreenView(string Id, string Name, string? RegionId, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

public sealed record CreatedScreen(string Id, string Name, string? RegionId, string Token, string Url);

/// <summary>An admin's work: users, API keys and screen tokens. Every change is audited.</summary>
public static partial class AdminEndpoints
{
    [GeneratedRegex("^[A-Za-z0-9._:-]{1,64}$")]
    private static partial Regex IdPattern();

    public static RouteGroupBuilder MapAdmin(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").RequireAuthorization(Policies.Admin).WithTags("Users");

        users.MapGet("/", async (UserManager<WarningUser> manager, CancellationToken ct) =>
            Results.Ok((await manager.Users.AsNoTracking().OrderBy(u => u.UserName).ToListAsync(ct)).Select(u => new UserView(u.UserName!, u.Role, u.RegionId,
                u.MustChangePassword, u.TwoFactorEnabled, u.LockoutEnd > DateTimeOffset.UtcNow, u.CreatedAt))));

        users.MapPost("/", async (NewUser body, HttpContext http, UserManager<WarningUser> manager, AreaHierarchy hierarchy, AuditLog audit, TimeProvider time) =>
        {
            if (body.UserName is null || !IdPattern().IsMatch(body.UserName))
                return Problems.Field(400, "Invalid user", "userName", "format", "userName must be 1-64 characters from [A-Za-z0-9._:-]");
            if (!Roles.IsRole(body.Role)) return Problems.Field(400, "Invalid user", "role", "enum", $"role must be one of {string.Join(", ", Roles.All)}");
            if (body.RegionId is null || !hierarchy.Contains(body.RegionId))
                return Problems.Field(400, "Invalid user", "regionId", "unknown", "regionId must be an area of the loaded hierarchy");
            if (await manager.FindByNameAsync(body.UserName) is not null)
                return Problems.Field(409, "User exists", "userName", "unique", $"a user '{body.UserName}' already exists");
            var (user, password) = await AccountSeeding.CreateAsync(manager, body.UserName, body.Role!, body.RegionId, AuditLog.ActorOf(http.User), time, mustChange: true);
            await audit.AppendAsync(AuditLog.ActorOf(http.User), "user.create", "user:" + user.UserName, outcome: $"role={user.Role} region={user.RegionId}");
            return Results.Created($"/api/v1/users/{user.UserName}", new CreatedUser(user.UserName!, user.Role, user.RegionId, password));
        });

        users.MapDelete("/{userName}", async (string userName, HttpContext http, UserManager<WarningUser> manager, AuditLog audit) =>
        {
            if (await manager.FindByNameAsync(userName) is not { } user) return Problems.NotFound("userName", $"user '{userName}' does not exist");
            if (user.Role == Roles.Admin && await manager.Users.CountAsync(u => u.Role == Roles.Admin) == 1)
                return Problems.Field(409, "Last admin", "userName", "last_admin", "the last admin cannot be deleted");
            await manager.DeleteAsync(user);
            await audit.AppendAsync(AuditLog.ActorOf(http.User), "user.delete", "user:" + userName);
            return Results.NoContent();
        });

        var keys = api.MapGroup("/apikeys").RequireAuthorization(Policies.Admin).WithTags("API keys");

        keys.MapGet("/", async (AccountsDb db, CancellationToken ct) =>
            Results.Ok((await db.ApiKeys.AsNoTracking().ToListAsync(ct)).OrderBy(k => k.CreatedAt).Select(k =>
                new ApiKeyView(k.Id, k.Name, k.Kinds.Split(',', StringSplitOptions.RemoveEmptyEntries), k.RegionId, k.CreatedAt, k.CreatedBy, k.RevokedAt, k.LastUsedAt))));

        keys.MapPost("/", async (NewApiKey body, HttpContext http, AccountsDb db, AreaHierarchy hierarchy, CredentialStore cache, AuditLog audit, TimeProvider time) =>
        {
            if (body.Name is null || !IdPattern().IsMatch(body.Name))
                return Problems.Field(400, "Invalid key", "name", "format", "name (the feed, e.g. police_110) must be 1-64 characters from [A-Za-z0-9._:-]");
            if (body.Kinds is not { Length: > 0 } || body.Kinds.Any(k => !IngestKinds.All.Contains(k)))
                return Problems.Field(400, "Invalid key", "kinds", "enum", $"kinds must list one or more of {string.Join(", ", IngestKinds.All)}");
            if (body.RegionId is not null && !hierarchy.Contains(body.RegionId))
                return Problems.Field(400, "Invalid key", "regionId", "unknown", "regionId must be an area of the loaded hierarchy");
            var key = Secrets.NewKey("wk");
            var record = new ApiKeyRecord
            {
                Id = Secrets.NewId("key"), Name = body.Name, Hash = Secrets.Sha256(key), Kinds = string.Join(',', body.Kinds.Distinct()),
                RegionId = body.RegionId, CreatedAt = time.GetUtcNow(), CreatedBy = AuditLog.ActorOf(http.User),
            };
            db.ApiKeys.Add(record);
            await db.SaveChangesAsync();
            await cache.RefreshAsync();
            await audit.AppendAsync(record.CreatedBy, "apikey.create", "apikey:" + record.Id, outcome: $"name={record.Name} kinds={record.Kinds} region={record.RegionId}");
            return Results.Created($"/api/v1/apikeys/{record.Id}", new CreatedApiKey(record.Id, record.Name, body.Kinds.Distinct().ToArray(), record.RegionId, key));
        });

        keys.MapDelete("/{id}", async (string id, HttpContext http, AccountsDb db, CredentialStore cache, AuditLog audit, TimeProvider time) =>
        {
            if (await db.ApiKeys.FindAsync(id) is not { RevokedAt: null } record) return Problems.NotFound("id", $"API key '{id}' does not exist or is revoked");
            record.RevokedAt = time.GetUtcNow();
            await db.SaveChangesAsync();
            await cache.RefreshAsync();
            await audit.AppendAsync(AuditLog.ActorOf(http.User), "apikey.revoke", "apikey:" + id);
            return Results.NoContent();
        });

        var screens = api.MapGroup("/screens").RequireAuthorization(Policies.Admin).WithTags("Screens");

        screens.MapGet("/", async (AccountsDb db, CancellationToken ct) =>
            Results.Ok((await db.ScreenTokens.AsNoTracking().ToListAsync(ct)).OrderBy(s => s.CreatedAt)
                .Select(s => new ScreenView(s.Id, s.Name, s.RegionId, s.CreatedAt, s.RevokedAt, s.LastUsedAt))));

        screens.MapPost("/", async (NewScreen body, HttpContext http, AccountsDb db, AreaHierarchy hierarchy, CredentialStore cache, AuditLog audit, TimeProvider time) =>
        {
            if (body.Name is null || !IdPattern().IsMatch(body.Name))
                return Problems.Field(400, "Invalid screen", "name", "format", "name must be 1-64 characters from [A-Za-z0-9._:-]");
            if (body.RegionId is not null && !hierarchy.Contains(body.RegionId))
                return Problems.Field(400, "Invalid screen", "regionId", "unknown", "regionId must be an area of the loaded hierarchy");
            var (record, token) = await CreateScreenAsync(db, body.Name, body.RegionId, AuditLog.ActorOf(http.User), time);
            await cache.RefreshAsync();
            await audit.AppendAsync(record.CreatedBy, "screen.create", "screen:" + record.Id, outcome: $"name={record.Name}");
            return Results.Created($"/api/v1/screens/{record.Id}", new CreatedScreen(record.Id, record.Name, record.RegionId, token, KioskTokens.UrlFor(token)));
        });

        screens.MapDelete("/{id}", async (string id, HttpContext http, AccountsDb db, CredentialStore cache, AuditLog audit, TimeProvider time) =>
        {
            if (await db.ScreenTokens.FindAsync(id) is not { RevokedAt: null } record) return Problems.NotFound("id", $"screen '{id}' does not exist or is revoked");
            record.RevokedAt = time.GetUtcNow();
            await db.SaveChangesAsync();
            await cache.RefreshAsync();
            await audit.AppendAsync(AuditLog.ActorOf(http.User), "screen.revoke", "screen:" + id);
            return Results.NoContent();
        });
        return api;
    }

    public static async Task<(ScreenTokenRecord Record, string Token)> CreateScreenAsync(AccountsDb db, string name, string? regionId, string createdBy, TimeProvider time)
    {
        var token = Secrets.NewKey("ws");
        var record = new ScreenTokenRecord
        {
            Id = Secrets.NewId("screen"), Name = name, Hash = Secrets.Sha256(token), RegionId = regionId, CreatedAt = time.GetUtcNow(), CreatedBy = createdBy,
        };
        db.ScreenTokens.Add(record);
        await db.SaveChangesAsync();
        return (record, token);
    }
}
