using System.Data.Common;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Warning.Analytics.Disputes;
using Warning.Analytics.Hierarchy;
using Warning.Silo.Ingest;
using Warning.Web.Accounts;
using Warning.Web.Hardening;

namespace Warning.Web.Ingest;

public static class IngestEndpoints
{
    public const int MaxBatch = 1000;
    public const long MaxBodyBytes = 16 * 1024 * 1024;

    public static RouteGroupBuilder MapIngest(this RouteGroupBuilder api)
    {
        // Machine feeds with an API key of that kind; a key with a region takes only grids under it.
        var ingest = api.MapGroup("").WithTags("Ingest").WithBodyLimit(MaxBodyBytes);
        ingest.MapPost("/reports", (HttpContext http, IngestHandler handler) =>
                handler.HandleAsync(http, "report", "reportId", (item, context) => ReportRules.Read(item, context)))
            .RequireAuthorization(Policies.Ingest(IngestKinds.Report)).Accepts<ScreeningReport>("application/json").Produces<IngestResponse>(202);
        ingest.MapPost("/incidents", (HttpContext http, IngestHandler handler) =>
                handler.HandleAsync(http, "incident", "incidentId", (item, context) => IncidentRules.Read(item, context)))
            .RequireAuthorization(Policies.Ingest(IngestKinds.Incident)).Accepts<Incident>("application/json").Produces<IngestResponse>(202);
        ingest.MapPost("/screenings", (HttpContext http, IngestHandler handler) =>
                handler.HandleAsync(http, "screening", "screeningId", (item, context) => ScreeningRules.Read(item, context)))
            .RequireAuthorization(Policies.Ingest(IngestKinds.Screening)).Accepts<ScreeningRound>("application/json").Produces<IngestResponse>(202);
        ingest.MapPost("/persons", (HttpContext http, IngestHandler handler) =>
                handler.HandleAsync(http, "person", "personId", (item, context) => PersonRules.Read(item, context)))
            .RequireAuthorization(Policies.Ingest(IngestKinds.Person)).Accepts<KeyIndividual>("application/json").Produces<IngestResponse>(202);
        return api;
    }
}

