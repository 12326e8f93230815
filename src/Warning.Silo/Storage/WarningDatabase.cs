using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Warning.Silo.Storage;

/// <summary>The embedded SQLite store: opens connections with the pragmas every writer relies on and owns the schema.</summary>
public sealed class WarningDatabase
{
    private readonly StorageOptions _options;

    public WarningDatabase(IOptions<StorageOptions> options)
    {
        _options = options.Value;
        Directory.CreateDirectory(Path.GetDirectoryName(_options.DatabasePath)!);
        using var connection = Open();
        Execute(connection, Schema);
        // Stores made before partitions: every entry is in partition 0, the embedded mode's only one.
        using var columns = connection.CreateCommand();
        columns.CommandText = "SELECT COUNT(*) FROM pragma_table_info('ingest_log') WHERE name = 'log_partition'";
        if ((long)columns.ExecuteScalar()! == 0) Execute(connection, "ALTER TABLE ingest_log ADD COLUMN log_partition INTEGER NOT NULL DEFAULT 0");
    }

    public string ConnectionString => _options.ConnectionString;

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_options.ConnectionString);
        connection.Open();
        Execute(connection, $"PRAGMA journal_mode=WAL; PRAGMA synchronous={_options.Synchronous}; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;");
        return connection;
    }

    public static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS ingest_log (
            seq         INTEGER PRIMARY KEY,
            kind        TEXT NOT NULL,
            item_id     TEXT NOT NULL,
            case_id     TEXT,
            received_at TEXT NOT NULL,
            payload     TEXT NOT NULL,
            log_partition INTEGER NOT NULL DEFAULT 0,
            UNIQUE (kind, item_id)
        );
        CREATE INDEX IF NOT EXISTS ingest_log_case ON ingest_log(case_id) WHERE case_id IS NOT NULL;
        CREATE TABLE IF NOT EXISTS audit_log (
            id       INTEGER PRIMARY KEY,
            at       TEXT NOT NULL,
            actor    TEXT NOT NULL,
            role     TEXT NOT NULL,
            action   TEXT NOT NULL,
            subject  TEXT NOT NULL,
            detail   TEXT
        );
        """;
}
