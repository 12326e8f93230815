using Microsoft.Extensions.Options;
using Orleans;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Ingest;
using Warning.Silo.Persons;
using Warning.Silo.Risk;
using Warning.Silo.Storage;
using Warning.Silo.Time;
using Warning.Web.Accounts;
using Warning.Web.Audit;

namespace Warning.Web.Persons;

public sealed record PersonReadRequest(string? Reason);

/// <summary>Settings under "Persons".</summary>
public sealed class PersonDataOptions
{
    public const string Section = "Persons";

    /// <summary>How long after its basis expired a record keeps its identifying fields (then they are purged).</summary>
    public TimeSpan PurgeAfter { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often records are checked for expiry and retention.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// Key-individual records (PIPL sensitive personal information): read only here, one record at a time, with a reason,
/// and the audit entry is stored before the record is read.
/// </summary>
public static class PersonDataEndpoints
{
    public const int MaxReason = 500;

    public static IServiceCollection AddPersonData(this IServiceCollection services, IConfiguration config)
    {
        services.Configure<PersonDataOptions>(config.GetSection(PersonDataOptions.Section));
        services.AddSingleton<PersonExpirySweep>();
        services.AddHostedService(sp => sp.GetRequiredService<PersonExpirySweep>());
        return services;
    }

    public static RouteGroupBuilder MapPersonData(this RouteGroupBuilder api)
    {
        api.MapPost("/persons/{id}/read", async (string id, PersonReadRequest body, HttpContext http, KnownIds known, AreaHierarchy hierarchy,
            IGrainFactory grains, AuditLog audit, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(body.Reason) || body.Reason.Trim().Length < 5)
                return Problems.Field(400, "Reason required", "reason", "required", "say why this record is needed (at least 5 characters); it is audited");
            if (body.Reason.Length > MaxReason) return Problems.Field(400, "Reason too long", "reason", "maxLength", $"at most {MaxReason} characters");
            // Audited before anything is read, found or not: an attempt on a record is itself worth knowing about.
            var entry = await audit.AppendAsync(AuditLog.ActorOf(http.User), "person.read", "person:" + id, body.Reason.Trim(), ct: ct);
            var view = known.IsPerson(id) ? await grains.GetGrain<IPersonGrain>(id).GetView() : null;
            if (view is null || !RegionScope.Of(http).Allows(hierarchy, view.GridId))
                return Problems.NotFound("id", $"key individual '{id}' does not exist");
            return Results.Ok(new { auditSeq = entry.Seq, person = view });
        }).RequireAuthorization(Policies.PersonData).WithTags("Key individuals");
        return api;
    }
}

/// <summary>
/// Basis expiry: a record whose basis has expired stops counting for risk at once (a re-score tick goes through the
/// ingest log, so every open case is scored again without it), and after Persons:PurgeAfter its identifying fields are
/// cleared in the grain and in the ingest log's copy of the registration.
/// </summary>
public sealed class PersonExpirySweep(KnownIds known, PersonExpiryDue due, IGrainFactory grains, IngestLog log, IngestApplier applier, WarningDatabase database,
    WarningClock clock, IOptions<PersonDataOptions> options, AuditLog audit, ILogger<PersonExpirySweep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await applier.CaughtUp.WaitAsync(stoppingToken);
            using var timer = new PeriodicTimer(options.Value.SweepInterval);
            do
            {
                try { await SweepAsync(stoppingToken); }
                catch (Exception ex) when (ex is not OperationCanceledException) { logger.LogError(ex, "Key-individual expiry sweep failed; retrying next interval"); }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) { }
    }

    /// <returns>Bases newly expired, records purged, and the person grains called.</returns>
    public async Task<(int Expired, int Purged, int Visited)> SweepAsync(CancellationToken ct = default)
    {
        var now = clock.Now;
        int expired = 0, purged = 0, visited = 0;
        // Only those whose moment came, or whose moment this silo does not know (see PersonExpiryDue).
        foreach (var chunk in known.PersonIds.Where(id => due.IsDue(id, now)).ToArray().Chunk(256))
        {
            // A pass that visits each once: a key individual it wakes leaves with the visit. After a bulk registration
            // every moment is unknown, and the first sweep woke a province's 50,000 for two minutes (bench/province.sh).
            var results = await LeafPassing.RunAsync(TimeSpan.Zero, () => Task.WhenAll(chunk.Select(async id =>
            {
                var generation = due.Generation(id);
                var r = await grains.GetGrain<IPersonGrain>(id).Sweep(now, options.Value.PurgeAfter);
                due.Record(id, generation, r.NextDueAt);
                return (id, r);
            })));
            visited += results.Length;
            foreach (var (id, r) in results)
            {
                if (r.NewlyExpired) expired++;
                if (!r.Purged) continue;
                purged++;
                RedactLog(id);
                await audit.AppendAsync("system", "person.purge", "person:" + id, "basis expired past retention", ct: ct);
            }
        }
        if (expired > 0)
        {
            var result = await log.AppendAsync([OpenCaseRescore.Tick(now, "basis-expired")], ct);
            logger.LogInformation("{Expired} key-individual bases expired; re-score tick at seq {Seq}", expired, result[0].Seq);
        }
        return (expired, purged, visited);
    }

    /// <summary>The log keeps the registration as posted: clear its reference there too, or a replay would bring it back.</summary>
    private void RedactLog(string personId)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE ingest_log SET payload = json_set(payload, '$.basisReference', '') WHERE kind = 'Person' AND item_id = $id AND json_valid(payload)";
        command.Parameters.AddWithValue("$id", personId);
        command.ExecuteNonQuery();
    }
}
