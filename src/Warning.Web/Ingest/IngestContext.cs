using Warning.Analytics.Hierarchy;
using Warning.Silo.Ingest;

namespace Warning.Web.Ingest;

/// <summary>What the rules check ids against: the hierarchy, what was accepted before, and what this batch opens.</summary>
public sealed class IngestContext(AreaHierarchy hierarchy, KnownIds known, DateTimeOffset now, DateTimeOffset earliestEventTime)
{
    /// <summary>CONTRACTS.md: a report may not be dated more than five minutes ahead of the server's clock.</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(5);

    /// <summary>Cases opened by earlier items of this batch, with their grids.</summary>
    public Dictionary<string, string> CasesOpenedInBatch { get; } = new(StringComparer.Ordinal);
    public HashSet<string> PersonsInBatch { get; } = new(StringComparer.Ordinal);

    public DateTimeOffset Now { get; } = now;

    /// <summary>The region the caller's key is limited to: a grid outside it is answered exactly like an unknown one.</summary>
    public Accounts.RegionScope Scope { get; init; }

    public bool IsGrid(string id) => hierarchy.TryGet(id, out var area) && area.Level == AreaLevel.Grid && (Scope.IsUnlimited || Scope.Allows(hierarchy, id));

    public bool IsCase(string id) => known.IsCase(id) || CasesOpenedInBatch.ContainsKey(id);

    /// <summary>The grid a case was opened in: a case stays in its grid (a move would have to be recorded, not implied).</summary>
    public string? GridOfCase(string id) => CasesOpenedInBatch.TryGetValue(id, out var grid) ? grid : known.GridOfCase(id);

    public bool IsPerson(string id) => known.IsPerson(id) || PersonsInBatch.Contains(id);

    public void CheckGrid(FieldReader fields, string? gridId)
    {
        fields.Note("gridId", "A grid of the loaded hierarchy, inside the key's region if it has one.");
        if (gridId is not null && !IsGrid(gridId)) fields.Fail("gridId", "unknownGrid", $"grid '{gridId}' is not in the loaded hierarchy");
    }

    public DateTimeOffset EarliestEventTime { get; } = earliestEventTime;

    /// <summary>An event time: not more than five minutes ahead, and not before <see cref="IngestOptions.EarliestEventTime"/>.</summary>
    public void CheckEventTime(FieldReader fields, string field, DateTimeOffset? time)
    {
        fields.Note(field, "Not more than 5 minutes ahead of the server's clock, nor before Ingest:EarliestEventTime.");
        if (time > Now + FutureTolerance) fields.Fail(field, "future", $"'{field}' is more than 5 minutes in the future");
        else if (time < EarliestEventTime) fields.Fail(field, "min", $"'{field}' must not be earlier than {EarliestEventTime:yyyy-MM-dd'T'HH:mm:sszzz}");
    }

    public void CheckPersons(FieldReader fields, IReadOnlyList<string> personIds)
    {
        fields.Note("personIds", "Registered key individuals (POST /api/v1/persons).");
        for (var i = 0; i < personIds.Count; i++)
            if (!IsPerson(personIds[i])) fields.Fail($"personIds[{i}]", "unregisteredPerson", $"person '{personIds[i]}' is not a registered key individual");
    }
}
