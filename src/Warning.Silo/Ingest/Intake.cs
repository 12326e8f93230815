using System.Text.Json;
using Warning.Analytics.Disputes;

namespace Warning.Silo.Ingest;

/// <summary>
/// The accept step shared by the HTTP endpoints and the demo feed: records that passed the contract rules are
/// normalised to JSON, appended durably, and only then made known as cases and persons.
/// </summary>
public sealed class Intake(IngestLog log, KnownIds known, IngestPartitions partitions)
{
    public async Task<AppendResult[]> AcceptAsync(IReadOnlyList<object> records, CancellationToken cancellationToken = default)
    {
        var pending = new PendingItem[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            pending[i] = records[i] switch
            {
                ScreeningReport r => new PendingItem(IngestKind.Report, r.ReportId, r.CaseId, JsonSerializer.Serialize(r, WarningJson.Options), r),
                Incident n => new PendingItem(IngestKind.Incident, n.IncidentId, n.CaseId, JsonSerializer.Serialize(n, WarningJson.Options), n),
                KeyIndividual p => new PendingItem(IngestKind.Person, p.PersonId, null, JsonSerializer.Serialize(p, WarningJson.Options), p),
                ScreeningRound s => new PendingItem(IngestKind.Screening, s.ScreeningId, null, JsonSerializer.Serialize(s, WarningJson.Options), s),
                var other => throw new ArgumentException($"not an ingest record: {other.GetType().Name}", nameof(records)),
            } with { Partition = partitions.Of(records[i], known) };
        }

        var results = await log.AppendAsync(pending, cancellationToken);
        foreach (var record in records)
        {
            if (record is ScreeningReport { CaseId: { } caseId } report) known.AddCase(caseId, report.GridId);
            else if (record is KeyIndividual person) known.AddPerson(person.PersonId);
        }
        return results;
    }
}
