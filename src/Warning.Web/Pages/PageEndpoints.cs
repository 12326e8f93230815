using Microsoft.AspNetCore.StaticFiles;
using Warning.Web.Accounts;

namespace Warning.Web.Pages;

/// <summary>
/// The HTML pages, as endpoints with policies: static files serve scripts, styles and libraries (open, as the contract
/// says) but never an .html file, so no page can be reached around its policy.
/// </summary>
public static class PageEndpoints
{
    public static StaticFileOptions StaticAssets()
    {
        var types = new FileExtensionContentTypeProvider();
        types.Mappings.Remove(".html");
        types.Mappings.Remove(".htm");
        return new StaticFileOptions { ContentTypeProvider = types };
    }

    public static IEndpointRouteBuilder MapPages(this IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("").WithTags("Pages").ExcludeFromDescription();
        pages.MapGet("/", () => Results.Redirect("/screen/")).AllowAnonymous();
        pages.MapGet("/login", Page("login/index.html")).AllowAnonymous();
        pages.MapGet("/screen/", ScreenPage).RequireAuthorization(Policies.Aggregates);
        pages.MapGet("/screen/index.html", ScreenPage).RequireAuthorization(Policies.Aggregates);
        pages.MapGet("/console/", Page("console/index.html")).RequireAuthorization(Policies.SignedIn);
        pages.MapGet("/meetings/", Page("meetings/index.html")).RequireAuthorization(Policies.Meetings);
        return app;
    }

    /// <summary>The big screen, of the whole scope or of one county or township in it (<c>?regionId=</c>); any other id is a 404.</summary>
    private static IResult ScreenPage(HttpContext http, IWebHostEnvironment env, Warning.Analytics.Hierarchy.AreaHierarchy hierarchy, string? regionId) =>
        Live.ScreenOptions.TryViewOf(hierarchy, RegionScope.Of(http), string.IsNullOrEmpty(regionId) ? null : regionId, out _)
            ? Page("screen/index.html")(env)
            : Problems.NotFound("regionId", $"no region '{regionId}' to show on a screen");

    private static Func<IWebHostEnvironment, IResult> Page(string file) => env =>
        env.WebRootFileProvider.GetFileInfo(file) is { Exists: true } info
            ? Results.Stream(info.CreateReadStream(), "text/html; charset=utf-8")
            : Problems.NotFound("path", $"page {file} is missing");
}
