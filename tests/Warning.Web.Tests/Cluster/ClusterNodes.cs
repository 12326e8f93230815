using System.Text.Json.Nodes;
using Warning.Web.Tests.Support;

namespace Warning.Web.Tests.Cluster;

/// <summary>
/// Warning nodes in cluster mode as real child processes (web plus silo each), on the PostgreSQL and Redis given: a
/// cluster id of their own, so tests on the shared servers do not meet.
/// </summary>
public sealed class ClusterNodes : IAsyncDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "warning-cluster-" + Guid.NewGuid().ToString("N")[..8]);

    private ClusterNodes(string[] settings) => Settings = settings;

    public string[] Settings { get; }

    public List<ServiceProcess> Nodes { get; } = new();

    public static async Task<ClusterNodes> StartAsync(int count, string postgres, string redis, params string[] settings)
    {
        var cluster = new ClusterNodes(
        [
            "--Cluster:Enabled=true", $"--Cluster:Postgres={postgres}", $"--Cluster:Redis={redis}",
            $"--Orleans:ClusterId=t{Guid.NewGuid():N}"[..40], "--Orleans:Dashboard=false", .. settings,
        ]);
        try
        {
            // Side by side: a silo joins whoever is already in the membership table.
            var started = await Task.WhenAll(Enumerable.Range(0, count).Select(i => cluster.StartNodeAsync(i)));
            cluster.Nodes.AddRange(started);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    private Task<ServiceProcess> StartNodeAsync(int index) => ServiceProcess.StartAsync(Path.Combine(_root, $"node{index}"), Settings);

    /// <summary>The node's view: its silo, the members and the partitions it owns (<c>GET /api/v1/cluster</c>).</summary>
    public static async Task<JsonNode?> StatusAsync(ServiceProcess node)
    {
        using var client = new HttpClient { BaseAddress = new Uri(node.BaseUrl), Timeout = TimeSpan.FromSeconds(5) };
        try { return await Reports.GetAsync(client, "/api/v1/cluster"); }
        catch (HttpRequestException) { return null; }
        catch (TaskCanceledException) { return null; }
    }

    /// <summary>Which of <paramref name="nodes"/> owns each partition, with the owner's report of it; partitions owned nowhere are missing.</summary>
    public static async Task<Dictionary<int, (ServiceProcess Node, JsonNode Partition)>> OwnersAsync(IEnumerable<ServiceProcess> nodes)
    {
        var owners = new Dictionary<int, (ServiceProcess, JsonNode)>();
        foreach (var node in nodes)
        {
            if (await StatusAsync(node) is not { } status) continue;
            foreach (var partition in status["partitions"]!.AsArray()) owners[(int)partition!["partition"]!] = (node, partition);
        }
        return owners;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes) await node.DisposeAsync();
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }
}
