using System.Data.Common;
using Microsoft.Extensions.Options;
using Npgsql;
using Warning.Silo.Storage;

namespace Warning.Silo.Cluster;

/// <summary>The cluster's ingest log and checkpoints in PostgreSQL, shared by every node (tables in <c>Sql/05-Warning.sql</c>).</summary>
public sealed class PostgresLogStore(IOptions<ClusterModeOptions> options) : LogStore, IDisposable
{
    // Appends of all nodes take turns on this transaction-scoped lock (see LogStore.AppendLockSql).
    private const long AppendLock = 0x5741524E_4C4F47; // "WARNLOG"

    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(ConnectionString(options.Value.Postgres));

    public override bool Shared => true;

    public override string? AppendLockSql => $"SELECT pg_advisory_xact_lock({AppendLock})";

    // Payloads are Warning's own normalised JSON ("gridId":"…" without spaces), and a regular expression still reads an
    // entry whose JSON is broken, where a jsonb cast would fail the whole query.
    public override string GridIdOfPayload => "substring(payload from '\"gridId\":\"([^\"]*)\"')";

    public override DbConnection OpenLog() => _dataSource.OpenConnection();

    public override DbConnection OpenCheckpoints() => _dataSource.OpenConnection();

    /// <summary>Short timeouts unless the connection string says otherwise: with PostgreSQL away intake must answer 503 soon, not hang.</summary>
    public static string ConnectionString(string configured)
    {
        var builder = new NpgsqlConnectionStringBuilder(configured);
        if (!configured.Contains("Timeout", StringComparison.OrdinalIgnoreCase)) builder.Timeout = 5;
        if (!configured.Contains("Command Timeout", StringComparison.OrdinalIgnoreCase) && !configured.Contains("CommandTimeout", StringComparison.OrdinalIgnoreCase)) builder.CommandTimeout = 15;
        return builder.ConnectionString;
    }

    public void Dispose() => _dataSource.Dispose();
}
