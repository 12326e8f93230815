using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Warning.Web.Accounts;

namespace Warning.Web.Audit;

public static class AuditEndpoints
{
    public const int MaxLimit = 1000;

    public static RouteGroupBuilder MapAudit(this RouteGroupBuilder api)
    {
        var audit = api.MapGroup("/audit").RequireAuthorization(Policies.Audit).WithTags("Audit");

        audit.MapGet("/", async (string? after, string? limit, AccountsDb db, CancellationToken ct) =>
        {
            long from = 0;
            if (after is not null && !long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out from))
                return Problems.Field(400, "Invalid query", "after", "format", "after must be a whole number (an entry's seq)");
            var take = 100;
            if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take is < 1 or > MaxLimit))
                return Problems.Field(400, "Invalid query", "limit", "range", $"limit must be a whole number from 1 to {MaxLimit}");
            return Results.Ok(await db.AuditEntries.AsNoTracking().Where(e => e.Seq > from).OrderBy(e => e.Seq).Take(take).ToListAsync(ct));
        });

        audit.MapGet("/verify", async (AuditLog log, CancellationToken ct) => Results.Ok(await log.VerifyAsync(ct)));
        return api;
    }
}
