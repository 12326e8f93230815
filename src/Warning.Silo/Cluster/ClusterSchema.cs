using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Warning.Silo.Cluster;

/// <summary>
/// The cluster's tables in PostgreSQL: the Orleans ADO.NET providers' (membership, grain state, reminders; the packages
/// ship no SQL, so the project carries its own copy in <c>Cluster/Sql</c>) and Warning's own. Every node applies them at
/// start; the scripts are idempotent and run under an advisory lock, so nodes starting together do not race.
/// </summary>
public static class ClusterSchema
{
    private const long SchemaLock = 0x5741524E_53514C; // "WARNSQL"

    public static void Apply(string connectionString, TimeSpan wait, ILogger logger)
    {
        var scripts = Scripts();
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                using var connection = new NpgsqlConnection(connectionString);
                connection.Open();
                using var transaction = connection.BeginTransaction();
                using (var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({SchemaLock})", connection, transaction)) command.ExecuteNonQuery();
                foreach (var (_, sql) in scripts)
                {
                    using var command = new NpgsqlCommand(sql, connection, transaction);
                    command.ExecuteNonQuery();
                }
                transaction.Commit();
                logger.LogInformation("Cluster schema applied ({Scripts})", string.Join(", ", scripts.Select(s => s.Name)));
                return;
            }
            catch (NpgsqlException ex) when (DateTime.UtcNow < deadline)
            {
                // PostgreSQL may still be starting (scripts/cluster.sh starts it just before the nodes).
                logger.LogWarning("PostgreSQL not ready for the cluster schema ({Message}); retrying", ex.Message);
                Thread.Sleep(TimeSpan.FromSeconds(1));
            }
        }
    }

    private static List<(string Name, string Sql)> Scripts()
    {
        var assembly = typeof(ClusterSchema).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.Contains(".Cluster.Sql.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                using var reader = new StreamReader(stream);
                return (n[(n.IndexOf(".Cluster.Sql.", StringComparison.Ordinal) + 13)..], reader.ReadToEnd());
            })
            .ToList();
    }
}
