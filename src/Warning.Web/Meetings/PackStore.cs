using System.Data.Common;
using System.Globalization;
using Warning.Silo.Storage;

namespace Warning.Web.Meetings;

/// <summary>A stored pack as listed: what, for where and when, which version.</summary>
public sealed record StoredPack(string Id, string RegionId, string Kind, string? Category, DateOnly From, DateOnly To, int Version,
    DateTimeOffset CreatedAt, string Trigger, bool HasPdf, string? PdfError);

/// <summary>
/// Generated packs, kept so a meeting reads the version it was sent rather than a recomputation: in the ingest log's
/// database (SQLite embedded, the cluster's PostgreSQL), one row per version. Fetching never regenerates.
/// </summary>
public sealed class PackStore
{
    private const string Columns = "id, region_id, kind, category, period_from, period_to, version, created_at, trigger_name, pdf IS NOT NULL, pdf_error";
    private readonly LogStore _store;
    private readonly Lock _versions = new();

    public PackStore(LogStore store)
    {
        _store = store;
        var blob = store is SqliteLogStore ? "BLOB" : "BYTEA";
        using var connection = store.OpenLog();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            CREATE TABLE IF NOT EXISTS meeting_packs (
              id TEXT PRIMARY KEY, region_id TEXT NOT NULL, kind TEXT NOT NULL, category TEXT, period_from TEXT NOT NULL, period_to TEXT NOT NULL,
              version INTEGER NOT NULL, created_at TEXT NOT NULL, trigger_name TEXT NOT NULL, html TEXT NOT NULL, csv {blob} NOT NULL, pdf {blob}, pdf_error TEXT);
            CREATE INDEX IF NOT EXISTS meeting_packs_region ON meeting_packs (region_id, created_at);
            """;
        command.ExecuteNonQuery();
    }

    /// <summary>Stores a new version of the pack for this region, kind, category and period (1 for the first).</summary>
    public StoredPack Add(string regionId, string kind, string? category, DateOnly from, DateOnly to, DateTimeOffset createdAt, string trigger,
        string html, byte[] csv, byte[]? pdf, string? pdfError)
    {
        // One version number per pack: in a cluster the primary key settles a race between nodes (the loser retries).
        for (var attempt = 0; ; attempt++)
        {
            using var connection = _store.OpenLog();
            int version;
            lock (_versions)
            {
                using (var max = connection.CreateCommand())
                {
                    max.CommandText = "SELECT COALESCE(MAX(version), 0) FROM meeting_packs WHERE region_id = @r AND kind = @k AND COALESCE(category, '') = @c AND period_from = @f AND period_to = @t";
                    Key(max, regionId, kind, category, from, to);
                    version = Convert.ToInt32(max.ExecuteScalar(), CultureInfo.InvariantCulture) + 1;
                }
                var id = $"{kind}-{regionId}-{from:yyyyMMdd}-{to:yyyyMMdd}{(category is null ? "" : "-" + category)}-v{version}";
                using var insert = connection.CreateCommand();
                insert.CommandText = "INSERT INTO meeting_packs (id, region_id, kind, category, period_from, period_to, version, created_at, trigger_name, html, csv, pdf, pdf_error) " +
                                     "VALUES (@id, @r, @k, @cat, @f, @t, @v, @at, @trigger, @html, @csv, @pdf, @err)";
                Key(insert, regionId, kind, category, from, to);
                LogStore.Parameter(insert, "@id", id);
                LogStore.Parameter(insert, "@cat", category);
                LogStore.Parameter(insert, "@v", version);
                LogStore.Parameter(insert, "@at", createdAt.ToString("O", CultureInfo.InvariantCulture));
                LogStore.Parameter(insert, "@trigger", trigger);
                LogStore.Parameter(insert, "@html", html);
                LogStore.Parameter(insert, "@csv", csv);
                LogStore.Parameter(insert, "@pdf", pdf);
                LogStore.Parameter(insert, "@err", pdfError);
                try
                {
                    insert.ExecuteNonQuery();
                    return new StoredPack(id, regionId, kind, category, from, to, version, createdAt, trigger, pdf is not null, pdfError);
                }
                catch (DbException) when (attempt < 3)
                {
                    // Another node took this version first.
                }
            }
        }
    }

    /// <summary>The packs of a region and of the areas under it, newest first.</summary>
    public IReadOnlyList<StoredPack> List(IReadOnlySet<string> regionIds, int limit = 200)
    {
        using var connection = _store.OpenLog();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM meeting_packs ORDER BY created_at DESC, id";
        var packs = new List<StoredPack>();
        using var reader = command.ExecuteReader();
        while (reader.Read() && packs.Count < limit)
        {
            var pack = Read(reader);
            if (regionIds.Contains(pack.RegionId)) packs.Add(pack);
        }
        return packs;
    }

    public StoredPack? Get(string id)
    {
        using var connection = _store.OpenLog();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM meeting_packs WHERE id = @id";
        LogStore.Parameter(command, "@id", id);
        using var reader = command.ExecuteReader();
        return reader.Read() ? Read(reader) : null;
    }

    /// <summary>One of the stored renderings: html (string), csv or pdf (bytes); null if absent.</summary>
    public object? Content(string id, string format)
    {
        var column = format switch { "html" => "html", "csv" => "csv", "pdf" => "pdf", _ => throw new ArgumentOutOfRangeException(nameof(format)) };
        using var connection = _store.OpenLog();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {column} FROM meeting_packs WHERE id = @id";
        LogStore.Parameter(command, "@id", id);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    private static void Key(DbCommand command, string regionId, string kind, string? category, DateOnly from, DateOnly to)
    {
        LogStore.Parameter(command, "@r", regionId);
        LogStore.Parameter(command, "@k", kind);
        LogStore.Parameter(command, "@c", category ?? "");
        LogStore.Parameter(command, "@f", from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        LogStore.Parameter(command, "@t", to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
    }

    private static StoredPack Read(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
        DateOnly.ParseExact(r.GetString(4), "yyyy-MM-dd", CultureInfo.InvariantCulture), DateOnly.ParseExact(r.GetString(5), "yyyy-MM-dd", CultureInfo.InvariantCulture),
        Convert.ToInt32(r.GetValue(6), CultureInfo.InvariantCulture), DateTimeOffset.Parse(r.GetString(7), CultureInfo.InvariantCulture), r.GetString(8),
        Convert.ToBoolean(r.GetValue(9), CultureInfo.InvariantCulture), r.IsDBNull(10) ? null : r.GetString(10));
}
