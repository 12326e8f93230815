using System.Collections.Concurrent;
using Warning.Silo.Storage;

namespace Warning.Silo.Ingest;

/// <summary>
/// Case and person ids already accepted, so ingest can reject a report for an unknown case or an unregistered
/// person at once, before the grains have even applied the item that created it.
/// </summary>
public sealed class KnownIds
{
    // Case id -> the grid it was opened in.
    private readonly ConcurrentDictionary<string, string> _cases = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _persons = new(StringComparer.Ordinal);

    public KnownIds(WarningDatabase database)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        // In log order, so a case keeps the grid of the report that opened it.
        command.CommandText = """
            SELECT kind, COALESCE(case_id, item_id), CASE WHEN json_valid(payload) THEN json_extract(payload, '$.gridId') END FROM ingest_log
            WHERE kind IN ('Report', 'Person') ORDER BY seq
            """;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (reader.GetString(0) == nameof(IngestKind.Person)) _persons.TryAdd(reader.GetString(1), 0);
            else _cases.TryAdd(reader.GetString(1), reader.IsDBNull(2) ? "" : reader.GetString(2));
        }
    }

    public bool IsCase(string caseId) => _cases.ContainsKey(caseId);

    public bool IsPerson(string personId) => _persons.ContainsKey(personId);

    /// <summary>The grid the case was opened in, or null for an unknown case.</summary>
    public string? GridOfCase(string caseId) => _cases.TryGetValue(caseId, out var grid) && grid.Length > 0 ? grid : null;

    public void AddCase(string caseId, string gridId) => _cases.TryAdd(caseId, gridId);

    public void AddPerson(string personId) => _persons.TryAdd(personId, 0);

    public IEnumerable<string> PersonIds => _persons.Keys;
}
