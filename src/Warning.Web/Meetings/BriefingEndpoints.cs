using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Warning.Analytics.Hierarchy;
using Warning.Analytics.Reports;
using Warning.Web.Accounts;

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
                    return Results.File(BriefingCsv.Zip(pack, request.Words, id => hierarchy.TryGet(id, out var a) ? a.Name : id), "application/zip", name + ".zip");
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
        return api;
    }

    public static IServiceCollection AddMeetings(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<MeetingsOptions>().Bind(config.GetSection(MeetingsOptions.Section))
            .Validate(o => !o.Problems().Any(), "Meetings settings are invalid").ValidateOnStart();
        services.AddSingleton<PackComposer>();
        services.AddSingleton<PackPrinter>();
        return services;
    }
}
