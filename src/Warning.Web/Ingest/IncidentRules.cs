using System.Text.Json;
using Warning.Analytics.Disputes;

namespace Warning.Web.Ingest;

/// <summary>The rules of <c>POST /api/v1/incidents</c>.</summary>
public static class IncidentRules
{
    public static (Incident? Incident, FieldReader Fields) Read(JsonElement item, IngestContext context, FieldSchema? schema = null)
    {
        var f = new FieldReader(item) { Schema = schema };
        var incidentId = f.Id("incidentId", required: true);
        var source = f.Enum<IncidentSource>("source", required: true);
        var type = f.Enum<IncidentType>("type", required: true);
        var occurredAt = f.Time("occurredAt", required: true);
        var gridId = f.Id("gridId", required: true);
        var caseId = f.Id("caseId", required: false);
        var personIds = f.IdList("personIds");
        var severity = f.Int("severity", required: true, 1, 5);
        var summary = f.Text("summary", FieldReader.MaxSummaryLength);

        context.CheckGrid(f, gridId);
        context.CheckEventTime(f, "occurredAt", occurredAt);
        f.Note("caseId", "A case accepted before (or opened earlier in the batch).");
        if (caseId is not null && !context.IsCase(caseId)) f.Fail("caseId", "unknownCase", $"case '{caseId}' does not exist");
        context.CheckPersons(f, personIds);
        if (!f.IsValid) return (null, f);

        return (new Incident(incidentId!, source!.Value, type!.Value, occurredAt!.Value, gridId!, caseId, personIds, severity!.Value, summary), f);
    }
}