/// <summary>Parses a single item or a batch, applies the rules item by item, keeps the valid ones and answers per item.</summary>
public sealed class IngestHandler(Intake intake, AreaHierarchy hierarchy, KnownIds known, [Microsoft.Extensions.DependencyInjection.FromKeyedServices(Warning.Silo.Time.WarningClock.Business)] TimeProvider time,
    Microsoft.Extensions.Options.IOptions<IngestOptions> options, ILogger<IngestHandler> logger)
{
    public async Task<IResult> HandleAsync<T>(HttpContext http, string kind, string idField, Func<JsonElement, IngestContext, (T?, FieldReader)> read)
        where T : class
    {
        if (!(http.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ?? false))
            return Problems.Field(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "$", "contentType", "the body must be application/json");

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = IngestEndpoints.MaxBodyBytes;
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(http.Request.Body, new JsonDocumentOptions { MaxDepth = 16 }, http.RequestAborted);
        }
        catch (JsonException ex)
        {
            return Problems.Field(StatusCodes.Status400BadRequest, "Malformed JSON", "$", "json", $"the body is not valid JSON: {ex.Message}");
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problems.Field(StatusCodes.Status413PayloadTooLarge, "Body too large", "$", "maxBytes", $"the body must be at most {IngestEndpoints.MaxBodyBytes:N0} bytes");
        }

        using (document)
        {
            var root = document.RootElement;
            List<JsonElement> items;
            if (root.ValueKind == JsonValueKind.Object) items = [root];
            else if (root.ValueKind == JsonValueKind.Array)
            {
                var count = root.GetArrayLength();
                if (count == 0) return Problems.Field(StatusCodes.Status400BadRequest, "Empty batch", "$", "minItems", "a batch must hold at least one item");
                if (count > IngestEndpoints.MaxBatch)
                    return Problems.Field(StatusCodes.Status413PayloadTooLarge, "Batch too large", "$", "maxItems", $"a batch holds at most {IngestEndpoints.MaxBatch:N0} items");
                items = root.EnumerateArray().ToList();
            }
            else return Problems.Field(StatusCodes.Status400BadRequest, "Wrong body type", "$", "type", $"the body must be a {kind} object or an array of them");

            var context = new IngestContext(hierarchy, known, time.GetUtcNow(), options.Value.EarliestEventTime) { Scope = RegionScope.Of(http) };
            var results = new IngestItemResult[items.Count];
            var valid = new List<object>(items.Count);
            var validIndex = new List<int>(items.Count);
            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i];
                if (item.ValueKind != JsonValueKind.Object)
                {
                    results[i] = new IngestItemResult(i, null, "rejected", null, [new IngestError("$", "type", $"item {i} must be a {kind} object")]);
                    continue;
                }
                var id = item.TryGetProperty(idField, out var idElement) && FieldReader.TryReadString(idElement, out var text) ? text : null;
                (T? record, FieldReader fields) read1;
                // Cluster mode: a case or person another node accepted is looked up in PostgreSQL.
                try { read1 = read(item, context); }
                catch (DbException ex) { return StoreUnavailable(http, kind, items.Count, ex); }
                var (record, fields) = read1;
                if (record is null) results[i] = new IngestItemResult(i, id, "rejected", null, fields.Errors);
                else
                {
                    valid.Add(record);
                    validIndex.Add(i);
                }
            }

            if (valid.Count > 0)
            {
                AppendResult[] appended;
                try
                {
                    appended = await intake.AcceptAsync(valid, http.RequestAborted).WaitAsync(options.Value.AppendTimeout, http.RequestAborted);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !http.RequestAborted.IsCancellationRequested)
                {
                    // The store did not confirm the append (PostgreSQL away, a disk error, or no answer in time): no 202 for what
                    // may not be kept. If it did commit after all, the client's retry with the same ids comes back as duplicates.
                    return StoreUnavailable(http, kind, valid.Count, ex);
                }
                for (var v = 0; v < valid.Count; v++)
                {
                    var i = validIndex[v];
                    var id = items[i].GetProperty(idField).GetString();
                    results[i] = appended[v] switch
                    {
                        { Conflict: true } c => new IngestItemResult(i, id, "conflict", c.CaseId, c.ConflictingFields!
                            .Select(field => new IngestError(field, "conflict", $"'{field}' differs from the version of '{id}' accepted first; the first version stands")).ToArray()),
                        { Duplicate: true } d => new IngestItemResult(i, id, "duplicate", d.CaseId, null),
                        var a => new IngestItemResult(i, id, "accepted", a.CaseId, null),
                    };
                }
            }

            var accepted = results.Count(r => r.Status == "accepted");
            var duplicates = results.Count(r => r.Status == "duplicate");
            var rejected = results.Length - accepted - duplicates;
            var response = new IngestResponse(accepted, duplicates, rejected, results);
            if (response.Conflicts > 0) logger.LogWarning("Ingest {Kind}: {Conflicts} ids re-sent with other content (first: {Id})", kind, response.Conflicts, results.First(r => r.Status == "conflict").Id);
            logger.LogInformation("Ingest {Kind}: {Items} items, {Accepted} accepted, {Duplicates} duplicates, {Rejected} rejected",
                kind, results.Length, accepted, duplicates, rejected);
            if (accepted + duplicates == 0)
            {
                var first = results.SelectMany(r => r.Errors ?? []).First();
                var detail = results.Length == 1 ? $"{first.Field}: {first.Message}" : $"all {results.Length} items were rejected; first: item {results.First(r => r.Errors is not null).Index} {first.Field}: {first.Message}";
                // Only conflicts: the ids are taken by other content, which is 409's meaning, not a malformed request.
                return Problems.Rejected(detail, response, response.Conflicts == results.Length ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest);
            }
            return Results.Json(response, WarningJson.Options, statusCode: StatusCodes.Status202Accepted);
        }
    }

    private IResult StoreUnavailable(HttpContext http, string kind, int items, Exception ex)
    {
        var retryAfter = options.Value.RetryAfterSeconds;
        logger.LogWarning("Ingest {Kind}: the log's store did not take {Items} items ({Error}); answering 503", kind, items, ex.Message);
        http.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problems.Field(StatusCodes.Status503ServiceUnavailable, "Store unavailable", "$", "store",
            $"the ingest log cannot take items right now; nothing of this request was accepted, retry after {retryAfter} s with the same ids");
    }
}
