using System.Text.Json;
using Warning.Analytics.Disputes;

namespace Warning.Web.Ingest;

/// <summary>The rules of <c>POST /api/v1/reports</c>, field by field as CONTRACTS.md lists them.</summary>
public static class ReportRules
{
    public static (ScreeningReport? Report, FieldReader Fields) Read(JsonElement item, IngestContext context, FieldSchema? schema = null)
    {
        var f = new FieldReader(item) { Schema = schema };
        var reportId = f.Id("reportId", required: true);
        var gridId = f.Id("gridId", required: true);
        var reportedAt = f.Time("reportedAt", required: true);
        var reporterId = f.Id("reporterId", required: true);
        var caseId = f.Id("caseId", required: false);
        var category = f.Enum<DisputeCategory>("category", required: true);
        var status = f.Enum<CaseStatus>("status", required: true);
        var parties = f.Int("partiesCount", required: true, 2, 10_000);
        var people = f.Int("peopleInvolved", required: true, 2, 100_000);
        var amount = f.Number("amountInDispute", required: false, 0, 1e10);
        var attempts = f.Int("mediationAttempts", required: true, 0, 100);
        var flags = f.EnumList<CaseFlag>("flags");
        var personIds = f.IdList("personIds");
        var summary = f.Text("summary", FieldReader.MaxSummaryLength);

        f.Note("peopleInvolved", "At least 'partiesCount'.");
        f.Note("caseId", "A case accepted before (or opened earlier in the batch), in the same grid; leave it out to open a new case.");
        if (people < parties) f.Fail("peopleInvolved", "min", "'peopleInvolved' must be at least 'partiesCount'");
        context.CheckGrid(f, gridId);
        context.CheckEventTime(f, "reportedAt", reportedAt);
        if (caseId is not null && !context.IsCase(caseId)) f.Fail("caseId", "unknownCase", $"case '{caseId}' does not exist; leave caseId out to open a new case");
        else if (caseId is not null && gridId is not null && context.GridOfCase(caseId) is { } caseGrid && caseGrid != gridId)
            f.Fail("gridId", "caseGrid", $"case '{caseId}' belongs to grid '{caseGrid}'; a report on it must carry that gridId (a case does not move between grids)");
        context.CheckPersons(f, personIds);
        if (!f.IsValid) return (null, f);

        var report = new ScreeningReport(reportId!, gridId!, reportedAt!.Value, reporterId!, caseId ?? CaseIds.FromOpeningReport(reportId!),
            category!.Value, status!.Value, parties!.Value, people!.Value, amount, attempts!.Value, flags, personIds, summary);
        if (caseId is null) context.CasesOpenedInBatch[report.CaseId!] = report.GridId;
        return (report, f);
    }
}
