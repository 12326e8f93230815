using Hangfire;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Warning.Web.Tests.Support;
using Xunit.Abstractions;

namespace Warning.Web.Tests.Jobs;

/// <summary>Two nodes on one PostgreSQL job store (the project's own server): each occurrence of a recurring job runs once.</summary>
public sealed class ClusterJobsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly WarningAppFactory _first = new();
    private readonly WarningAppFactory _second = new();
    private WebApplicationFactory<Program>[] _nodes = [];

    public async Task InitializeAsync()
    {
        var database = await TestServers.CreatePostgresDatabaseAsync("jobs");
        _nodes = [Node(_first, database), Node(_second, database)];
    }

    private static WebApplicationFactory<Program> Node(WarningAppFactory factory, string database) => factory.WithWebHostBuilder(b =>
    {
        b.UseSetting("Jobs:Storage", "PostgreSql");
        b.UseSetting("Jobs:ConnectionString", database);
        // Every two seconds, so a short test sees many occurrences each node's scheduler could have claimed.
        b.UseSetting("Risk:RescoreCron", "*/2 * * * * *");
        b.UseSetting("Risk:RetrainCron", "");
        b.UseSetting("Spikes:ScanOnStartup", "false");
        b.UseSetting("Jobs:SchedulePollingInterval", "00:00:01");
        b.UseSetting("Jobs:QueuePollInterval", "00:00:00.200");
    });

    [Fact]
    public async Task Two_nodes_sharing_postgresql_run_each_occurrence_of_a_recurring_job_once()
    {
        foreach (var node in _nodes) _ = node.CreateClient();
        var storage = _nodes[0].Services.GetRequiredService<JobStorage>();
        Assert.True(await Poll.UntilAsync(() => storage.GetMonitoringApi().Servers().Count == 2, TimeSpan.FromSeconds(60)), "both nodes' servers on the store");

        // Each node's ingest log holds the ticks that node ran, each naming its scheduled occurrence.
        static string[] Ticks(WebApplicationFactory<Program> node) => RescoreTicks.Reasons(node.Services);
        Assert.True(await Poll.UntilAsync(() => _nodes.Sum(n => Ticks(n).Length) >= 12, TimeSpan.FromSeconds(120)), "twelve occurrences within two minutes");

        var first = Ticks(_nodes[0]);
        var second = Ticks(_nodes[1]);
        output.WriteLine($"node 1 ran {first.Length}, node 2 ran {second.Length}");
        var all = first.Concat(second).ToArray();
        Assert.All(all, t => Assert.StartsWith("scheduled ", t));
        // Once, not twice: no occurrence in both logs, nor twice in one.
        Assert.Empty(all.GroupBy(t => t).Where(g => g.Count() > 1).Select(g => g.Key));
    }

    public async Task DisposeAsync()
    {
        // Side by side (each takes a while to flush its grains); a parent factory stops its derived node.
        await Task.WhenAll(_first.DisposeAsync().AsTask(), _second.DisposeAsync().AsTask());
    }
}
