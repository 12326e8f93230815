using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Reports;
using Warning.Web.Accounts;
using Warning.Web.Jobs;

namespace Warning.Web.Meetings;

/// <summary>An area and a period as a request names them, checked: the first problem found, naming its parameter.</summary>
public sealed record PackRequest(Area Area, DateOnly From, DateOnly To, ReportWords Words)
{
    public static IResult? TryRead(string? regionId, string? from, string? to, string? lang, HttpContext http, AreaHierarchy hierarchy, out PackRequest request)
    {
        request = null!;
        if (!TryDay(from, "from", out var first, out var problem) || !TryDay(to, "to", out var last, out problem)) return problem;
        if (first > last)
            return Problems.Field(StatusCodes.Status400BadRequest, "Invalid period", "from", "order", $"from ({from}) is after to ({to})");
        if (last.DayNumber - first.DayNumber + 1 > BriefingPeriod.MaxDays)
            return Problems.Field(StatusCodes.Status400BadRequest, "Invalid period", "to", "range", $"a period is at most {BriefingPeriod.MaxDays} days (2 years)");
        if (lang is not (null or "zh" or "zh-CN" or "en"))
            return Problems.Field(StatusCodes.Status400BadRequest, "Invalid parameter", "lang", "enum", "must be zh-CN or en");
        var scope = RegionScope.Of(http);
        var region = string.IsNullOrEmpty(regionId) ? scope.DefaultRegion(hierarchy) : regionId;
        if (!scope.Allows(hierarchy, region) || !hierarchy.TryGet(region, out var area))
            return Problems.NotFound("regionId", $"region '{region}' is not in the loaded hierarchy");
        request = new PackRequest(area, first, last, ReportWords.For(lang ?? "zh-CN"));
        return null;
    }

    private static bool TryDay(string? value, string field, out DateOnly day, out IResult? problem)
    {
        problem = null;
        if (value is null)
        {
            day = default;
            problem = Problems.Field(StatusCodes.Status400BadRequest, "Invalid parameter", field, "required", $"{field} is required (yyyy-MM-dd)");
            return false;
        }
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day)) return true;
        problem = Problems.Field(StatusCodes.Status400BadRequest, "Invalid parameter", field, "format", $"{field} must be a calendar day, yyyy-MM-dd");
        return false;
    }
}

public static class BriefingEndpoints
{
    /// <summary>Analysts, commanders and admins (issue 16): meetings read counts and the cases put up for discussion.</summary>
    public const string Policy = Policies.Meetings;

    public static RouteGroupBuilder MapMeetings(this RouteGroupBuilder api)
    {
        var reports = api.MapGroup("/reports").RequireAuthorization(Policy).WithTags("Meetings");

        // GET /api/v1/reports/briefing?regionId=&from=&to=&format=html|pdf|csv&lang=zh-CN|en — computed on request, not stored.
        reports.MapGet("/briefing", async (string? regionId, string? from, string? to, string? format, string? lang, HttpContext http,
            AreaHierarchy hierarchy, PackComposer composer, PackPrinter printer, IAuthorizationService auth, ILogger<PackComposer> log, CancellationToken ct) =>
        {
            if (PackRequest.TryRead(regionId, from, to, lang, http, hierarchy, out var request) is { } problem) return problem;
            var kind = format ?? "html";
            if (kind is not ("html" or "pdf" or "csv"))
                return Problems.Field(StatusCodes.Status400BadRequest, "Invalid parameter", "format", "enum", "must be html, pdf or csv");
            var showIds = (await auth.AuthorizeAsync(http.User, Policies.Cases)).Succeeded;
            var pack = await composer.ComposeAsync(request.Area.Id, request.From, request.To, showIds, ct: ct);
            var name = $"briefing-{request.Area.Id}-{request.From:yyyyMMdd}-{request.To:yyyyMMdd}";
            switch (kind)
            {
                case "csv":
                    return Results.File(BriefingCsv.Zip(pack, request.Words, hierarchy), "application/zip", name + ".zip");
                case "pdf":
                    try
                    {
                        return Results.File(await printer.PrintAsync(BriefingHtml.Render(pack, request.Words), ct), "application/pdf", name + ".pdf");
                    }
                    catch (PackPrintException ex)
                    {
                        log.LogWarning("Printing {Pack} failed: {Error}", name, ex.Message);
                        return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "PDF renderer failed", detail: ex.Message,
                            extensions: new Dictionary<string, object?> { ["html"] = $"{http.Request.Path}{http.Request.QueryString}".Replace("format=pdf", "format=html", StringComparison.Ordinal) });
                    }
                default:
                    return Results.Content(BriefingHtml.Render(pack, request.Words), "text/html; charset=utf-8");
            }
        });

