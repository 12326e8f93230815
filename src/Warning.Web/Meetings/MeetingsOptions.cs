namespace Warning.Web.Meetings;

/// <summary>Settings of the meeting packs, bound from <c>Meetings</c> and checked at start.</summary>
public sealed class MeetingsOptions
{
    public const string Section = "Meetings";

    /// <summary>The Chromium that prints packs to PDF (Debian's chromium package).</summary>
    public string ChromiumPath { get; set; } = "/usr/bin/chromium";

    /// <summary>How long one PDF may take to print before the request (or job) fails with the renderer's message.</summary>
    public TimeSpan PrintTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Rows in each list of cases and grids.</summary>
    public int ListLength { get; set; } = 15;

    /// <summary>Share of cases (by a hash of the id) the model check replays; 1 replays all, at a cost for a city's quarter.</summary>
    public double ModelCheckCaseSample { get; set; } = 0.3;

    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(ChromiumPath)) yield return "Meetings:ChromiumPath must name the Chromium executable";
        if (PrintTimeout <= TimeSpan.Zero) yield return "Meetings:PrintTimeout must be positive";
        if (ModelCheckCaseSample is <= 0 or > 1) yield return "Meetings:ModelCheckCaseSample must be above 0 and at most 1";
        if (ListLength is < 1 or > 500) yield return "Meetings:ListLength must be from 1 to 500";
    }
}
