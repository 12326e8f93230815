namespace Warning.Web.Ingest;

/// <summary>One broken rule of one field, e.g. <c>partiesCount</c> / <c>range</c>.</summary>
public sealed record IngestError(string Field, string Rule, string Message);

public sealed record IngestItemResult(int Index, string? Id, string Status, string? CaseId, IReadOnlyList<IngestError>? Errors);

/// <param name="Rejected">Items not stored: broken rules, and conflicts (which <paramref name="Conflicts"/> also counts).</param>
public sealed record IngestResponse(int Accepted, int Duplicates, int Rejected, IReadOnlyList<IngestItemResult> Items)
{
    public int Conflicts => Items.Count(i => i.Status == "conflict");
}
