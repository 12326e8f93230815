using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Warning.Web.Accounts;

namespace Warning.Web.Audit;

public sealed record AuditVerification(bool Intact, long Entries, long? FirstBrokenSeq, string? Problem);

/// <summary>
/// The append-only, hash-chained audit log (PIPL, MLPS 2.0 level 3: audit records kept and protected). Each entry's
/// hash covers its fields and the previous entry's hash; there is no update or delete anywhere in the service, and
/// entries are kept (nothing here removes them; the 180-day minimum is met by never pruning).
/// </summary>
public sealed class AuditLog(IServiceScopeFactory scopes, TimeProvider time, ILogger<AuditLog> logger)
{
    private readonly SemaphoreSlim _append = new(1, 1);
    private (long Seq, string Hash)? _last;

    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    public static string ActorOf(ClaimsPrincipal user) => user.Identity?.Name ?? "anonymous";

    /// <summary>Writes the entry and returns once it is stored: callers audit before they disclose.</summary>
    public async Task<AuditEntry> AppendAsync(string actor, string action, string target, string reason = "", string outcome = "", CancellationToken ct = default)
    {
        await _append.WaitAsync(ct);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                using var scope = scopes.CreateScope();
                var db = scope.ServiceProvider.GetRequiredService<AccountsDb>();
                _last ??= await db.AuditEntries.OrderByDescending(e => e.Seq).Select(e => new { e.Seq, e.Hash }).FirstOrDefaultAsync(ct) is { } l ? (l.Seq, l.Hash) : (0, Genesis);
                var entry = new AuditEntry
                {
                    Seq = _last.Value.Seq + 1,
                    // Whole milliseconds: what every store keeps exactly, so the hash of the stored row is the hash written.
                    At = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds()),
                    Actor = actor,
                    Action = action,
                    Target = target,
                    Reason = reason,
                    Outcome = outcome,
                    PrevHash = _last.Value.Hash,
                };
                entry.Hash = HashOf(entry);
                db.AuditEntries.Add(entry);
                try
                {
                    await db.SaveChangesAsync(ct);
                    _last = (entry.Seq, entry.Hash);
                    return entry;
                }
                catch (DbUpdateException ex) when (attempt < 5)
                {
                    // Another node appended the same seq first (cluster mode): read the new tail and chain after it.
                    logger.LogInformation("Audit seq {Seq} taken ({Error}); re-reading the tail", entry.Seq, ex.InnerException?.Message ?? ex.Message);
                    _last = null;
                }
            }
        }
        finally
        {
            _append.Release();
        }
    }

    /// <summary>Walks the chain from the start and reports the first entry whose hash or link does not hold.</summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken ct = default)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDb>();
        var previous = Genesis;
        long expectedSeq = 1, count = 0;
        await foreach (var e in db.AuditEntries.AsNoTracking().OrderBy(e => e.Seq).AsAsyncEnumerable().WithCancellation(ct))
        {
            count++;
            if (e.Seq != expectedSeq) return new AuditVerification(false, count, expectedSeq, $"entry {expectedSeq} is missing (next is {e.Seq})");
            if (e.PrevHash != previous) return new AuditVerification(false, count, e.Seq, $"entry {e.Seq} does not link to entry {e.Seq - 1}");
            if (HashOf(e) != e.Hash) return new AuditVerification(false, count, e.Seq, $"entry {e.Seq} was altered after it was written");
            previous = e.Hash;
            expectedSeq++;
        }
        return new AuditVerification(true, count, null, null);
    }

    public static string HashOf(AuditEntry e)
    {
        // Length-prefixed fields: no two different entries can serialise to the same text.
        var text = new StringBuilder();
        foreach (var field in new[]
                 {
                     e.Seq.ToString(CultureInfo.InvariantCulture), e.At.UtcTicks.ToString(CultureInfo.InvariantCulture), e.Actor, e.Action,
                     e.Target, e.Reason, e.Outcome, e.PrevHash,
                 })
            text.Append(field.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(field).Append('|');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
