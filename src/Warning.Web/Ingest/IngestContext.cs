using Warning.Analytics.Hierarchy;
using Warning.Silo.Ingest;

namespace Warning.Web.Ingest;

/// <summary>What the rules check ids against: the hierarchy, what was accepted before, and what this batch opens.</summary>
public sealed class IngestContext(AreaHierarchy hierarchy, KnownIds known, DateTimeOffset now)
{
    /// <summary>CONTRACTS.md: a report may not be dated more than five minutes ahead of the server's clock.</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(5);

    public HashSet<string> CasesOpenedInBatch { get; } = new(StringComparer.Ordinal);
    public HashSet<string> PersonsInBatch { get; } = new(StringComparer.Ordinal);

    public DateTimeOffset Now { get; } = now;

    public bool IsGrid(string id) => hierarchy.TryGet(id, out var area) && area.Level == AreaLevel.Grid;

    public bool IsCase(string id) => known.IsCase(id) || CasesOpenedInBatch.Contains(id);

    public bool IsPerson(string id) => known.IsPerson(id) || PersonsInBatch.Contains(id);

    public void CheckGrid(FieldReader fields, string? gridId)
    {
        if (gridId is not null && !IsGrid(gridId)) fields.Fail("gridId", "unknownGrid", $"grid '{gridId}' is not in the loaded hierarchy");
    }

    public void CheckNotFuture(FieldReader fields, string field, DateTimeOffset? time)
    {
        if (time > Now + FutureTolerance) fields.Fail(field, "future", $"'{field}' is more than 5 minutes in the future");
    }

    public void CheckPersons(FieldReader fields, IReadOnlyList<string> personIds)
    {
        for (var i = 0; i < personIds.Count; i++)
            if (!IsPerson(personIds[i])) fields.Fail($"personIds[{i}]", "unregisteredPerson", $"person '{personIds[i]}' is not a registered key individual");
    }
}
