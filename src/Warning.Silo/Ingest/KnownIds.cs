using System.Collections.Concurrent;
using Warning.Silo.Storage;

namespace Warning.Silo.Ingest;

/// <summary>
/// Case and person ids already accepted, so ingest can reject a report for an unknown case or an unregistered
/// person at once, before the grains have even applied the item that created it. In cluster mode another node may have
/// accepted the id: one not known here is looked up in the shared log before it is called unknown.
/// </summary>
public sealed class KnownIds
{
    // Case id -> the grid it was opened in.
    private readonly ConcurrentDictionary<string, string> _cases = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _persons = new(StringComparer.Ordinal);
    private readonly LogStore _store;

    public KnownIds(LogStore store)
    {
        _store = store;
        using var connection = store.OpenLog();
        using var command = connection.CreateCommand();
        // In log order, so a case keeps the grid of the report that opened it.
        command.CommandText = $"""
            SELECT kind, COALESCE(case_id, item_id), {store.GridIdOfPayload} FROM ingest_log
            WHERE kind IN ('Report', 'Person') ORDER BY seq
            """;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (reader.GetString(0) == nameof(IngestKind.Person)) _persons.TryAdd(reader.GetString(1), 0);
            else _cases.TryAdd(reader.GetString(1), reader.IsDBNull(2) ? "" : reader.GetString(2));
        }
    }

    public bool IsCase(string caseId) => _cases.ContainsKey(caseId) || LookUpCase(caseId) is not null;

    public bool IsPerson(string personId) => _persons.ContainsKey(personId) || LookUpPerson(personId);

    /// <summary>The grid the case was opened in, or null for an unknown case.</summary>
    public string? GridOfCase(string caseId)
    {
        var grid = _cases.TryGetValue(caseId, out var known) ? known : LookUpCase(caseId);
        return grid is { Length: > 0 } ? grid : null;
    }

    public void AddCase(string caseId, string gridId) => _cases.TryAdd(caseId, gridId);

    public void AddPerson(string personId) => _persons.TryAdd(personId, 0);

    /// <summary>The grid of a case another node opened ("" when its payload says none), or null.</summary>
    private string? LookUpCase(string caseId)
    {
        if (!_store.Shared) return null;
        using var connection = _store.OpenLog();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {_store.GridIdOfPayload} FROM ingest_log WHERE case_id = @id AND kind = 'Report' ORDER BY seq LIMIT 1";
        LogStore.Parameter(command, "@id", caseId);
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        var grid = reader.IsDBNull(0) ? "" : reader.GetString(0);
        _cases.TryAdd(caseId, grid);
        return grid;
    }

    private bool LookUpPerson(string personId)
    {
        if (!_store.Shared) return false;
        using var connection = _store.OpenLog();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM ingest_log WHERE kind = 'Person' AND item_id = @id";
        LogStore.Parameter(command, "@id", personId);
        if (command.ExecuteScalar() is null) return false;
        _persons.TryAdd(personId, 0);
        return true;
    }

    public IEnumerable<string> PersonIds => _persons.Keys;
}