        // Stored packs of the region and the areas under it, newest first; fetched as stored, never regenerated.
        reports.MapGet("/", (string? regionId, HttpContext http, AreaHierarchy hierarchy, PackStore store) =>
        {
            var scope = RegionScope.Of(http);
            var region = string.IsNullOrEmpty(regionId) ? scope.DefaultRegion(hierarchy) : regionId;
            if (!scope.Allows(hierarchy, region) || !hierarchy.TryGet(region, out var area))
                return Problems.NotFound("regionId", $"region '{region}' is not in the loaded hierarchy");
            var ids = hierarchy.PathToRoot(area.Id).Select(a => a.Id).Where(id => scope.Allows(hierarchy, id))
                .Concat(Enumerable.Range((int)area.Level, (int)AreaLevel.Grid - (int)area.Level + 1).SelectMany(l => hierarchy.Descendants(area.Id, (AreaLevel)l)).Select(a => a.Id))
                .ToHashSet(StringComparer.Ordinal);
            ids.Add(area.Id);
            return Results.Ok(new { regionId = area.Id, packs = store.List(ids).Select(p => View(p, hierarchy)).ToArray() });
        });

        reports.MapGet("/{id}", (string id, string? format, HttpContext http, AreaHierarchy hierarchy, PackStore store) =>
        {
            var kind = format ?? "html";
            if (kind is not ("html" or "pdf" or "csv"))
                return Problems.Field(StatusCodes.Status400BadRequest, "Invalid parameter", "format", "enum", "must be html, pdf or csv");
            if (store.Get(id) is not { } pack || !RegionScope.Of(http).Allows(hierarchy, pack.RegionId)) return Problems.NotFound("id", $"no stored pack {id}");
            var name = $"{pack.Id}";
            return store.Content(id, kind) switch
            {
                string html => Results.Content(html, "text/html; charset=utf-8"),
                byte[] bytes when kind == "csv" => Results.File(bytes, "application/zip", name + ".zip"),
                byte[] bytes => Results.File(bytes, "application/pdf", name + ".pdf"),
                _ => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No PDF", detail: $"the pack has no PDF: {pack.PdfError}",
                    extensions: new Dictionary<string, object?> { ["errors"] = new[] { new Ingest.IngestError("format", "unavailable", pack.PdfError ?? "not printed") } }),
            };
        });

        reports.MapGet("/jobs/{id}", (string id, HttpContext http, AreaHierarchy hierarchy, PackRuns runs) =>
            runs.Get(id) is { } status && RegionScope.Of(http).Allows(hierarchy, status.Order.RegionId)
                ? Results.Ok(status)
                : Problems.NotFound("id", $"no pack job {id}"));

        // A pack made now and stored (the meeting page's "generate"): 202 with the job to follow.
        reports.MapPost("/packs", async (HttpRequest http, AreaHierarchy hierarchy, PackRuns runs) =>
        {
            if (await ReadBody(http) is not { } body) return BodyProblem(http);
            if (body.Problem is { } p) return p;
            if (PackRequest.TryRead(body.RegionId, body.From, body.To, null, http.HttpContext, hierarchy, out var request) is { } problem) return problem;
            var job = runs.Queue(new PackOrder("on_demand", request.Area.Id, request.From, request.To, null, $"requested by {http.HttpContext.User.Identity?.Name}"));
            return Results.Accepted($"/api/v1/reports/jobs/{job.JobId}", job);
        });

        // A special bulletin (专报) on one category's cluster in an area: its cases, villages, trend and spike evidence.
        reports.MapPost("/bulletins", async (HttpRequest http, AreaHierarchy hierarchy, PackRuns runs) =>
        {
            if (await ReadBody(http) is not { } body) return BodyProblem(http);
            if (body.Problem is { } p) return p;
            if (PackRequest.TryRead(body.RegionId, body.From, body.To, null, http.HttpContext, hierarchy, out var request) is { } problem) return problem;
            if (body.Category is null)
                return Problems.Field(StatusCodes.Status400BadRequest, "Invalid request", "category", "required", "a bulletin is about one dispute category");
            if (!Analytics.Disputes.DisputeVocabulary.TryParse<Analytics.Disputes.DisputeCategory>(body.Category, out _))
                return Problems.Field(StatusCodes.Status400BadRequest, "Invalid request", "category", "enum", $"unknown category '{body.Category}'");
            var job = runs.Queue(new PackOrder("bulletin", request.Area.Id, request.From, request.To, body.Category, $"requested by {http.HttpContext.User.Identity?.Name}"));
            return Results.Accepted($"/api/v1/reports/jobs/{job.JobId}", job);
        });
        return api;
    }

    public sealed record PackBody(string? RegionId, string? Category, string? From, string? To)
    {
        [System.Text.Json.Serialization.JsonIgnore]
        public IResult? Problem { get; init; }
    }

    private static async Task<PackBody?> ReadBody(HttpRequest http)
    {
        if (!http.HasJsonContentType()) return null;
        try { return await http.ReadFromJsonAsync<PackBody>(http.HttpContext.RequestAborted) ?? new PackBody(null, null, null, null); }
        catch (System.Text.Json.JsonException ex)
        {
            return new PackBody(null, null, null, null) { Problem = Problems.Field(400, "Invalid request", ex.Path is { Length: > 2 } p ? p[2..] : "$", "json", ex.Message) };
        }
    }

    private static IResult BodyProblem(HttpRequest http) =>
        Problems.Field(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "$", "contentType", "the body must be application/json");

    private static object View(StoredPack p, AreaHierarchy hierarchy) => new
    {
        p.Id, p.RegionId, regionName = hierarchy.TryGet(p.RegionId, out var a) ? a.Name : p.RegionId, p.Kind, p.Category, p.From, p.To, p.Version, p.CreatedAt, p.Trigger,
        p.HasPdf, p.PdfError,
        links = new { html = $"/api/v1/reports/{p.Id}?format=html", pdf = p.HasPdf ? $"/api/v1/reports/{p.Id}?format=pdf" : null, csv = $"/api/v1/reports/{p.Id}?format=csv" },
    };

    public static IServiceCollection AddMeetings(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<MeetingsOptions>().Bind(config.GetSection(MeetingsOptions.Section))
            .Validate(o => !o.Problems().Any(), "Meetings settings are invalid").ValidateOnStart();
        services.AddSingleton<PackComposer>();
        services.AddSingleton<AlertFiguresReader>();
        services.AddSingleton<RiskFiguresReader>();
        services.AddSingleton<PackPrinter>();
        services.AddSingleton<PackStore>();
        services.AddSingleton<PackRuns>();
        services.AddTransient<MeetingPackJob>();
        services.AddTransient<ScheduledPacksJob>();
        var schedule = config.GetSection($"{MeetingsOptions.Section}:Schedule");
        services.AddOptions<MeetingScheduleOptions>().Bind(schedule)
            .Validate(o => o.SensitivePeriods.All(p => p.Name.Length > 0 && p.LeadDays >= 0 && p.LookBackDays is > 0 and <= BriefingPeriod.MaxDays),
                "Meetings:Schedule:SensitivePeriods need a name, a lead of 0 or more days and a look-back of 1 to 732 days").ValidateOnStart();
        var cron = schedule.Get<MeetingScheduleOptions>()?.Cron ?? new MeetingScheduleOptions().Cron;
        services.AddRecurringJob<ScheduledPacksJob>(ScheduledPacksJob.RecurringId, cron, j => j.RunAsync());
        return services;
    }
}
