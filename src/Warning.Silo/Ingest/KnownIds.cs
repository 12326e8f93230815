using System.Collections.Concurrent;
using Warning.Silo.Storage;

namespace Warning.Silo.Ingest;

/// <summary>
/// Case and person ids already accepted, so ingest can reject a report for an unknown case or an unregistered
/// person at once, before the grains have even applied the item that created it.
/// </summary>
public sealed class KnownIds
{
    private readonly ConcurrentDictionary<string, byte> _cases = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _persons = new(StringComparer.Ordinal);

    public KnownIds(WarningDatabase database)
    {
        using var connection = database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT kind, COALESCE(case_id, item_id) FROM ingest_log WHERE kind IN ('Report', 'Person')";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (reader.GetString(0) == nameof(IngestKind.Person)) _persons.TryAdd(reader.GetString(1), 0);
            else _cases.TryAdd(reader.GetString(1), 0);
        }
    }

    public bool IsCase(string caseId) => _cases.ContainsKey(caseId);

    public bool IsPerson(string personId) => _persons.ContainsKey(personId);

    public void AddCase(string caseId) => _cases.TryAdd(caseId, 0);

    public void AddPerson(string personId) => _persons.TryAdd(personId, 0);
}
