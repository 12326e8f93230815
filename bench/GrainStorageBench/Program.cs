using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans;
using Orleans.Hosting;
using Orleans.Providers;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Warning.Silo.Storage;

namespace GrainStorageBench;

/// <summary>
/// Writes/s of <see cref="SqliteGrainStorage"/>: the provider alone (all grains' writes in flight at once, as when a
/// burst of reports touches many cases; then one write at a time, each waiting for its own commit) and through a silo
/// (grain calls that each write their state). Usage: GrainStorageBench [grains]
/// </summary>
public static class Program
{
    public static async Task Main(string[] args)
    {
        var grains = args.Length > 0 ? int.Parse(args[0]) : 10_000;
        var keys = Enumerable.Range(0, grains).Select(i => $"case-{i:D6}").ToArray();
        var payload = new OrleansGrainStorageSerializer(Services.Value.GetRequiredService<Serializer>()).Serialize(Sample(keys[0], 1)).ToArray().Length;
        Console.WriteLine($"{grains:N0} grain states of ~{payload} bytes (Orleans serializer); {Environment.ProcessorCount} cores; {Environment.OSVersion}");
        Console.WriteLine();
        Console.WriteLine($"| {"synchronous",-11} | {"what",-62} | {"writes/s",10} | {"p50 ms",7} | {"commits",7} |");
        Console.WriteLine($"| {new string('-', 11)} | {new string('-', 62)} | {new string('-', 10)} | {new string('-', 7)} | {new string('-', 7)} |");
        // A pass that prints nothing first, so neither level pays for the JIT.
        await ProviderAlone("NORMAL", keys[..Math.Min(1_000, grains)], print: false);
        await ThroughSilo("NORMAL", keys[..Math.Min(1_000, grains)], print: false);
        foreach (var synchronous in new[] { "FULL", "NORMAL" })
        {
            await ProviderAlone(synchronous, keys, print: true);
            await ThroughSilo(synchronous, keys, print: true);
        }
    }

    private static readonly Lazy<IServiceProvider> Services = new(() => new ServiceCollection().AddSerializer().BuildServiceProvider());

    public static BenchState Sample(string key, int reports) => new()
    {
        CaseId = key,
        GridId = "grid-" + key[^4..],
        Category = "neighbour",
        Reports = reports,
        Probability = 0.0421 * reports,
        OpenedAt = DateTimeOffset.UnixEpoch.AddDays(20_000),
        UpdatedAt = DateTimeOffset.UtcNow,
        Reasons = ["deadlines passed", "repeat incidents within 7 days", "a party threatened violence"],
    };

    private static async Task ProviderAlone(string synchronous, string[] keys, bool print)
    {
        var folder = NewFolder();
        var services = Services.Value;
        var storage = new SqliteGrainStorage(
            "bench", Path.Combine(folder, "state.db"), synchronous, new SqliteGrainStorageOptions(),
            new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>()),
            services.GetRequiredService<IActivatorProvider>(), NullLogger<SqliteGrainStorage>.Instance);
        try
        {
            storage.Start();
            var states = keys.Select(key => (Id: GrainId.Create("bench", key), State: new GrainState<BenchState>(Sample(key, 1)))).ToArray();

            var commits = storage.Commits;
            var elapsed = await Time(() => Task.WhenAll(states.Select(s => storage.WriteStateAsync("case", s.Id, s.State))));
            Row(print, synchronous, "provider: first write of every grain, all in flight", keys.Length / elapsed.TotalSeconds, commits: storage.Commits - commits);

            foreach (var s in states) s.State.State = Sample(s.Id.Key.ToString()!, 2);
            commits = storage.Commits;
            elapsed = await Time(() => Task.WhenAll(states.Select(s => storage.WriteStateAsync("case", s.Id, s.State))));
            Row(print, synchronous, "provider: update of every grain (ETag checked), all in flight", keys.Length / elapsed.TotalSeconds, commits: storage.Commits - commits);

            var one = Math.Min(keys.Length, 500);
            var latencies = new double[one];
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < one; i++)
            {
                var started = watch.Elapsed;
                await storage.WriteStateAsync("case", states[i].Id, states[i].State);
                latencies[i] = (watch.Elapsed - started).TotalMilliseconds;
            }
            Row(print, synchronous, $"provider: one write at a time ({one}), each its own commit", one / watch.Elapsed.TotalSeconds, Median(latencies));

            var read = new GrainState<BenchState>();
            elapsed = await Time(async () =>
            {
                foreach (var s in states) await storage.ReadStateAsync("case", s.Id, read);
            });
            Row(print, synchronous, "provider: reads, one at a time (reads/s)", keys.Length / elapsed.TotalSeconds);
        }
        finally
        {
            await storage.CloseAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task ThroughSilo(string synchronous, string[] keys, bool print)
    {
        var folder = NewFolder();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(FreePort(), FreePort())
            .AddSqliteGrainStorageAsDefault(o =>
            {
                o.DatabasePath = Path.Combine(folder, "state.db");
                o.Synchronous = synchronous;
            }));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var factory = host.Services.GetRequiredService<IGrainFactory>();
            var grains = keys.Select(key => factory.GetGrain<IBenchGrain>(key)).ToArray();
            var storage = (SqliteGrainStorage)host.Services.GetRequiredKeyedService<IGrainStorage>(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME);
            var commits = storage.Commits;
            var elapsed = await Time(() => Task.WhenAll(grains.Select(g => g.Report(1))));
            Row(print, synchronous, "silo: grain calls that activate, read and write", keys.Length / elapsed.TotalSeconds, commits: storage.Commits - commits);
            commits = storage.Commits;
            elapsed = await Time(() => Task.WhenAll(grains.Select(g => g.Report(2))));
            Row(print, synchronous, "silo: grain calls that write (activations live)", keys.Length / elapsed.TotalSeconds, commits: storage.Commits - commits);
        }
        finally
        {
            await host.StopAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<TimeSpan> Time(Func<Task> run)
    {
        var watch = Stopwatch.StartNew();
        await run();
        return watch.Elapsed;
    }

    private static void Row(bool print, string synchronous, string what, double perSecond, double? p50 = null, long? commits = null)
    {
        if (print) Console.WriteLine($"| {synchronous,-11} | {what,-62} | {perSecond,10:N0} | {(p50 is { } p ? p.ToString("0.00") : ""),7} | {commits,7} |");
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static string NewFolder()
    {
        // Beside the repository, not /tmp: /tmp may be a RAM disk, where an fsync costs nothing and FULL would flatter.
        var folder = Path.Combine(AppContext.BaseDirectory, "bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
