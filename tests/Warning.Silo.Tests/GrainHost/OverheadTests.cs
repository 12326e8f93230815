using System.Diagnostics;
using Xunit.Abstractions;

namespace Warning.Silo.Tests.GrainHost;

public class OverheadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Per_call_overhead()
    {
        await using var host = TestHost.Create();
        var grain = host.Get<ICounterGrain>("perf");
        var n = int.TryParse(Environment.GetEnvironmentVariable("GRAIN_PERF_CALLS"), out var v) ? v : 200_000;

        // awaited one by one, off the xunit synchronisation context
        var sequential = await Task.Run(async () =>
        {
            for (var i = 0; i < 10_000; i++) await grain.Echo(i);
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < n; i++) await grain.Echo(i);
            return sw.Elapsed;
        });

        // pipelined: one caller, 100 calls in flight
        var pipelined = await Task.Run(async () =>
        {
            var sw = Stopwatch.StartNew();
            var batch = new Task<int>[100];
            for (var i = 0; i < n; i += batch.Length)
            {
                for (var j = 0; j < batch.Length; j++) batch[j] = grain.Echo(j);
                await Task.WhenAll(batch);
            }
            return sw.Elapsed;
        });

        // many grains, many callers
        var grains = Enumerable.Range(0, 64).Select(i => host.Get<ICounterGrain>($"p{i}")).ToArray();
        var parallel = await Task.Run(async () =>
        {
            var sw = Stopwatch.StartNew();
            await Task.WhenAll(grains.Select(g => Task.Run(async () =>
            {
                for (var i = 0; i < n / grains.Length; i++) await g.Echo(i);
            })));
            return sw.Elapsed;
        });

        output.WriteLine($"{n:N0} calls, {Environment.ProcessorCount} cores");
        output.WriteLine($"sequential awaited: {sequential.TotalMilliseconds * 1000 / n:F2} µs/call");
        output.WriteLine($"pipelined x100:    {pipelined.TotalMilliseconds * 1000 / n:F2} µs/call");
        output.WriteLine($"64 grains x 64 callers: {parallel.TotalMilliseconds * 1000 / n:F2} µs/call (throughput)");
        Assert.True(sequential.TotalMilliseconds * 1000 / n < 200, "per-call overhead is wildly off");
    }
}
