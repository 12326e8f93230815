using Warning.Analytics.Hierarchy;
using Warning.Web.Accounts;

namespace Warning.Web.Live;

/// <summary>The big screen's own settings (section <c>Screen</c>).</summary>
public sealed class ScreenOptions
{
    public const string Section = "Screen";

    /// <summary>
    /// A city's screen cycles its counties, each shown this long, as a Grafana playlist does (0: off). A screen's URL may
    /// set its own with <c>?carousel=seconds</c>.
    /// </summary>
    public TimeSpan CarouselInterval { get; set; } = TimeSpan.Zero;

    public static IEnumerable<string> Validate(ScreenOptions o)
    {
        if (o.CarouselInterval < TimeSpan.Zero) yield return "Screen:CarouselInterval must not be negative";
        else if (o.CarouselInterval > TimeSpan.Zero && o.CarouselInterval < TimeSpan.FromSeconds(5))
            yield return "Screen:CarouselInterval must be 0 (off) or at least 5 seconds: a map needs time to be read";
    }

    /// <summary>
    /// The area a screen shows: the one asked for if the caller may see it and it has areas below it worth a map (city,
    /// county, township), else the caller's region, else the whole hierarchy. False: asked for one outside the scope or unknown.
    /// </summary>
    public static bool TryViewOf(AreaHierarchy hierarchy, RegionScope scope, string? asked, out string? view)
    {
        view = scope.RegionId;
        if (asked is null) return true;
        if (!scope.Allows(hierarchy, asked) || hierarchy[asked].Level > AreaLevel.Township) return false;
        view = asked;
        return true;
    }
}
