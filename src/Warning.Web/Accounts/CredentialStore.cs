using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Warning.Web.Accounts;

/// <summary>A live API key or screen token as the request path sees it.</summary>
public sealed record CachedCredential(string Id, string Name, string[] Kinds, string? RegionId);

/// <summary>
/// API keys and screen tokens by hash, in memory: checking a key costs a SHA-256 and a dictionary lookup, not a
/// database round trip (the ingest bench holds it under 5 %). Re-read every Auth:KeyRefreshInterval so a key revoked
/// on another node stops working here too; revoked on this node, it stops at once. Last use is kept in memory and
/// written with the refresh.
/// </summary>
public sealed class CredentialStore(IServiceScopeFactory scopes, IOptions<AuthOptions> options, TimeProvider time, ILogger<CredentialStore> logger)
    : BackgroundService
{
    private volatile Dictionary<string, CachedCredential> _keys = new(StringComparer.Ordinal);
    private volatile Dictionary<string, CachedCredential> _screens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _keyUse = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _screenUse = new();
    private readonly SemaphoreSlim _refresh = new(1, 1);

    public CachedCredential? FindKey(string key)
    {
        if (!_keys.TryGetValue(Secrets.Sha256(key), out var found)) return null;
        _keyUse[found.Id] = time.GetUtcNow();
        return found;
    }

    public CachedCredential? FindScreen(string token)
    {
        if (!_screens.TryGetValue(Secrets.Sha256(token), out var found)) return null;
        _screenUse[found.Id] = time.GetUtcNow();
        return found;
    }

    /// <summary>Whether a screen token is still registered (a kiosk cookie outlives nothing that was revoked).</summary>
    public bool IsScreenLive(string id) => _screens.Values.Any(s => s.Id == id);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.KeyRefreshInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try { await RefreshAsync(stoppingToken); }
                catch (Exception ex) when (ex is not OperationCanceledException) { logger.LogWarning(ex, "Reading API keys and screen tokens failed; the last ones read stay in force"); }
            }
        }
        catch (OperationCanceledException) { }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try { await RefreshAsync(cancellationToken); } catch (Exception ex) { logger.LogWarning(ex, "Recording the last use of API keys failed"); }
    }

    /// <summary>Writes last uses, then re-reads what is live.</summary>
    public async Task RefreshAsync(CancellationToken ct = default)
    {
        await _refresh.WaitAsync(ct);
        try
        {
            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<AccountsDb>();
            await FlushUseAsync(db.ApiKeys, _keyUse, (k, at) => k.LastUsedAt = at, ct);
            await FlushUseAsync(db.ScreenTokens, _screenUse, (s, at) => s.LastUsedAt = at, ct);
            await db.SaveChangesAsync(ct);

            var keys = new Dictionary<string, CachedCredential>(StringComparer.Ordinal);
            foreach (var k in await db.ApiKeys.AsNoTracking().Where(k => k.RevokedAt == null).ToListAsync(ct))
                keys[k.Hash] = new CachedCredential(k.Id, k.Name, k.Kinds.Split(',', StringSplitOptions.RemoveEmptyEntries), k.RegionId);
            foreach (var p in options.Value.ProvisionedKeys.Where(p => p.Sha256.Length == 64))
                keys[p.Sha256.ToLowerInvariant()] = new CachedCredential("provisioned:" + p.Name, p.Name, p.Kinds, p.RegionId is { Length: > 0 } r ? r : null);
            _keys = keys;
            _screens = (await db.ScreenTokens.AsNoTracking().Where(s => s.RevokedAt == null).ToListAsync(ct))
                .ToDictionary(s => s.Hash, s => new CachedCredential(s.Id, s.Name, [], s.RegionId), StringComparer.Ordinal);
        }
        finally
        {
            _refresh.Release();
        }
    }

    private static async Task FlushUseAsync<T>(DbSet<T> set, ConcurrentDictionary<string, DateTimeOffset> uses, Action<T, DateTimeOffset> stamp, CancellationToken ct)
        where T : class
    {
        foreach (var (id, at) in uses.ToArray())
        {
            uses.TryRemove(new KeyValuePair<string, DateTimeOffset>(id, at));
            if (await set.FindAsync([id], ct) is { } row) stamp(row, at);
        }
    }
}
