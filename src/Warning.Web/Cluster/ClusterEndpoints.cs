using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Orleans;
using Warning.Analytics.Disputes;
using Orleans.Runtime;
using StackExchange.Redis;
using Warning.Silo;
using Warning.Silo.Cluster;
using Warning.Web.Accounts;

namespace Warning.Web.Cluster;

public static class ClusterEndpoints
{
    /// <summary>
    /// The SignalR backplane of cluster mode: pushes go through Redis to every node's hub clients. Redis away at start
    /// or later must not stop a node (AbortOnConnectFail off: it keeps reconnecting); pushes meanwhile are kept by the
    /// node's <see cref="Live.LiveFeed"/> for <c>Resume(lastSeq)</c>. The channel prefix is the cluster's, so clusters
    /// (or test runs) sharing one Redis do not hear each other.
    /// </summary>
    public static ISignalRServerBuilder AddWarningBackplane(this ISignalRServerBuilder signalR, string redis, IConfiguration config)
    {
        var clusterId = config.GetSection(SiloOptions.Section).Get<SiloOptions>()?.ClusterId ?? "warning";
        return signalR.AddStackExchangeRedis(redis, o =>
        {
            o.Configuration.AbortOnConnectFail = false;
            o.Configuration.ChannelPrefix = RedisChannel.Literal($"warning:{clusterId}");
            // A push waits at most this long for a Redis that is away, then the node carries on without it.
            o.Configuration.AsyncTimeout = 2000;
            o.Configuration.ConnectTimeout = 2000;
        });
    }

    /// <summary><c>GET /api/v1/cluster</c>: this node's silo, the members it sees and the partitions of the log it owns.</summary>
    public static RouteGroupBuilder MapCluster(this RouteGroupBuilder api)
    {
        api.MapGet("/cluster", (IServiceProvider services, IOptions<ClusterModeOptions> options) =>
        {
            if (!options.Value.Enabled) return Results.Json(new { mode = "embedded" });
            var owners = services.GetRequiredService<PartitionOwners>();
            var membership = services.GetRequiredService<IClusterMembershipService>();
            var local = services.GetRequiredService<ILocalSiloDetails>();
            return Results.Json(new
            {
                mode = "cluster",
                silo = local.SiloAddress.ToString(),
                members = membership.CurrentSnapshot.Members.Values
                    .Where(m => m.Status is SiloStatus.Active or SiloStatus.Joining or SiloStatus.ShuttingDown)
                    .Select(m => new { silo = m.SiloAddress.ToString(), status = m.Status.ToString() }),
                partitions = owners.Owned.Select(p => new
                {
                    partition = p.Partition,
                    county = p.County,
                    since = p.Since,
                    seq = p.Position,
                    resumedSeconds = p.ResumedSeconds,
                    caughtUpSeconds = p.CaughtUpSeconds,
                }),
            }, WarningJson.Options);
        }).RequireAuthorization(Policies.Health);
        return api;
    }
}
