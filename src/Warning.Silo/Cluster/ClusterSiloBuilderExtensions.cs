using System.Data.Common;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

namespace Warning.Silo.Cluster;

public static class ClusterSiloBuilderExtensions
{
    /// <summary>The ADO.NET invariant Orleans looks the provider up by.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>
    /// A silo of the cluster: membership, grain state and reminders in PostgreSQL (Orleans' ADO.NET providers, on the
    /// schema in <c>Cluster/Sql</c>, applied here first), on loopback at the node's silo port, with failure detection
    /// tuned by <see cref="ClusterModeOptions"/>.
    /// </summary>
    public static ISiloBuilder UseWarningCluster(this ISiloBuilder silo, SiloOptions options, ClusterModeOptions cluster)
    {
        if (string.IsNullOrWhiteSpace(cluster.Postgres)) throw new InvalidOperationException("Cluster:Enabled needs Cluster:Postgres (an Npgsql connection string)");
        var connectionString = PostgresLogStore.ConnectionString(cluster.Postgres);
        ClusterSchema.Apply(connectionString, TimeSpan.FromSeconds(60), NullLogger.Instance);
        DbProviderFactories.RegisterFactory(Invariant, NpgsqlFactory.Instance);

        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = options.ClusterId;
            o.ServiceId = options.ServiceId;
        });
        silo.Configure<EndpointOptions>(o =>
        {
            o.AdvertisedIPAddress = IPAddress.Loopback;
            o.SiloPort = options.SiloPort;
            o.GatewayPort = options.GatewayPort;
            o.SiloListeningEndpoint = new IPEndPoint(IPAddress.Loopback, options.SiloPort);
            if (options.GatewayPort > 0) o.GatewayListeningEndpoint = new IPEndPoint(IPAddress.Loopback, options.GatewayPort);
        });
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
        silo.AddAdoNetGrainStorageAsDefault(o => o.Configure<Serializer>((storage, serializer) =>
        {
            storage.Invariant = Invariant;
            storage.ConnectionString = connectionString;
            // The same binary serializer as the embedded store (Storage/SqliteGrainStorage.cs says why not JSON).
            storage.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
        }));
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = cluster.ProbeTimeout;
            o.NumMissedProbesLimit = cluster.MissedProbesLimit;
            // Survivors read the table often enough to learn of a death another silo recorded.
            o.TableRefreshTimeout = TimeSpan.FromSeconds(5);
        });
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = cluster.ResponseTimeout);
        silo.AddPlacementDirector<PartitionPlacementStrategy, PartitionPlacementDirector>();
        return silo;
    }
}
