using System.Text.Json;
using Warning.Analytics.Disputes;

namespace Warning.Web.Ingest;

/// <summary>The rules of <c>POST /api/v1/screenings</c>, field by field as CONTRACTS.md lists them.</summary>
public static class ScreeningRules
{
    public const int MaxHouseholds = 10_000;

    public static (ScreeningRound? Round, FieldReader Fields) Read(JsonElement item, IngestContext context, FieldSchema? schema = null)
    {
        var f = new FieldReader(item) { Schema = schema };
        var screeningId = f.Id("screeningId", required: true);
        var gridId = f.Id("gridId", required: true);
        var screenedAt = f.Time("screenedAt", required: true);
        var reporterId = f.Id("reporterId", required: true);
        var households = f.Int("householdsVisited", required: false, 0, MaxHouseholds);
        var findings = f.Enum<ScreeningFindings>("findings", required: true);
        var reportIds = f.IdList("reportIds");

        context.CheckGrid(f, gridId);
        context.CheckEventTime(f, "screenedAt", screenedAt);
        f.Note("reportIds", "Empty when 'findings' is 'none'.");
        // A round that lists reports and says it found nothing contradicts itself; which half is true is the feed's to say.
        if (findings == ScreeningFindings.None && reportIds.Count > 0)
            f.Fail("reportIds", "findings", "'reportIds' lists reports but 'findings' is 'none'; a round that filed reports is 'disputes_reported'");
        if (!f.IsValid) return (null, f);

        return (new ScreeningRound(screeningId!, gridId!, screenedAt!.Value, reporterId!, households, findings!.Value, reportIds), f);
    }
}
